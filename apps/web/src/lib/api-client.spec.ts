import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { ApiError, ContractError, SESSION_REJECTED, apiErrorOf, apiRequest, apiText, errorText } from './api-client';

const pointSchema = z.object({ x: z.number(), y: z.number() });

function answer(status: number, body: string): void {
  vi.stubGlobal('fetch', vi.fn(() => Promise.resolve(new Response(body, { status }))));
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('apiErrorOf', () => {
  it("reads the api's error body: its message and every failing field", () => {
    const error = apiErrorOf(400, JSON.stringify({ statusCode: 400, message: 'Invalid request', issues: [{ path: 'from', message: 'Invalid ISO datetime' }] }));
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(400);
    expect(error.message).toBe('Invalid request');
    expect(error.issues).toEqual([{ path: 'from', message: 'Invalid ISO datetime' }]);
    expect(errorText(error)).toBe('Invalid request (from: Invalid ISO datetime)');
  });

  it('keeps the whole body, so a 409 can be read for more than its words', () => {
    const body = { statusCode: 409, message: 'revision 2 was published by wang', current: { revision: 2 } };
    const error = apiErrorOf(409, JSON.stringify(body));
    expect(error.message).toBe('revision 2 was published by wang');
    expect(error.issues).toEqual([]);
    expect(error.body).toEqual(body);
  });

  it('says the status and the start of the text for anything that is not the api’s error body', () => {
    expect(apiErrorOf(502, '<html>Bad gateway</html>').message).toBe('HTTP 502: <html>Bad gateway</html>');
    // Nest's default shape with a list of messages is not the api's error body.
    expect(apiErrorOf(400, '{"message":["a","b"]}').message).toBe('HTTP 400: {"message":["a","b"]}');
    expect(apiErrorOf(500, 'x'.repeat(1_000)).message).toHaveLength('HTTP 500: '.length + 300);
  });
});

describe('apiRequest', () => {
  it('returns the reply parsed with the contract', async () => {
    answer(200, '{"x":1,"y":2,"extra":true}');
    await expect(apiRequest('token', 'GET', '/api/point', pointSchema)).resolves.toEqual({ x: 1, y: 2 });
  });

  it('sends the session token and a JSON body', async () => {
    answer(200, '{"x":1,"y":2}');
    await apiRequest('token', 'POST', '/api/point', pointSchema, { x: 1 });
    const [path, init] = vi.mocked(fetch).mock.calls[0] ?? [];
    expect(path).toBe('/api/point');
    expect(init).toMatchObject({ method: 'POST', body: '{"x":1}', headers: { authorization: 'Bearer token', 'content-type': 'application/json' } });
  });

  it('throws a ContractError naming the failing fields when a 2xx reply is outside the contract', async () => {
    answer(200, '{"x":"one"}');
    const error: unknown = await apiRequest('token', 'GET', '/api/point', pointSchema).catch((caught: unknown) => caught);
    if (!(error instanceof ContractError)) throw new Error(`expected a ContractError, got ${String(error)}`);
    const contract = error;
    expect(contract.issues.map((issue) => issue.path)).toEqual(['x', 'y']);
    expect(contract.message).toMatch(/^the api answered \/api\/point outside the contract: x: .+; y: .+/);
  });

  it('throws an ApiError for anything but 2xx', async () => {
    answer(403, JSON.stringify({ statusCode: 403, message: 'managers only' }));
    await expect(apiRequest('token', 'GET', '/api/point', pointSchema)).rejects.toMatchObject({ status: 403, message: 'managers only' });
  });

  it('announces a refused session token, so the page signs in again; a sign-in attempt is not a session', async () => {
    const rejected = vi.fn();
    window.addEventListener(SESSION_REJECTED, rejected);
    answer(401, JSON.stringify({ statusCode: 401, message: 'session expired' }));
    await expect(apiRequest('token', 'GET', '/api/point', pointSchema)).rejects.toBeInstanceOf(ApiError);
    answer(401, JSON.stringify({ statusCode: 401, message: 'wrong password' }));
    await expect(apiRequest(null, 'POST', '/api/auth/login', pointSchema, {})).rejects.toBeInstanceOf(ApiError);
    window.removeEventListener(SESSION_REJECTED, rejected);
    expect(rejected).toHaveBeenCalledTimes(1);
  });
});

describe('apiText', () => {
  it('returns a 2xx body as text, and the same ApiError otherwise', async () => {
    answer(200, 'interval,on_shift\n');
    await expect(apiText('token', 'POST', '/api/reports/staffing.csv', {})).resolves.toBe('interval,on_shift\n');
    answer(400, JSON.stringify({ statusCode: 400, message: 'Invalid request', issues: [{ path: 'to', message: 'Required' }] }));
    await expect(apiText('token', 'POST', '/api/reports/staffing.csv', {})).rejects.toMatchObject({ status: 400, issues: [{ path: 'to', message: 'Required' }] });
  });
});
