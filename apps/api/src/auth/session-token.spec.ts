import type { User } from '@warroom/contracts';
import { describe, expect, it } from 'vitest';
import { SessionTokens } from './session-token';

const SECRET = 'unit-test-session-secret-0123456789abcdef';
const user: Pick<User, 'userId' | 'login' | 'role' | 'grade'> = { userId: 'u-1', login: 'li.na', role: 'trainer', grade: 'mid' };
const T0 = new Date('2026-11-11T00:00:00.000Z');
const OPEN = { mustChangePassword: false, passwordFingerprint: 'fp-1' };

describe('SessionTokens', () => {
  const tokens = new SessionTokens(SECRET, 60);

  it('issues a token that verifies, carrying the user, role, grade and expiry', () => {
    const issued = tokens.issue(user, OPEN, T0);
    expect(issued.expiresAt.toISOString()).toBe('2026-11-11T01:00:00.000Z');
    const check = tokens.verify(issued.token, T0);
    expect(check).toEqual({
      ok: true,
      claims: { sub: 'u-1', login: 'li.na', role: 'trainer', grade: 'mid', mcp: false, pwd: 'fp-1', iat: T0.getTime() / 1000, exp: T0.getTime() / 1000 + 3600 },
    });
  });

  it('carries the must-change-password flag', () => {
    const check = tokens.verify(tokens.issue(user, { ...OPEN, mustChangePassword: true }, T0).token, T0);
    expect(check.ok && check.claims.mcp).toBe(true);
  });

  it('expires at exp, not a second later', () => {
    const { token } = tokens.issue(user, OPEN, T0);
    expect(tokens.verify(token, new Date(T0.getTime() + 3599_999)).ok).toBe(true);
    expect(tokens.verify(token, new Date(T0.getTime() + 3600_000))).toEqual({ ok: false, reason: 'expired' });
  });

  it('rejects a token whose payload was changed (a trainer making itself lead)', () => {
    const { token } = tokens.issue(user, OPEN, T0);
    const [version, payload, signature] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    const forged = Buffer.from(JSON.stringify({ ...claims, role: 'lead', grade: null }), 'utf8').toString('base64url');
    expect(tokens.verify(`${version}.${forged}.${signature}`, T0)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('rejects a token whose expiry was pushed out', () => {
    const { token } = tokens.issue(user, OPEN, T0);
    const [version, payload, signature] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    const forged = Buffer.from(JSON.stringify({ ...claims, exp: 4_000_000_000 }), 'utf8').toString('base64url');
    expect(tokens.verify(`${version}.${forged}.${signature}`, new Date(T0.getTime() + 7200_000)).ok).toBe(false);
  });

  it('rejects a flipped signature bit, a truncated signature and a token signed with another secret', () => {
    const { token } = tokens.issue(user, OPEN, T0);
    const [version, payload, signature] = token.split('.') as [string, string, string];
    const bytes = Buffer.from(signature, 'base64url');
    bytes[0] = (bytes[0] as number) ^ 1;
    expect(tokens.verify(`${version}.${payload}.${bytes.toString('base64url')}`, T0)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(tokens.verify(`${version}.${payload}.${signature.slice(0, 10)}`, T0)).toEqual({ ok: false, reason: 'bad-signature' });
    const other = new SessionTokens('another-secret-of-enough-length-0123456789', 60);
    expect(other.verify(token, T0)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('rejects malformed tokens without throwing', () => {
    for (const junk of ['', 'abc', 'v1.abc', 'v2.a.b', 'v1..', 'v1.a.b.c', 'Bearer x']) {
      expect(tokens.verify(junk, T0)).toEqual({ ok: false, reason: junk === 'v1..' ? 'bad-signature' : 'malformed' });
    }
  });

  it('refuses a short secret', () => {
    expect(() => new SessionTokens('short', 60)).toThrow(/32 characters/);
  });
});
