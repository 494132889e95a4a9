import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseBotConfig } from './bot-config';

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

  it('names the bot for routing and takeover: host name and port unless BOT_ID says, one word', () => {
    expect(parseBotConfig({ KAFKA_BROKERS: 'a:1', PORT: '3107' }).takeover).toEqual({ botId: `${hostname()}:3107`, afterMs: 5000 });
    expect(parseBotConfig({ KAFKA_BROKERS: 'a:1', BOT_ID: 'bot-2', BOT_TAKEOVER_AFTER_MS: '2000' }).takeover).toEqual({ botId: 'bot-2', afterMs: 2000 });
    expect(() => parseBotConfig({ KAFKA_BROKERS: 'a:1', BOT_ID: 'bot 2', BOT_TAKEOVER_AFTER_MS: '10' })).toThrow(/BOT_ID[\s\S]*BOT_TAKEOVER_AFTER_MS/);
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

describe('connection security settings', () => {
  it('hold for the bot too', () => {
    const bot = { KAFKA_BROKERS: 'kafka-1:9093' };
    expect(parseBotConfig({ ...bot, KAFKA_SSL: 'true' }).kafka.security).toEqual({ ssl: { caFile: null, certFile: null, keyFile: null }, sasl: null });
    expect(() => parseBotConfig({ ...bot, KAFKA_SASL_MECHANISM: 'scram-sha-256' })).toThrow(/KAFKA_SASL_USERNAME/);
  });
});
