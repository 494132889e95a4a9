import { Agent, request as httpRequest } from 'node:http';
import { apiErrorBodySchema } from '@warroom/contracts';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refuseOversizedBodiesBeforeReading } from './oversized-body';

const MAX_BYTES = 1024;
const DRAIN_CAP_BYTES = 64 * 1024;

interface Answer {
  status: number;
  connection: string | undefined;
  reusedSocket: boolean;
  body: unknown;
}

function post(url: string, agent: Agent, bytes: number): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const body = Buffer.from(JSON.stringify({ text: 'a'.repeat(Math.max(0, bytes - 12)) }));
    const request = httpRequest(`${url}/echo`, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': body.length } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          connection: response.headers.connection,
          reusedSocket: request.reusedSocket,
          body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown,
        }),
      );
    });
    request.on('error', reject);
    request.end(body);
  });
}

describe('refuseOversizedBodiesBeforeReading', () => {
  let fastify: FastifyInstance;
  let url: string;
  beforeAll(async () => {
    fastify = Fastify({ bodyLimit: MAX_BYTES });
    refuseOversizedBodiesBeforeReading(fastify, MAX_BYTES, DRAIN_CAP_BYTES);
    fastify.post('/echo', (request) => ({ echoed: request.body }));
    url = await fastify.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(() => fastify.close());

  it('answers 413 with its size and the limit, keeps the connection, and serves the next request on it', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const refused = await post(url, agent, 50_000);
      expect(refused.status).toBe(413);
      expect(refused.connection).not.toBe('close');
      expect(apiErrorBodySchema.parse(refused.body).message).toMatch(/too large: \d+ bytes, at most 1024/);
      const next = await post(url, agent, 100);
      expect(next).toMatchObject({ status: 200, reusedSocket: true });
    } finally {
      agent.destroy();
    }
  });

  it('lets a body within the limit through, and leaves one past the drain cap to Fastify, which closes', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      expect((await post(url, agent, MAX_BYTES - 10)).status).toBe(200);
      const beyondCap = await post(url, agent, DRAIN_CAP_BYTES * 2);
      expect(beyondCap).toMatchObject({ status: 413, connection: 'close' });
    } finally {
      agent.destroy();
    }
  });
});
