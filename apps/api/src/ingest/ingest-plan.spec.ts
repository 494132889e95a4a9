import { describe, expect, it } from 'vitest';
import type { IncomingMessage } from '../repositories/kafka.repository';
import { planIngest } from './ingest-plan';

const NOW = new Date('2026-11-30T23:59:59.000Z');

function event(id: string, eventTime = '2026-11-30T23:59:00.000Z'): Buffer {
  return Buffer.from(
    JSON.stringify({
      v: 1,
      eventId: id,
      eventTime,
      source: 'live',
      campaignId: 'c',
      shopId: 's',
      sessionId: 'x',
      customerId: 'y',
      channel: 'app',
      mode: 'bot',
      kind: 'abandon',
    }),
  );
}

const message = (offset: number, value: Buffer | null): IncomingMessage => ({ offset: String(offset), key: null, value });

describe('planIngest', () => {
  it('skips what the store holds, dead-letters bad messages and keeps offsets in order', () => {
    const messages = [
      message(10, event('a')),
      message(11, event('b')),
      message(12, Buffer.from('not json')),
      message(13, event('c')),
    ];
    const plan = planIngest('chat.events', 3, messages, 10n, 100, NOW);
    expect(plan.alreadyStored).toBe(1);
    expect(plan.deadLetters).toHaveLength(1);
    expect(plan.deadLetters[0]?.source).toEqual({ topic: 'chat.events', partition: 3, offset: '12' });
    expect(plan.chunks).toHaveLength(1);
    expect(plan.chunks[0]?.rows.map((row) => row.event_id)).toEqual(['b', 'c']);
    expect(plan.chunks[0]?.rows.map((row) => row.kafka_offset)).toEqual(['11', '13']);
    expect(plan.chunks[0]).toMatchObject({ firstOffset: '11', lastOffset: '13' });
  });

  it('never lets one insert span two months (table partitions) or more than maxRows rows', () => {
    const messages = [
      message(0, event('a', '2026-11-30T23:58:00.000Z')),
      message(1, event('b', '2026-11-30T23:59:00.000Z')),
      message(2, event('c', '2026-11-30T23:59:30.000Z')),
      // A minute into December (UTC): a new table partition.
      message(3, event('d', '2026-12-01T00:00:30.000Z')),
      message(4, event('e', '2026-11-30T23:59:40.000Z')),
    ];
    const plan = planIngest('chat.events', 0, messages, null, 2, new Date('2026-12-01T00:01:00Z'));
    expect(plan.chunks.map((chunk) => chunk.rows.map((row) => row.event_id))).toEqual([['a', 'b'], ['c'], ['d'], ['e']]);
  });

  it('dead-letters events outside the accepted time range with the reason', () => {
    const plan = planIngest('chat.events', 0, [message(0, event('old', '2026-11-01T00:00:00Z'))], null, 10, NOW);
    expect(plan.chunks).toHaveLength(0);
    expect(plan.deadLetters[0]?.reasons[0]).toMatch(/more than 7 days old/);
  });
});
