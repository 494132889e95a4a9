import { createServer } from 'node:net';

/**
 * A TCP port free on 127.0.0.1 right now, for a process that must be told another's address before
 * that one starts (the api's WARROOM_BOT_URL, with the bot started after the api it loads from).
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
