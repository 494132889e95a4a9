/**
 * ClickHouse over HTTPS with the deployment's CA (issue 21's security settings), through the real client
 * and the real dev store behind a TLS terminator: a certificate authority and a server certificate are made
 * with Debian's openssl for this run. With CLICKHOUSE_CA_FILE the client trusts the store; without it the
 * handshake is refused; a CA file that cannot be read fails at once with its variable's name.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:tls';
import { createClickHouseClient, type ClickHouseClient } from '@warroom/clickhouse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseApiConfig } from '../../apps/api/src/config/api-config';
import { useDevStore } from '../support/store';

const fixture = useDevStore();

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: 'ignore' });
}

describe('ClickHouse over HTTPS with a CA of our own', () => {
  let dir: string;
  let terminator: Server;
  let httpsUrl: string;
  const clients: ClickHouseClient[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'warroom-tls-'));
    openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=warroom test CA'], dir);
    openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost'], dir);
    writeFileSync(join(dir, 'san.cnf'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
    openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'san.cnf'], dir);
    const storePort = Number(new URL(fixture.url).port);
    terminator = createServer({ key: readFileSync(join(dir, 'server.key')), cert: readFileSync(join(dir, 'server.pem')) }, (secure) => {
      const plain = connect(storePort, '127.0.0.1');
      secure.pipe(plain).pipe(secure);
      const close = (): void => {
        secure.destroy();
        plain.destroy();
      };
      secure.once('error', close);
      plain.once('error', close);
    });
    await new Promise<void>((resolve) => terminator.listen(0, '127.0.0.1', resolve));
    httpsUrl = `https://localhost:${(terminator.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await new Promise((resolve) => terminator?.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('reaches the store with the CA named by CLICKHOUSE_CA_FILE, and refuses the handshake without it', async () => {
    const config = parseApiConfig({ KAFKA_BROKERS: '127.0.0.1:9092', CLICKHOUSE_URL: httpsUrl, CLICKHOUSE_CA_FILE: join(dir, 'ca.pem'), WARROOM_ROLES: 'ingest' });
    const trusting = createClickHouseClient({ url: config.clickhouse.url, tls: config.clickhouse.tls, requestTimeoutMs: 10_000 });
    const plain = createClickHouseClient({ url: httpsUrl, requestTimeoutMs: 10_000 });
    clients.push(trusting, plain);
    const result = await trusting.query({ query: 'SELECT 1 AS one', format: 'JSONEachRow' });
    expect(await result.json()).toEqual([{ one: 1 }]);
    await expect(plain.query({ query: 'SELECT 1', format: 'JSONEachRow' })).rejects.toThrow(/self-signed|certificate/i);
  });

  it('fails at once, naming the variable, when the CA file cannot be read', () => {
    const config = parseApiConfig({ KAFKA_BROKERS: '127.0.0.1:9092', CLICKHOUSE_URL: httpsUrl, CLICKHOUSE_CA_FILE: join(dir, 'missing.pem'), WARROOM_ROLES: 'ingest' });
    expect(() => createClickHouseClient({ url: config.clickhouse.url, tls: config.clickhouse.tls })).toThrow(/^CLICKHOUSE_CA_FILE: cannot read .*missing\.pem/);
  });
});
