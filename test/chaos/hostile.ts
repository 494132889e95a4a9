/**
 * Hostile chat.events messages (scenario 6), pure: what broken input methods, buggy producers and
 * attackers put on the topic. Whether each one is valid is decided by the contract itself
 * (`parseChatEvent`), so the harness and ingest share one definition: a valid one must be stored once,
 * an invalid one must be dead-lettered with its reason.
 */
import { parseChatEvent, type ChatEvent } from '@warroom/contracts';

export const HOSTILE_KINDS = [
  'lone_surrogate',
  'invalid_utf8',
  'huge_string',
  'deep_nesting',
  'sql_text',
  'html_text',
  'wrong_types',
  'unknown_version',
  'unknown_field',
  'far_future',
  'far_past',
  'duplicate_id',
  'not_json',
] as const;
export type HostileKind = (typeof HOSTILE_KINDS)[number];

export interface HostileMessage {
  kind: HostileKind;
  key: string;
  value: Buffer;
}

export type Classification = { valid: true; eventId: string } | { valid: false; reasons: string[] };

/** The contract's verdict on raw bytes, at `nowMs` (event times are judged against it). */
export function classify(value: Buffer, nowMs: number): Classification {
  const parsed = parseChatEvent(value, nowMs);
  return parsed.ok ? { valid: true, eventId: parsed.value.eventId } : { valid: false, reasons: parsed.reasons };
}

/**
 * About 1 MB of text: under the broker's default message.max.bytes (1,000,012) with the event around it,
 * so the broker takes it and ingest has to deal with it. One in HUGE_EVERY hostile messages, so a run
 * stays inside the dev broker's retention (about 5 MiB per partition).
 */
const HUGE_TEXT_CHARS = 990_000;
const HUGE_EVERY = 1_000;
const NESTING_DEPTH = 5_000;

const LONE_SURROGATES = ['\ud800', '\udfff', '退货 \ud83d', '\udc00好评'];
/** Bytes that are not UTF-8: a stray continuation byte, 0xFF, a UTF-8-encoded surrogate, an overlong slash. */
const INVALID_UTF8 = [Buffer.from([0xff]), Buffer.from([0x80, 0x80]), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from([0xc0, 0xaf])];
const SQL_TEXTS = [
  "Robert'); DROP TABLE chat_events;--",
  "1' OR '1'='1",
  '\\N',
  '{shop:String} \\\' \\\\ \t',
  'NUL \u0000 inside',
  "退货'; INSERT INTO chat_events SELECT * FROM chat_events; --",
];
const HTML_TEXTS = ['<script>alert(1)</script>', '<img src=x onerror=alert(document.cookie)>', '</textarea><b>在吗</b>&amp;&#x0;'];
const STRING_FIELDS = ['text', 'sessionId', 'customerId', 'shopId'] as const;

type Mutable = Record<string, unknown>;

export class HostileGenerator {
  private sequence = 0;
  /** Messages handed out, twins of duplicates included: huge strings are one in HUGE_EVERY of these. */
  private emitted = 0;
  private pendingDuplicate: HostileMessage | null = null;

  constructor(
    /** Random numbers in [0, 1): seeded, so a failing run can be repeated. */
    private readonly rng: () => number,
    /** A fresh valid question event: what most hostile messages start from. */
    private readonly validEvent: () => ChatEvent,
  ) {}

  /** The next hostile message. A `duplicate_id` comes as two messages in a row with the same bytes. */
  next(): HostileMessage {
    this.emitted += 1;
    if (this.pendingDuplicate) {
      const twin = this.pendingDuplicate;
      this.pendingDuplicate = null;
      return twin;
    }
    this.sequence += 1;
    const kind = this.emitted % HUGE_EVERY === 0 ? 'huge_string' : this.pickKind();
    const message = this.build(kind);
    if (kind === 'duplicate_id') this.pendingDuplicate = message;
    return message;
  }

  private pickKind(): HostileKind {
    const ordinary = HOSTILE_KINDS.filter((kind) => kind !== 'huge_string');
    return ordinary[Math.floor(this.rng() * ordinary.length)] ?? 'not_json';
  }

