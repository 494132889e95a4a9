import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { checkTopicsAtStart } from './start-check';

describe('checkTopicsAtStart', () => {
  let server: Server | undefined;
  const sockets = new Set<Socket>();
  afterEach(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((done) => (server ? server.close(() => done()) : done()));
    server = undefined;
  });

  it('lets the app start, saying the topics were not checked, when no broker answers', async () => {
    // A port that accepts connections and never answers: a frozen broker.
    server = createServer((socket) => sockets.add(socket));
    await new Promise<void>((done) => server?.listen(0, '127.0.0.1', done));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const report = await checkTopicsAtStart({ brokers: `127.0.0.1:${port}`, clientId: 'start-check-spec' });
    expect(report.checked).toBe(false);
    expect(report.summary).toMatch(/^Kafka topics not checked: the brokers did not answer/);
  }, 60_000);
});
