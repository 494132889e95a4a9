import { describe, expect, it } from 'vitest';
import { kafkaSecurityOptions } from './client';

const files: Record<string, string> = { '/ca.pem': 'CA', '/client.pem': 'CERT', '/client.key': 'KEY' };
const read = (path: string): Buffer => {
  const content = files[path];
  if (content === undefined) throw new Error('ENOENT: no such file or directory');
  return Buffer.from(content);
};

describe('kafkaSecurityOptions', () => {
  it('is nothing for plaintext, `ssl: true` for TLS with the system CAs', () => {
    expect(kafkaSecurityOptions({ ssl: null, sasl: null }, read)).toEqual({});
    expect(kafkaSecurityOptions({ ssl: { caFile: null, certFile: null, keyFile: null }, sasl: null }, read)).toEqual({ ssl: true });
  });

  it('reads the CA and the client certificate, and passes SCRAM on', () => {
    const options = kafkaSecurityOptions(
      { ssl: { caFile: '/ca.pem', certFile: '/client.pem', keyFile: '/client.key' }, sasl: { mechanism: 'scram-sha-512', username: 'u', password: 'p' } },
      read,
    );
    expect(options).toEqual({
      ssl: { ca: [Buffer.from('CA')], cert: Buffer.from('CERT'), key: Buffer.from('KEY') },
      sasl: { mechanism: 'scram-sha-512', username: 'u', password: 'p' },
    });
  });

  it('fails at start naming the variable whose file cannot be read', () => {
    expect(() => kafkaSecurityOptions({ ssl: { caFile: '/missing.pem', certFile: null, keyFile: null }, sasl: null }, read)).toThrow(
      /^KAFKA_SSL_CA_FILE: cannot read \/missing\.pem/,
    );
  });
});
