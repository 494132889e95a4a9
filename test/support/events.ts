/** Factories for chat events in tests: valid ones of every kind, and the malformed kinds ingest must dead-letter. */
import type { ChatEvent } from '@warroom/contracts';

let sequence = 0;

export function questionEvent(overrides: Partial<Record<string, unknown>> = {}): ChatEvent {
  sequence += 1;
  return {
    v: 1,
    eventId: `t-${process.pid}-${sequence}`,
    eventTime: new Date().toISOString(),
    source: 'live',
    campaignId: 'test-campaign',
    shopId: 'shop-a',
    sessionId: `session-${sequence % 997}`,
    customerId: `customer-${sequence % 991}`,
    channel: 'app',
    mode: 'bot',
    stage: 'pre_sale',
    kind: 'question',
    text: '这款手机支持快充吗',
    emotion: { name: 'neutral', intensity: 0.3 },
    outcome: 'answered',
    match: { answerId: 'fast-charge', revision: 1, score: 0.9 },
    ...overrides,
  };
}

/** Malformed messages, each with the reason text ingest must report for it. */
export const MALFORMED: { name: string; bytes: (id: string) => Buffer; reason: RegExp }[] = [
  { name: 'not JSON', bytes: (id) => Buffer.from(`{"v":1,"eventId":"${id}",`), reason: /not JSON/ },
  {
    name: 'missing shop',
    bytes: (id) => {
      const event: Record<string, unknown> = { ...questionEvent({ eventId: id }) };
      delete event.shopId;
      return Buffer.from(JSON.stringify(event));
    },
    reason: /^shopId:/,
  },
  {
    name: 'unknown emotion',
    bytes: (id) => Buffer.from(JSON.stringify(questionEvent({ eventId: id, emotion: { name: 'bored', intensity: 0.5 } }))),
    reason: /^emotion\.name:/,
  },
  {
    name: 'too old',
    bytes: (id) =>
      Buffer.from(JSON.stringify(questionEvent({ eventId: id, eventTime: new Date(Date.now() - 8 * 86_400_000).toISOString() }))),
    reason: /more than 7 days old/,
  },
  { name: 'binary garbage', bytes: () => Buffer.from([0xff, 0x00, 0xfe, 0x01]), reason: /not JSON/ },
];
