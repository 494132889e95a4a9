import { describe, expect, it } from 'vitest';
import { botClientFrameSchema, chatReplySchema, chatRequestSchema, parseBotConfig } from './bot';
import { ConfigError } from './config';

describe('parseBotConfig', () => {
  it('applies defaults and maps flat variables to the nested shape', () => {
    const config = parseBotConfig({ KAFKA_BROKERS: '127.0.0.1:9092' });
    expect(config.kafka).toEqual({ brokers: ['127.0.0.1:9092'], clientId: 'warroom-bot', security: { ssl: null, sasl: null } });
    expect(config.http).toEqual({ host: '127.0.0.1', port: 3100 });
    expect(config.shops).toEqual(['demo-electronics']);
    expect(config.packDir).toBe('packs');
    expect(config.events).toMatchObject({ source: 'live', channel: 'app', spoolMaxBytes: 64 * 1024 * 1024 });
    expect(config.matching).toEqual({ threshold: null, cacheSize: 20_000 });
    expect(config.rules.angryHandoffIntensity).toBe(0.7);
  });

  it('parses lists and numbers', () => {
    const config = parseBotConfig({
      KAFKA_BROKERS: 'a:1, b:2',
      BOT_SHOP_IDS: 'shop-a, shop-b,shop-a',
      BOT_MATCH_THRESHOLD: '0.42',
      BOT_SOURCE: 'rehearsal',
      PORT: '0',
    });
    expect(config.kafka.brokers).toEqual(['a:1', 'b:2']);
    expect(config.shops).toEqual(['shop-a', 'shop-b']);
    expect(config.matching.threshold).toBe(0.42);
    expect(config.events.source).toBe('rehearsal');
    expect(config.http.port).toBe(0);
  });

  it('names every bad variable in one error', () => {
    let error: unknown;
    try {
      parseBotConfig({ BOT_SHOP_IDS: 'shop a', BOT_SOURCE: 'test', BOT_SPOOL_MAX_BYTES: '10', BOT_MATCH_THRESHOLD: '2' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    for (const name of ['KAFKA_BROKERS', 'BOT_SHOP_IDS', 'BOT_SOURCE', 'BOT_SPOOL_MAX_BYTES', 'BOT_MATCH_THRESHOLD']) {
      expect((error as ConfigError).message).toContain(name);
    }
  });
});

describe('chat contracts', () => {
  const request = { shopId: 'demo-electronics', sessionId: 's-1', customerId: 'c-1', text: '保修几年' };

  it('accepts a minimal request and rejects unknown fields, blank text and a bad mode', () => {
    expect(chatRequestSchema.safeParse(request).success).toBe(true);
    expect(chatRequestSchema.safeParse({ ...request, sku: '100012345', mode: 'assist', channel: 'web', source: 'replay' }).success).toBe(true);
    expect(chatRequestSchema.safeParse({ ...request, extra: 1 }).success).toBe(false);
    expect(chatRequestSchema.safeParse({ ...request, text: '   ' }).success).toBe(false);
    expect(chatRequestSchema.safeParse({ ...request, mode: 'auto' }).success).toBe(false);
  });

  it('carries a request id in WebSocket frames only', () => {
    expect(botClientFrameSchema.safeParse({ event: 'ask', data: { ...request, requestId: 'r1' } }).success).toBe(true);
    expect(chatRequestSchema.safeParse({ ...request, requestId: 'r1' }).success).toBe(false);
  });

  it('requires the fields of each outcome', () => {
    const base = { questionEventId: 'q', sessionId: 's', stage: 'pre_sale', emotion: { name: 'neutral', intensity: 0 }, sku: null };
    const reply = { type: 'text', text: '您好' };
    expect(chatReplySchema.safeParse({ ...base, outcome: 'answered', answer: { answerId: 'a', revision: 1, score: 0.9 }, reply }).success).toBe(true);
    expect(chatReplySchema.safeParse({ ...base, outcome: 'answered', reply }).success).toBe(false);
    expect(
      chatReplySchema.safeParse({ ...base, outcome: 'handoff', handoffReason: 'assist_mode', bestCandidate: null, reply: null, suggestions: [] })
        .success,
    ).toBe(true);
  });
});
