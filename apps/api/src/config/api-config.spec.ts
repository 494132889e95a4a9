import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseApiConfig } from './api-config';

const valid = {
  KAFKA_BROKERS: '127.0.0.1:9092, 127.0.0.1:9093',
  CLICKHOUSE_URL: 'http://127.0.0.1:8123',
  WALL_KIOSK_TOKEN: 'kiosk-token-0123456789',
  WARROOM_SESSION_SECRET: 'session-secret-0123456789abcdef0123456789',
};

describe('parseApiConfig', () => {
  it('applies defaults and maps flat variables to the nested shape', () => {
    const config = parseApiConfig(valid);
    expect(config.kafka.brokers).toEqual(['127.0.0.1:9092', '127.0.0.1:9093']);
    expect([...config.roles]).toEqual(['ingest', 'api']);
    expect(config.clickhouse.database).toBe('warroom');
    expect(config.http.port).toBe(3000);
    expect(config.ingest.batchMaxMs).toBe(30);
  });

  it('chooses roles; only the api role needs a kiosk token', () => {
    const { WALL_KIOSK_TOKEN: _token, ...withoutToken } = valid;
    expect([...parseApiConfig({ ...withoutToken, WARROOM_ROLES: 'ingest' }).roles]).toEqual(['ingest']);
    expect(() => parseApiConfig({ ...withoutToken, WARROOM_ROLES: 'ingest,api' })).toThrow(/WALL_KIOSK_TOKEN: required/);
  });

  it('names every bad variable in one error', () => {
    let error: unknown;
    try {
      parseApiConfig({ CLICKHOUSE_URL: 'ftp://x', PORT: 'eighty', WARROOM_ROLES: 'ingest,cook', WALL_KIOSK_TOKEN: 'short' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    for (const name of ['KAFKA_BROKERS', 'CLICKHOUSE_URL', 'PORT', 'WARROOM_ROLES', 'WALL_KIOSK_TOKEN']) {
      expect(message).toContain(name);
    }
  });

  it('reads the service token, refuses a short one by name, and leaves service writes off without it', () => {
    expect(parseApiConfig(valid).serviceToken).toBeNull();
    expect(parseApiConfig({ ...valid, WARROOM_SERVICE_TOKEN: 'service-token-0123456789' }).serviceToken).toBe('service-token-0123456789');
    expect(() => parseApiConfig({ ...valid, WARROOM_SERVICE_TOKEN: 'short' })).toThrow(/WARROOM_SERVICE_TOKEN: must be at least 16 characters/);
  });

  it('reads one credential per service (two during a rotation), refuses an unknown service, a short token and both forms at once', () => {
    const credentials = parseApiConfig({ ...valid, WARROOM_SERVICE_CREDENTIALS: 'bot=bot-token-0123456789,bot=bot-token-next-0123456789,replay=replay-token-0123456789' }).serviceCredentials;
    expect(credentials).toEqual([
      { service: 'bot', token: 'bot-token-0123456789' },
      { service: 'bot', token: 'bot-token-next-0123456789' },
      { service: 'replay', token: 'replay-token-0123456789' },
    ]);
    // The shared token alone stands for every service, as before.
    expect(parseApiConfig({ ...valid, WARROOM_SERVICE_TOKEN: 'service-token-0123456789' }).serviceCredentials.map((credential) => credential.service)).toEqual(['bot', 'simulator', 'order_feed', 'replay']);
    expect(() => parseApiConfig({ ...valid, WARROOM_SERVICE_CREDENTIALS: 'cook=token-0123456789abcdef' })).toThrow(/WARROOM_SERVICE_CREDENTIALS.*"cook"/);
    expect(() => parseApiConfig({ ...valid, WARROOM_SERVICE_CREDENTIALS: 'bot=short' })).toThrow(/WARROOM_SERVICE_CREDENTIALS.*at least 16/);
    expect(() => parseApiConfig({ ...valid, WARROOM_SERVICE_CREDENTIALS: 'bot=bot-token-0123456789', WARROOM_SERVICE_TOKEN: 'service-token-0123456789' })).toThrow(/WARROOM_SERVICE_CREDENTIALS: set either/);
  });

  it("signs kb.patches with KB_SIGNING_KEY, refuses a key that is not Ed25519 by name, and derives one from the session secret without it", () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const text = privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64');
    const signing = parseApiConfig({ ...valid, KB_SIGNING_KEY: text }).kb;
    expect(signing.signing?.derived).toBe(false);
    expect(signing.verifyKeys.map((key) => key.export({ format: 'der', type: 'spki' }).toString('base64'))).toEqual([createPublicKey(privateKey).export({ format: 'der', type: 'spki' }).toString('base64')]);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64');
    expect(() => parseApiConfig({ ...valid, KB_SIGNING_KEY: rsa })).toThrow(/KB_SIGNING_KEY: expected an Ed25519 key/);
    expect(() => parseApiConfig({ ...valid, KB_SIGNING_KEY: 'not a key' })).toThrow(/KB_SIGNING_KEY/);
    expect(() => parseApiConfig({ ...valid, KB_VERIFY_KEYS: 'bm90IGEga2V5' })).toThrow(/KB_VERIFY_KEYS/);
    // Derived: every process sharing the session secret signs with the same key.
    const derived = [parseApiConfig(valid).kb, parseApiConfig(valid).kb];
    expect(derived[0]!.signing?.derived).toBe(true);
    expect(derived[0]!.verifyKeys[0]!.equals(derived[1]!.verifyKeys[0]!)).toBe(true);
  });

  it('needs a session secret of at least 32 characters for the api role, and reads the session lifetime', () => {
    const { WARROOM_SESSION_SECRET: _secret, ...withoutSecret } = valid;
    expect(() => parseApiConfig({ ...withoutSecret, WARROOM_ROLES: 'api' })).toThrow(/WARROOM_SESSION_SECRET: required/);
    expect(parseApiConfig({ ...withoutSecret, WARROOM_ROLES: 'ingest' }).session.secret).toBe('');
    expect(() => parseApiConfig({ ...valid, WARROOM_SESSION_SECRET: 'too-short' })).toThrow(/WARROOM_SESSION_SECRET: must be at least 32 characters/);
    expect(parseApiConfig(valid).session.ttlMinutes).toBe(720);
    expect(parseApiConfig({ ...valid, WARROOM_SESSION_TTL_MIN: '30' }).session.ttlMinutes).toBe(30);
    expect(() => parseApiConfig({ ...valid, WARROOM_SESSION_TTL_MIN: '0' })).toThrow(/WARROOM_SESSION_TTL_MIN/);
  });

  it('rejects a broker list without ports and a batch window above 250 ms', () => {
    expect(() => parseApiConfig({ ...valid, KAFKA_BROKERS: 'localhost' })).toThrow(/KAFKA_BROKERS/);
    expect(() => parseApiConfig({ ...valid, INGEST_BATCH_MAX_MS: '1000' })).toThrow(/INGEST_BATCH_MAX_MS/);
  });
});

describe('gap settings', () => {
  it('default to DESIGN.md (60-minute window, its emotion weights) and can be changed', () => {
    expect(parseApiConfig(valid).kb).toMatchObject({ packDir: 'packs' });
    expect(parseApiConfig(valid).gaps).toMatchObject({ windowMs: 3_600_000, pollMs: 300, emotionWeights: { angry: 2, anxious: 1.5, neutral: 1 } });
    const changed = parseApiConfig({ ...valid, GAP_WINDOW_MIN: '30', GAP_EMOTION_WEIGHTS: '{"angry":3}' }).gaps;
    expect(changed).toMatchObject({ windowMs: 1_800_000, emotionWeights: { angry: 3, anxious: 1.5 } });
  });
  it('refuses weights that are not JSON or name no emotion', () => {
    expect(() => parseApiConfig({ ...valid, GAP_EMOTION_WEIGHTS: 'angry=3' })).toThrow(/GAP_EMOTION_WEIGHTS/);
    expect(() => parseApiConfig({ ...valid, GAP_EMOTION_WEIGHTS: '{"bored":3}' })).toThrow(/GAP_EMOTION_WEIGHTS/);
  });
});

describe('health settings', () => {
  it('watch no part unless told where it answers, every 2 s by default', () => {
    expect(parseApiConfig(valid).health).toEqual({ ingestUrl: null, botUrl: null, pollMs: 2_000 });
    const told = parseApiConfig({
      ...valid,
      HEALTH_INGEST_URL: 'http://127.0.0.1:3001/health/ingest',
      HEALTH_BOT_URL: 'http://127.0.0.1:3002/health',
      HEALTH_POLL_MS: '500',
    }).health;
    expect(told).toEqual({ ingestUrl: 'http://127.0.0.1:3001/health/ingest', botUrl: 'http://127.0.0.1:3002/health', pollMs: 500 });
  });
  it('refuses a health URL that is not http(s) and a poll faster than 100 ms, by name', () => {
    expect(() => parseApiConfig({ ...valid, HEALTH_BOT_URL: '127.0.0.1:3002/health' })).toThrow(/HEALTH_BOT_URL/);
    expect(() => parseApiConfig({ ...valid, HEALTH_INGEST_URL: 'ftp://x/health' })).toThrow(/HEALTH_INGEST_URL/);
    expect(() => parseApiConfig({ ...valid, HEALTH_POLL_MS: '10' })).toThrow(/HEALTH_POLL_MS/);
  });
});

describe('bot settings', () => {
  it('read every bot of WARROOM_BOT_URLS, or WARROOM_BOT_URL as a list of one, or none', () => {
    expect(parseApiConfig(valid).kb.botUrls).toEqual([]);
    expect(parseApiConfig({ ...valid, WARROOM_BOT_URL: 'http://127.0.0.1:3100' }).kb.botUrls).toEqual(['http://127.0.0.1:3100']);
    const two = parseApiConfig({ ...valid, WARROOM_BOT_URLS: 'http://127.0.0.1:3100, http://127.0.0.1:3101' });
    expect(two.kb.botUrls).toEqual(['http://127.0.0.1:3100', 'http://127.0.0.1:3101']);
    // One list of bots, no separate first-bot field beside it to drift from it.
    expect(two.kb).not.toHaveProperty('botUrl');
  });

  it('refuses a bot address that is not http(s), an empty list, and both variables at once, by name', () => {
    expect(() => parseApiConfig({ ...valid, WARROOM_BOT_URLS: 'http://127.0.0.1:3100,127.0.0.1:3101' })).toThrow(/WARROOM_BOT_URLS/);
    expect(() => parseApiConfig({ ...valid, WARROOM_BOT_URLS: ' , ' })).toThrow(/WARROOM_BOT_URLS: name at least one bot/);
    expect(() => parseApiConfig({ ...valid, WARROOM_BOT_URL: 'http://127.0.0.1:3100', WARROOM_BOT_URLS: 'http://127.0.0.1:3101' })).toThrow(
      /WARROOM_BOT_URLS: set either WARROOM_BOT_URLS or WARROOM_BOT_URL/,
    );
  });
});
