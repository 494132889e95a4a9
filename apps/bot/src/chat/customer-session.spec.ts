import { describe, expect, it } from 'vitest';
import { CustomerSessions } from './customer-session';

const SECRET = 'customer-session-secret-0123456789abcdef';

describe('CustomerSessions', () => {
  it('verifies a token it issued, binding a fresh session and customer', () => {
    const sessions = new CustomerSessions(SECRET, 60_000);
    const issued = sessions.issue();
    const other = sessions.issue();
    expect(issued.sessionId).not.toBe(other.sessionId);
    expect(issued.customerId).not.toBe(other.customerId);
    expect(sessions.verify(issued.token)).toEqual({ sessionId: issued.sessionId, customerId: issued.customerId });
    expect(sessions.bind(issued.token, { sessionId: issued.sessionId, customerId: issued.customerId })).toEqual({ sessionId: issued.sessionId, customerId: issued.customerId });
  });

  it('refuses a token that was altered, signed with another secret, expired or absent', () => {
    let now = 1_000_000;
    const sessions = new CustomerSessions(SECRET, 60_000, () => now);
    const issued = sessions.issue();
    const [prefix, , mac] = issued.token.split('.');
    const claims = Buffer.from(JSON.stringify({ s: 'someone-else', c: issued.customerId, e: now + 60_000 })).toString('base64url');
    expect(sessions.verify(`${prefix}.${claims}.${mac}`)).toBeNull();
    expect(new CustomerSessions(`${SECRET}-other`, 60_000, () => now).verify(issued.token)).toBeNull();
    for (const token of [undefined, '', 'cs1', 'cs1..', `${issued.token}.x`, 'cs1.bm90IGpzb24.x']) expect(sessions.verify(token)).toBeNull();
    now += 60_000;
    expect(sessions.verify(issued.token)).toBeNull();
  });

  it("refuses a body naming another session or customer than the token's", () => {
    const sessions = new CustomerSessions(SECRET, 60_000);
    const mine = sessions.issue();
    const theirs = sessions.issue();
    expect(() => sessions.bind(mine.token, { sessionId: theirs.sessionId, customerId: mine.customerId })).toThrow(/those of your session token/);
    expect(() => sessions.bind(mine.token, { sessionId: mine.sessionId, customerId: theirs.customerId })).toThrow(/those of your session token/);
    expect(() => sessions.bind(undefined, { sessionId: mine.sessionId, customerId: mine.customerId })).toThrow(/session token is required/);
  });
});
