import type { FastifyInstance } from 'fastify';
import type { ApiErrorBody } from '@warroom/contracts';

/**
 * Past this many bytes a body is not worth reading to the end: Fastify's own refusal answers 413 and closes
 * the connection, and a client still sending may see the reset rather than the answer.
 */
export const OVERSIZED_BODY_DRAIN_CAP_BYTES = 16 * 1024 * 1024;

/**
 * Refuses a body that declares more than `maxBytes` before anything reads it, with a 413 that says how large
 * it was and what is allowed, and keeps the connection open so Node discards the rest of the body.
 *
 * Why: Fastify answers an oversized body with `connection: close`, and closing a socket with unread bytes in it
 * sends a TCP reset that can overtake the 413 on its way to a client still writing its body; that client sees
 * "fetch failed", not the 4xx it is owed (seen once in test:chaos's hostile-input scenario under CI load).
 * Bodies beyond `drainCapBytes` are left to Fastify's refusal: draining them would cost more than a reset.
 */
export function refuseOversizedBodiesBeforeReading(fastify: FastifyInstance, maxBytes: number, drainCapBytes = OVERSIZED_BODY_DRAIN_CAP_BYTES): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    const declared = Number(request.headers['content-length']);
    if (!Number.isFinite(declared) || declared <= maxBytes || declared > drainCapBytes) {
      done();
      return;
    }
    const body: ApiErrorBody = { statusCode: 413, message: `Request body is too large: ${declared} bytes, at most ${maxBytes} are accepted` };
    void reply.code(413).send(body);
  });
}
