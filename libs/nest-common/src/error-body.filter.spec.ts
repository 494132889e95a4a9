import 'reflect-metadata';
import { Body, Controller, Get, Logger, Module, Post, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { apiErrorBodySchema } from '@warroom/contracts';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { Conflict, NotFound, TooManyRequests } from './domain-errors';
import { ERROR_BODY_FILTER, INTERNAL_ERROR_MESSAGE } from './error-body.filter';
import { ZodValidationPipe } from './zod-validation.pipe';

const SECRET = 'SELECT * FROM users -- at /srv/warroom/repositories/users.repository.ts:42';

@Controller('t')
class ThrowingController {
  @Get('conflict')
  conflict(): never {
    throw new Conflict('revision 2 was published by li 3 s ago', { reason: 'stale base', current: { revision: 2 } });
  }

  @Get('missing')
  missing(): never {
    throw new NotFound('no gap g-1');
  }

  @Get('wait')
  wait(): never {
    throw new TooManyRequests('Too many failed sign-ins', 120);
  }

  @Get('boom')
  boom(): never {
    throw new Error(SECRET);
  }

  @Post('echo')
  echo(@Body(new ZodValidationPipe(z.strictObject({ text: z.string().min(1), score: z.number().max(1) }))) body: unknown): unknown {
    return body;
  }
}

@Module({ controllers: [ThrowingController], providers: [ERROR_BODY_FILTER] })
class ThrowingModule {}

async function get(base: string, path: string, init?: RequestInit): Promise<{ status: number; headers: Headers; body: unknown }> {
  const response = await fetch(`${base}${path}`, init);
  return { status: response.status, headers: response.headers, body: await response.json() };
}

describe.each([
  ['Express (the api)', () => NestFactory.create(ThrowingModule, { logger: false })],
  ['Fastify (the bot)', () => NestFactory.create(ThrowingModule, new FastifyAdapter({ bodyLimit: 1024 }), { logger: false })],
])('ErrorBodyFilter on %s', (_platform, create: () => Promise<INestApplication>) => {
  let app: INestApplication;
  let base: string;
  const logged = vi.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);

  beforeAll(async () => {
    app = await create();
    await app.listen(0, '127.0.0.1');
    base = await app.getUrl();
  });

  afterAll(async () => {
    await app.close();
  });

  it('answers a domain error with its status, its message and its details', async () => {
    const reply = await get(base, '/t/conflict');
    expect(reply.status).toBe(409);
    expect(reply.body).toEqual({ statusCode: 409, message: 'revision 2 was published by li 3 s ago', reason: 'stale base', current: { revision: 2 } });
    expect(apiErrorBodySchema.safeParse(reply.body).success).toBe(true);
    expect((await get(base, '/t/missing')).body).toEqual({ statusCode: 404, message: 'no gap g-1' });
  });

  it('tells a throttled caller when to come back, in a header and in the body', async () => {
    const reply = await get(base, '/t/wait');
    expect(reply.status).toBe(429);
    expect(reply.headers.get('retry-after')).toBe('120');
    expect(reply.body).toMatchObject({ statusCode: 429, retryAfterSeconds: 120 });
  });

  it('answers a refused body 400 naming every failing field', async () => {
    const reply = await get(base, '/t/echo', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ score: 2 }) });
    expect(reply.status).toBe(400);
    const body = apiErrorBodySchema.parse(reply.body);
    expect(body.message).toBe('Invalid request');
    expect(body.issues?.map((issue) => issue.path).sort()).toEqual(['score', 'text']);
  });

  it("gives Nest's own exceptions the same body: a route not found, JSON that does not parse, a body too large", async () => {
    const notFound = await get(base, '/nowhere');
    expect(notFound.status).toBe(404);
    expect(Object.keys(notFound.body as object).sort()).toEqual(['message', 'statusCode']);
    expect(apiErrorBodySchema.parse(notFound.body)).toMatchObject({ statusCode: 404, message: expect.stringMatching(/nowhere/) as unknown });

    const notJson = await get(base, '/t/echo', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"text":' });
    expect(notJson.status).toBe(400);
    expect(apiErrorBodySchema.safeParse(notJson.body).success).toBe(true);

    const tooLarge = await get(base, '/t/echo', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'x'.repeat(200_000) }) });
    expect(tooLarge.status).toBe(413);
    expect(apiErrorBodySchema.safeParse(tooLarge.body).success).toBe(true);
  });

  it('answers any other error 500 without its internals, and logs it with its stack', async () => {
    logged.mockClear();
    const reply = await get(base, '/t/boom');
    expect(reply.status).toBe(500);
    expect(reply.body).toEqual({ statusCode: 500, message: INTERNAL_ERROR_MESSAGE });
    expect(JSON.stringify(reply.body)).not.toContain('SELECT');
    expect(logged).toHaveBeenCalledWith(expect.stringContaining(SECRET));
    expect(logged.mock.calls.flat().join('\n')).toMatch(/at ThrowingController\.boom/);
  });
});
