/**
 * Ingest through real parts: kafkajs → dev broker → ingest process → dev store (issue 4).
 * 100,000 events, 1 % malformed, produced concurrently to every partition.
 */
import { describe, expect, it } from 'vitest';
import { MALFORMED, questionEvent } from '../support/events';
import { readDeadLetters, storedCounts, usePipeline, waitFor } from '../support/pipeline';

const TOTAL = 100_000;
const MALFORMED_EVERY = 100;
const PRODUCERS = 4;

describe('ingest', () => {
  const pipeline = usePipeline();

  it('stores every valid event exactly once and dead-letters every malformed one with its reason', async () => {
    const { produce, startApp, clickhouse, kafka } = pipeline();
    await startApp('ingest');

    const expectedIds = new Set<string>();
    const expectedDead = new Map<string, RegExp>();
    const messages: { key: string; value: Buffer | string }[] = [];
    for (let i = 0; i < TOTAL; i += 1) {
      const id = `ingest-${i}`;
      // Session keys spread the events over all 24 partitions.
      const key = `session-${i % 5000}`;
      if (i % MALFORMED_EVERY === 0) {
        const kind = MALFORMED[(i / MALFORMED_EVERY) % MALFORMED.length]!;
        messages.push({ key, value: kind.bytes(id) });
        expectedDead.set(id, kind.reason);
      } else {
        const event = questionEvent({ eventId: id, sessionId: key, shopId: `shop-${i % 7}` });
        messages.push({ key, value: JSON.stringify(event) });
        expectedIds.add(id);
      }
    }
    // Concurrent producers, each sending a slice in batches, while ingest consumes.
    const slice = Math.ceil(TOTAL / PRODUCERS);
    await Promise.all(
      Array.from({ length: PRODUCERS }, (_, p) => produce(messages.slice(p * slice, (p + 1) * slice))),
    );

    await waitFor(
      async () => (await storedCounts(clickhouse)).rows >= expectedIds.size,
      90_000,
      async () => `stored ${JSON.stringify(await storedCounts(clickhouse))} of ${expectedIds.size}`,
    );
    // A little longer, so that a duplicate arriving late would be seen.
    await new Promise((done) => setTimeout(done, 1_000));
    const counts = await storedCounts(clickhouse);
    expect(counts).toEqual({ rows: expectedIds.size, distinct: expectedIds.size });
    const stored = await clickhouse.query({ query: 'SELECT event_id FROM chat_events', format: 'JSONCompactEachRow' });
    const storedIds = (await stored.json<[string]>()).map(([id]) => id);
    expect(storedIds.every((id) => expectedIds.has(id))).toBe(true);

    // Every malformed message is in the DLQ, with a reason that says what was wrong.
    const letters = await readDeadLetters(kafka, expectedDead.size);
    expect(letters).toHaveLength(expectedDead.size);

    let matched = 0;
    for (const letter of letters) {
      const original = Buffer.from(letter.original.base64, 'base64').toString('utf8');
      const id = /ingest-\d+/.exec(original)?.[0];
      if (id === undefined) {
        // Binary garbage carries no id: its reason alone must be right (its bytes are not UTF-8, let alone JSON).
        expect(letter.reasons[0]).toMatch(/not valid UTF-8|not JSON/);
        continue;
      }
      const reason = expectedDead.get(id);
      expect(reason, `dead letter ${id} was not produced as malformed`).toBeDefined();
      expect(letter.reasons.some((text) => reason!.test(text)), `${id}: ${letter.reasons.join('; ')}`).toBe(true);
      matched += 1;
    }
    expect(matched).toBeGreaterThan(expectedDead.size * 0.7);
  });
});
