/**
 * A dead letter always fits the broker (issue 16). A letter carries up to 64 KiB of its message, as base64
 * (a third larger), so one fetch's worth of big bad messages makes letters that together pass a broker's
 * message.max.bytes (1 MB by default): they must go out in requests that each fit, with bounded reasons.
 * The dev broker (librdkafka's mock) takes requests of any size (a 5 MB message was accepted), so the
 * per-request bound itself is checked on what kafkajs is handed (libs/kafka/src/producer.spec.ts); this
 * checks the whole path: every letter arrives, truncated, and the partition moves on.
 */
import { describe, expect, it } from 'vitest';
import { questionEvent } from '../support/events';
import { readDeadLetters, storedCounts, usePipeline, waitFor } from '../support/pipeline';

const BIG_BAD = 45;

describe('ingest dead letters', () => {
  const pipeline = usePipeline();

  it('sends every dead letter of a fetch full of big bad messages, in requests the broker takes, and moves on', async () => {
    const p = pipeline();
    const ingest = await p.startApp('ingest');
    // One key, one partition: a fetch brings about 1 MB of these, whose letters weigh a third more.
    const bad = Array.from({ length: BIG_BAD }, (_, i) => ({
      key: 'big-session',
      value: JSON.stringify({ v: 1, eventId: `big-${i}`, kind: 'question', text: 'x'.repeat(70_000) }),
    }));
    await p.produce(bad);
    const after = questionEvent({ eventId: 'after-the-big-ones', sessionId: 'big-session' });
    await p.produce([{ key: after.sessionId, value: JSON.stringify(after) }]);

    await waitFor(
      async () => (await storedCounts(p.clickhouse)).rows >= 1,
      60_000,
      async () => `stored ${JSON.stringify(await storedCounts(p.clickhouse))}; health ${JSON.stringify(await (await fetch(`${ingest.url}/health/ingest`)).json())}`,
    );
    const letters = await readDeadLetters(p.kafka, BIG_BAD);
    expect(letters).toHaveLength(BIG_BAD);
    for (const letter of letters) {
      expect(letter.original.truncated).toBe(true);
      expect(Buffer.byteLength(letter.reasons.join(''))).toBeLessThanOrEqual(2_048);
    }
    const health = (await (await fetch(`${ingest.url}/health/ingest`)).json()) as { status: string; deadLettered: number };
    expect(health).toMatchObject({ status: 'ok', deadLettered: BIG_BAD });
    await ingest.stop();
  });
});