  private build(kind: HostileKind): HostileMessage {
    const event: Mutable = { ...this.validEvent() };
    const key = typeof event.sessionId === 'string' ? event.sessionId : `hostile-${this.sequence}`;
    const json = (value: unknown): HostileMessage => ({ kind, key, value: Buffer.from(JSON.stringify(value)) });
    switch (kind) {
      case 'lone_surrogate':
        // JSON.stringify writes a lone surrogate as a \uXXXX escape: well-formed JSON, ill-formed text.
        event[this.pick(STRING_FIELDS)] = this.pick(LONE_SURROGATES);
        return json(event);
      case 'invalid_utf8': {
        const marker = `@@${this.sequence}@@`;
        event.text = `退货${marker}`;
        const [before, after] = JSON.stringify(event).split(marker);
        return { kind, key, value: Buffer.concat([Buffer.from(before ?? ''), this.pick(INVALID_UTF8), Buffer.from(after ?? '')]) };
      }
      case 'huge_string':
        event.text = 'a'.repeat(HUGE_TEXT_CHARS);
        return json(event);
      case 'deep_nesting': {
        const marker = `@@${this.sequence}@@`;
        event.text = marker;
        const nested = `${'{"a":['.repeat(NESTING_DEPTH)}1${']}'.repeat(NESTING_DEPTH)}`;
        return { kind, key, value: Buffer.from(JSON.stringify(event).replace(`"${marker}"`, nested)) };
      }
      case 'sql_text':
        event.text = this.pick(SQL_TEXTS);
        return json(event);
      case 'html_text':
        event.text = this.pick(HTML_TEXTS);
        return json(event);
      case 'wrong_types': {
        const breakages: ((target: Mutable) => unknown)[] = [
          (target) => ({ ...target, v: '1' }),
          (target) => ({ ...target, eventTime: Date.now() }),
          (target) => ({ ...target, text: 42 }),
          (target) => ({ ...target, emotion: { name: 'neutral', intensity: '0.5' } }),
          (target) => ({ ...target, sessionId: null }),
          (target) => ({ ...target, eventId: ['an', 'array'] }),
          (target) => [target],
          () => 12345,
          () => null,
        ];
        return json(this.pick(breakages)(event));
      }
      case 'unknown_version':
        event.v = this.pick([0, 2, 99, -1]);
        return json(event);
      case 'unknown_field':
        // A producer that added a field: additive changes keep v 1 (chat-event.ts).
        event.promoCode = 'DOUBLE11';
        return json(event);
      case 'far_future':
        event.eventTime = this.pick(['2999-12-31T23:59:59.999Z', '9999-01-01T00:00:00Z', '2100-01-01T00:00:00+08:00']);
        return json(event);
      case 'far_past':
        event.eventTime = this.pick(['1970-01-01T00:00:00Z', '0001-01-01T00:00:00Z', '1999-12-31T23:59:59-05:00']);
        return json(event);
      case 'duplicate_id':
        return json(event);
      case 'not_json':
        return { kind, key, value: Buffer.from(this.pick(['', '{', '{"v":1,', 'null', '\u0000\u0001', '{"v":1}}'])) };
    }
  }

  private pick<T>(options: readonly T[]): T {
    const choice = options[Math.floor(this.rng() * options.length)];
    if (choice === undefined) throw new Error('pick() from an empty list');
    return choice;
  }
}

export const HOSTILE_CHAT_KINDS = ['lone_surrogate', 'invalid_utf8', 'huge_string', 'deep_nesting', 'sql_text', 'html_text', 'wrong_types'] as const;
export type HostileChatKind = (typeof HOSTILE_CHAT_KINDS)[number];

/**
 * A hostile body for the bot's `POST /api/chat`: what a broken client or an attacker sends a customer-facing
 * endpoint. The bot must answer each with a reply (a text it repaired included) or a 4xx, never a 5xx.
 */
export function hostileChatBody(rng: () => number, shopId: string, sessionId: string): { kind: HostileChatKind; body: Buffer } {
  const kind = HOSTILE_CHAT_KINDS[Math.floor(rng() * HOSTILE_CHAT_KINDS.length)] ?? 'sql_text';
  const pick = <T>(options: readonly T[]): T => options[Math.floor(rng() * options.length)] ?? options[0]!;
  const request: Record<string, unknown> = { shopId, sessionId, customerId: `${sessionId}-customer`, text: '退货' };
  const json = (value: unknown): { kind: HostileChatKind; body: Buffer } => ({ kind, body: Buffer.from(JSON.stringify(value)) });
  switch (kind) {
    case 'lone_surrogate':
      if (rng() < 0.5) request.text = pick(LONE_SURROGATES);
      else request.sessionId = `${sessionId}\ud800`;
      return json(request);
    case 'invalid_utf8': {
      const [before, after] = JSON.stringify({ ...request, text: '退货@@' }).split('@@');
      return { kind, body: Buffer.concat([Buffer.from(before ?? ''), pick(INVALID_UTF8), Buffer.from(after ?? '')]) };
    }
    case 'huge_string':
      return json({ ...request, text: 'a'.repeat(HUGE_TEXT_CHARS) });
    case 'deep_nesting':
      return { kind, body: Buffer.from(JSON.stringify({ ...request, text: '@@' }).replace('"@@"', `${'{"a":['.repeat(NESTING_DEPTH)}1${']}'.repeat(NESTING_DEPTH)}`)) };
    case 'sql_text':
      return json({ ...request, text: pick(SQL_TEXTS.filter((text) => /\S/.test(text))) });
    case 'html_text':
      return json({ ...request, text: pick(HTML_TEXTS) });
    case 'wrong_types':
      return json(pick([{ ...request, text: 42 }, { ...request, sessionId: null }, [request], { ...request, mode: 'robot' }]));
  }
}
