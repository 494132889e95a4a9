/**
 * The durable record of holes in the Kafka offsets (issue 16, migration 0009) against the dev store:
 * the same hole recorded twice counts once, a hole found again wider counts at its widest.
 */
import { describe, expect, it } from 'vitest';
import { runMigrations } from '@warroom/clickhouse';
import { IngestOffsetGapsRepository } from '../../apps/api/src/repositories/ingest-offset-gaps.repository';
import { useDevStore } from '../support/store';

const fixture = useDevStore();

describe('IngestOffsetGapsRepository', () => {
  it('counts each hole once per topic, however often it is recorded', async () => {
    await runMigrations(fixture.client(), { database: 'warroom' });
    const gaps = new IngestOffsetGapsRepository(fixture.client({ database: 'warroom' }));
    const at = new Date('2026-11-11T00:00:00.000Z');
    expect(await gaps.missingEvents('chat.events')).toBe(0);

    await gaps.recordHole({ topic: 'chat.events', partition: 3, firstMissingOffset: 10n, lastMissingOffset: 19n, detectedAt: at });
    // Found again after a restart, and once more wider (retention kept deleting meanwhile).
    await gaps.recordHole({ topic: 'chat.events', partition: 3, firstMissingOffset: 10n, lastMissingOffset: 19n, detectedAt: new Date() });
    await gaps.recordHole({ topic: 'chat.events', partition: 3, firstMissingOffset: 10n, lastMissingOffset: 29n, detectedAt: new Date() });
    // The same offsets on another partition or topic are other holes.
    await gaps.recordHole({ topic: 'chat.events', partition: 4, firstMissingOffset: 10n, lastMissingOffset: 10n, detectedAt: at });
    await gaps.recordHole({ topic: 'other.topic', partition: 3, firstMissingOffset: 0n, lastMissingOffset: 99n, detectedAt: at });

    expect(await gaps.missingEvents('chat.events')).toBe(20 + 1);
    expect(await gaps.missingEvents('other.topic')).toBe(100);
    expect(await gaps.missingEvents('no.such.topic')).toBe(0);
  });

  it('refuses a hole that ends before it starts', async () => {
    const gaps = new IngestOffsetGapsRepository(fixture.client({ database: 'warroom' }));
    await expect(
      gaps.recordHole({ topic: 'chat.events', partition: 0, firstMissingOffset: 5n, lastMissingOffset: 4n, detectedAt: new Date() }),
    ).rejects.toThrow(/ends before it starts/);
  });
});
