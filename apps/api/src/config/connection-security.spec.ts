import { describe, expect, it } from 'vitest';
import { parseApiConfig } from './api-config';

const base = { KAFKA_BROKERS: 'kafka-1:9093', CLICKHOUSE_URL: 'http://clickhouse:8123', WARROOM_ROLES: 'ingest' };

function problemsOf(env: Record<string, string>): string {
  try {
    parseApiConfig({ ...base, ...env });
  } catch (error) {
    return (error as Error).message;
  }
  return '';
}

describe('connection security settings', () => {
  it('are plaintext by default, as the dev broker and store are', () => {
    const config = parseApiConfig(base);
    expect(config.kafka.security).toEqual({ ssl: null, sasl: null });
    expect(config.clickhouse.tls).toBeNull();
  });

  it('take Kafka TLS with a CA and SCRAM, and ClickHouse HTTPS with a CA and a client certificate', () => {
    const config = parseApiConfig({
      ...base,
      KAFKA_SSL: 'true',
      KAFKA_SSL_CA_FILE: '/etc/warroom/kafka-ca.pem',
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'warroom-ingest',
      KAFKA_SASL_PASSWORD: 's3cret',
      CLICKHOUSE_URL: 'https://clickhouse:8443',
      CLICKHOUSE_CA_FILE: '/etc/warroom/ch-ca.pem',
      CLICKHOUSE_CERT_FILE: '/etc/warroom/ch.pem',
      CLICKHOUSE_KEY_FILE: '/etc/warroom/ch.key',
    });
    expect(config.kafka.security).toEqual({
      ssl: { caFile: '/etc/warroom/kafka-ca.pem', certFile: null, keyFile: null },
      sasl: { mechanism: 'scram-sha-512', username: 'warroom-ingest', password: 's3cret' },
    });
    expect(config.clickhouse.tls).toEqual({ caFile: '/etc/warroom/ch-ca.pem', certFile: '/etc/warroom/ch.pem', keyFile: '/etc/warroom/ch.key' });
  });

  it('refuse what cannot work, naming the variable to fix', () => {
    expect(problemsOf({ KAFKA_SASL_MECHANISM: 'scram-sha-256', KAFKA_SASL_USERNAME: 'u' })).toMatch(/KAFKA_SASL_USERNAME: KAFKA_SASL_MECHANISM needs/);
    expect(problemsOf({ KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' })).toMatch(/KAFKA_SASL_MECHANISM: required/);
    expect(problemsOf({ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' })).toMatch(/KAFKA_SSL: SASL plain/);
    expect(problemsOf({ KAFKA_SSL_CA_FILE: '/ca.pem' })).toMatch(/KAFKA_SSL: must be true/);
    expect(problemsOf({ KAFKA_SSL: 'true', KAFKA_SSL_CERT_FILE: '/c.pem' })).toMatch(/KAFKA_SSL_KEY_FILE/);
    expect(problemsOf({ CLICKHOUSE_CA_FILE: '/ca.pem' })).toMatch(/CLICKHOUSE_URL: must be https/);
    expect(problemsOf({ KAFKA_SSL: 'maybe' })).toMatch(/KAFKA_SSL/);
  });
});
