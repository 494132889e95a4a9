/**
 * Users and access through real parts (issue 7): the api process on the dev store, over HTTP and its
 * WebSocket. The first start creates `admin` with a one-time password printed once, which must be replaced
 * before anything else; the admin creates users of every role; role checks answer 401/403; a disabled
 * user, a demoted user and a replaced password end the sessions they had; every change is in the audit log.
 * Concurrent first starts create one admin: run in-process against a database of its own.
 */
import { request as httpRequest } from 'node:http';
import { createClickHouseClient, runMigrations } from '@warroom/clickhouse';
import {
  auditListSchema,
  issuedKioskTokenSchema,
  kioskTokenListSchema,
  liveProtocols,
  passwordResetResponseSchema,
  unlockUserResponseSchema,
  sessionResponseSchema,
  userListSchema,
  userSchema,
  type CreateUserRequest,
  type SessionResponse,
  type User,
} from '@warroom/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { AuditService } from '../../apps/api/src/auth/audit.service';
import { FirstAdminService, type FirstAdminOutcome } from '../../apps/api/src/auth/first-admin.service';
import { oneTimePasswordIn } from '../../apps/api/src/auth/first-admin';
import { verifyPassword } from '../../apps/api/src/auth/passwords';
import { UserDirectory } from '../../apps/api/src/auth/user-directory';
import { AuditRepository } from '../../apps/api/src/repositories/audit.repository';
import { UsersRepository } from '../../apps/api/src/repositories/users.repository';
import type { AppProcess } from '../../infra/dev/app-process';
import { call, type Reply } from '../support/http';
import { KIOSK_TOKEN, usePipeline } from '../support/pipeline';

/** A JSON POST sent from a given loopback address, as a client elsewhere on the network would. */
function callFrom(localAddress: string, base: string, path: string, body: unknown): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(body);
    const request = httpRequest(
      `${base}${path}`,
      { method: 'POST', localAddress, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: response.statusCode ?? 0, body: text === '' ? null : (JSON.parse(text) as unknown) });
        });
      },
    );
    request.once('error', reject);
    request.end(payload);
  });
}

function messageOf(reply: Reply): string {
  const message = (reply.body as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : JSON.stringify(message);
}

/**
 * Opens /live with a token in the handshake's subprotocols (as the web app does), or in the URL, or with the
 * subprotocols given; subscribes; resolves once a frame arrives (admitted), or with the close.
 */
function liveWith(
  base: string,
  token: string,
  via: 'protocol' | 'url' | { protocols: string[] } = 'protocol',
): Promise<{ admitted: true } | { closed: number; reason: string }> {
  const url = `${base.replace(/^http/, 'ws')}/live`;
  const socket =
    via === 'url'
      ? new WebSocket(`${url}?token=${encodeURIComponent(token)}`)
      : new WebSocket(url, via === 'protocol' ? liveProtocols(token) : via.protocols);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.terminate();
      reject(new Error('no frame and no close within 15 s'));
    }, 15_000);
    // Subscribed at once on open: the gateway must hold the frame while it checks the session.
    socket.once('open', () => socket.send(JSON.stringify({ event: 'subscribe', data: { shop: 'all', window: '5m', source: 'live' } })));
    socket.on('message', (data: WebSocket.RawData) => {
      const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
      // Any reply to the subscribe (a snapshot, a heartbeat, an error about the figures) shows the socket
      // was admitted: a refused one gets no frame, only its close. What the figures hold is not this test's.
      const frame = JSON.parse(bytes.toString('utf8')) as { event?: unknown };
      if (typeof frame.event !== 'string') return;
      clearTimeout(timer);
      socket.close();
      resolve({ admitted: true });
    });
    socket.once('close', (code: number, reason: Buffer) => {
      clearTimeout(timer);
      resolve({ closed: code, reason: reason.toString() });
    });
    socket.once('error', reject);
  });
}

const DEMO: (CreateUserRequest & { expectMustChange: boolean })[] = [
  { login: 'jun.trainer', displayName: 'Junior Trainer', role: 'trainer', grade: 'junior', password: 'junior-password-1', mustChangePassword: false, expectMustChange: false },
  { login: 'sen.trainer', displayName: 'Senior Trainer', role: 'trainer', grade: 'senior', password: 'senior-password-1', mustChangePassword: false, expectMustChange: false },
  { login: 'the.lead', displayName: 'Lead', role: 'lead', password: 'lead-password-001', mustChangePassword: false, expectMustChange: false },
  { login: 'an.agent', displayName: 'Agent', role: 'agent', password: 'agent-password-01', mustChangePassword: false, expectMustChange: false },
  // No mustChangePassword: by default the user must replace the password the admin chose.
  { login: 'a.manager', displayName: 'Manager', role: 'manager', password: 'manager-password1', expectMustChange: true },
];

describe('users and access', () => {
  const pipeline = usePipeline();
  let app: AppProcess;
  let base: string;
  const output: string[] = [];
  let adminPassword = '';
  let admin: SessionResponse;
  const sessions = new Map<string, SessionResponse>();
  const users = new Map<string, User>();

  const login = async (name: string, password: string): Promise<SessionResponse> => {
    const reply = await call(base, 'POST', '/api/auth/login', null, { login: name, password });
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    return sessionResponseSchema.parse(reply.body);
  };
  /** A user the admin creates for one test (ready to use: no password change due), and their session. */
  const userSignedIn = async (request: Pick<CreateUserRequest, 'login' | 'displayName' | 'role' | 'password'>): Promise<{ user: User; token: string }> => {
    const created = await call(base, 'POST', '/api/users', admin.token, { ...request, mustChangePassword: false });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return { user: userSchema.parse(created.body), token: (await login(request.login, request.password)).token };
  };

  beforeAll(async () => {
    app = await pipeline().startApp('api', { LIVE_SESSION_RECHECK_MS: '500' }, { onLog: (line) => output.push(line) });
    base = app.url ?? '';
  }, 90_000);

  afterAll(async () => {
    await app?.stop();
  });

  it('prints the first admin one-time password once, in a box, and it works only to replace itself', async () => {
    const passwords = output.map(oneTimePasswordIn).filter((password): password is string => password !== null);
    expect(passwords).toHaveLength(1);
    const oneTime = passwords[0] as string;
    expect(output.some((line) => line.startsWith('╔'))).toBe(true);

    const first = await login('admin', oneTime);
    expect(first.mustChangePassword).toBe(true);
    expect(first.user).toMatchObject({ login: 'admin', role: 'admin', grade: null, disabled: false });

    for (const [method, path] of [['GET', '/api/users'], ['GET', '/api/auth/me'], ['GET', '/api/audit']] as const) {
      const reply = await call(base, method, path, first.token);
      expect(reply.status, path).toBe(403);
      expect(messageOf(reply)).toMatch(/one-time password/);
    }
    const wrongCurrent = await call(base, 'POST', '/api/auth/password', first.token, { currentPassword: 'not-it-at-all', newPassword: 'admin-password-0001' });
    expect(wrongCurrent.status).toBe(403);
    const tooShort = await call(base, 'POST', '/api/auth/password', first.token, { currentPassword: oneTime, newPassword: 'short' });
    expect(tooShort.status).toBe(400);

    adminPassword = 'admin-password-0001';
    const changed = await call(base, 'POST', '/api/auth/password', first.token, { currentPassword: oneTime, newPassword: adminPassword });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    admin = sessionResponseSchema.parse(changed.body);
    expect(admin.mustChangePassword).toBe(false);

    // The one-time password and the session opened with it are both over.
    expect((await call(base, 'POST', '/api/auth/login', null, { login: 'admin', password: oneTime })).status).toBe(401);
    expect((await call(base, 'GET', '/api/auth/me', first.token)).status).toBe(401);
    expect(userSchema.parse((await call(base, 'GET', '/api/auth/me', admin.token)).body).login).toBe('admin');
  });

  it('the admin creates users of every role; a taken login is 409, a trainer without a grade 400', async () => {
    for (const { expectMustChange: _expected, ...request } of DEMO) {
      const reply = await call(base, 'POST', '/api/users', admin.token, request);
      expect(reply.status, JSON.stringify(reply.body)).toBe(201);
      const user = userSchema.parse(reply.body);
      expect(user).toMatchObject({ login: request.login, role: request.role, grade: request.grade ?? null, disabled: false });
      users.set(request.login, user);
    }
    expect((await call(base, 'POST', '/api/users', admin.token, { ...DEMO[0], expectMustChange: undefined })).status).toBe(409);
    const noGrade = await call(base, 'POST', '/api/users', admin.token, { login: 'no.grade', displayName: 'x', role: 'trainer', password: 'no-grade-password' });
    expect(noGrade.status).toBe(400);
    const listed = userListSchema.parse((await call(base, 'GET', '/api/users', admin.token)).body);
    expect(listed.users.map((user) => user.login).sort()).toEqual(['a.manager', 'admin', 'an.agent', 'jun.trainer', 'sen.trainer', 'the.lead']);

    for (const { login: name, password, expectMustChange } of DEMO) {
      const session = await login(name, password);
      expect(session.mustChangePassword).toBe(expectMustChange);
      sessions.set(name, session);
    }
  });

  it('answers 401 without a valid session and 403 for a role the route does not allow', async () => {
    const junior = sessions.get('jun.trainer') as SessionResponse;
    expect((await call(base, 'GET', '/api/users', null)).status).toBe(401);
    expect(messageOf(await call(base, 'GET', '/api/users', null))).toMatch(/Authorization: Bearer/);
    expect((await call(base, 'GET', '/api/users', 'v1.garbage.token')).status).toBe(401);
    // A junior's token with its payload turned into a lead's: the signature no longer matches.
    const [version, payload, signature] = junior.token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    const forged = `${version}.${Buffer.from(JSON.stringify({ ...claims, role: 'admin', grade: null })).toString('base64url')}.${signature}`;
    expect((await call(base, 'GET', '/api/users', forged)).status).toBe(401);

    for (const name of ['jun.trainer', 'sen.trainer', 'the.lead', 'an.agent']) {
      const token = (sessions.get(name) as SessionResponse).token;
      const reply = await call(base, 'GET', '/api/users', token);
      expect(reply.status, name).toBe(403);
      expect(messageOf(reply)).toMatch(/needs the role admin/);
      expect((await call(base, 'GET', '/api/audit', token)).status, name).toBe(403);
      expect(userSchema.parse((await call(base, 'GET', '/api/auth/me', token)).body).login).toBe(name);
    }
    const me = userSchema.parse((await call(base, 'GET', '/api/auth/me', junior.token)).body);
    expect(me).toMatchObject({ role: 'trainer', grade: 'junior' });
    // The manager still holds the password the admin chose.
    expect((await call(base, 'GET', '/api/auth/me', (sessions.get('a.manager') as SessionResponse).token)).status).toBe(403);
  });

  it('fails sign-ins with one message and a delay, whether or not the login exists', async () => {
    const known = await call(base, 'POST', '/api/auth/login', null, { login: 'jun.trainer', password: 'wrong-password-xyz' });
    const unknown = await call(base, 'POST', '/api/auth/login', null, { login: 'nobody.here', password: 'wrong-password-xyz' });
    const malformed = await call(base, 'POST', '/api/auth/login', null, { login: 'Not A Login!', password: 'wrong-password-xyz' });
    for (const reply of [known, unknown, malformed]) {
      expect(reply.status).toBe(401);
      expect(messageOf(reply)).toBe('Wrong login or password');
      expect(reply.ms).toBeGreaterThanOrEqual(400);
    }
    expect((await call(base, 'POST', '/api/auth/login', null, { login: 'jun.trainer' })).status).toBe(400);
  });

  it('ends the sessions of a disabled user, of a user given another grade, and refuses locking out the last admin', async () => {
    const junior = users.get('jun.trainer') as User;
    const juniorToken = (sessions.get('jun.trainer') as SessionResponse).token;
    const disabled = await call(base, 'PATCH', `/api/users/${junior.userId}`, admin.token, { disabled: true });
    expect(disabled.status, JSON.stringify(disabled.body)).toBe(200);
    expect(userSchema.parse(disabled.body).disabled).toBe(true);
    const refused = await call(base, 'GET', '/api/auth/me', juniorToken);
    expect(refused.status).toBe(401);
    expect(messageOf(refused)).toMatch(/disabled/);
    const again = await call(base, 'POST', '/api/auth/login', null, { login: 'jun.trainer', password: 'junior-password-1' });
    expect(again.status).toBe(401);
    expect(messageOf(again)).toBe('Wrong login or password');

    const senior = users.get('sen.trainer') as User;
    const demoted = await call(base, 'PATCH', `/api/users/${senior.userId}`, admin.token, { grade: 'mid' });
    expect(userSchema.parse(demoted.body).grade).toBe('mid');
    expect((await call(base, 'GET', '/api/auth/me', (sessions.get('sen.trainer') as SessionResponse).token)).status).toBe(401);
    const seniorAgain = await login('sen.trainer', 'senior-password-1');
    expect(seniorAgain.user.grade).toBe('mid');

    const toLead = await call(base, 'PATCH', `/api/users/${senior.userId}`, admin.token, { role: 'lead' });
    expect(userSchema.parse(toLead.body)).toMatchObject({ role: 'lead', grade: null });
    expect((await call(base, 'PATCH', `/api/users/${senior.userId}`, admin.token, { role: 'trainer' })).status).toBe(400);

    const lockout = await call(base, 'PATCH', `/api/users/${admin.user.userId}`, admin.token, { disabled: true });
    expect(lockout.status).toBe(409);
    expect((await call(base, 'PATCH', '/api/users/u-nobody', admin.token, { disabled: true })).status).toBe(404);
  });

  it('admits kiosk and session tokens on /live, and refuses the rest', async () => {
    const lead = (sessions.get('the.lead') as SessionResponse).token;
    expect(await liveWith(base, KIOSK_TOKEN)).toEqual({ admitted: true });
    expect(await liveWith(base, KIOSK_TOKEN, 'url')).toEqual({ admitted: true });
    expect(await liveWith(base, lead)).toEqual({ admitted: true });
    // A session token in a URL would end up in access logs: refused even though it is valid.
    expect(await liveWith(base, lead, 'url')).toMatchObject({ closed: 1008, reason: /never in the URL/ });
    expect(await liveWith(base, 'not-a-token-of-any-kind')).toMatchObject({ closed: 1008 });
    expect(await liveWith(base, '', { protocols: ['warroom.live', 'warroom.token.A'] })).toMatchObject({ closed: 1008, reason: /does not decode/ });
    expect(await liveWith(base, '', { protocols: ['warroom.live'] })).toMatchObject({ closed: 1008, reason: /a token is required/ });
    // Disabled since it signed in; and a manager who must still replace the admin's password.
    expect(await liveWith(base, (sessions.get('jun.trainer') as SessionResponse).token)).toMatchObject({ closed: 1008 });
    expect(await liveWith(base, (sessions.get('a.manager') as SessionResponse).token)).toMatchObject({ closed: 1008, reason: /one-time/ });
  });

  it("lets admins issue a kiosk token per screen and revoke it: the revoked screen's socket closes and its reads stop within seconds", async () => {
    const issued = await call(base, 'POST', '/api/kiosk-tokens', admin.token, { name: '3楼作战室大屏' });
    expect(issued.status).toBe(201);
    const { kioskToken, token } = issuedKioskTokenSchema.parse(issued.body);
    expect(kioskToken).toMatchObject({ name: '3楼作战室大屏', createdBy: 'admin', revokedAt: null });
    // Only an admin issues, lists or revokes.
    expect((await call(base, 'POST', '/api/kiosk-tokens', (sessions.get('the.lead') as SessionResponse).token, { name: 'x' })).status).toBe(403);
    expect((await call(base, 'GET', '/api/kiosk-tokens', null)).status).toBe(401);

    // The screen reads with it, over REST and on /live.
    expect((await call(base, 'GET', '/api/metrics/snapshot', token)).status).toBe(200);
    const socket = new WebSocket(`${base.replace(/^http/, 'ws')}/live`, liveProtocols(token));
    const closed = new Promise<{ code: number; reason: string }>((resolve) => socket.once('close', (code: number, reason: Buffer) => resolve({ code, reason: reason.toString() })));
    const firstFrame = new Promise((resolve) => socket.once('message', resolve));
    socket.once('open', () => socket.send(JSON.stringify({ event: 'subscribe', data: { shop: 'all', window: '5m', source: 'live' } })));
    await firstFrame;

    const revokedAt = Date.now();
    const revoked = await call(base, 'POST', `/api/kiosk-tokens/${kioskToken.tokenId}/revoke`, admin.token);
    expect(revoked.status).toBe(200);
    expect((await call(base, 'POST', `/api/kiosk-tokens/${kioskToken.tokenId}/revoke`, admin.token)).status).toBe(409);
    expect((await call(base, 'GET', '/api/metrics/snapshot', token)).status).toBe(401);
    expect(await closed).toMatchObject({ code: 1008 });
    expect(Date.now() - revokedAt).toBeLessThan(5_000);
    // The deployment's own token still works.
    expect((await call(base, 'GET', '/api/metrics/snapshot', KIOSK_TOKEN)).status).toBe(200);

    const list = kioskTokenListSchema.parse((await call(base, 'GET', '/api/kiosk-tokens', admin.token)).body);
    expect(list.kioskTokens.find((entry) => entry.tokenId === kioskToken.tokenId)).toMatchObject({ revokedBy: 'admin' });
    const { entries } = auditListSchema.parse((await call(base, 'GET', `/api/audit?target=${kioskToken.tokenId}`, admin.token)).body);
    expect(entries.map((entry) => entry.action).sort()).toEqual(['kiosk.issue', 'kiosk.revoke']);
  });

  it("refuses a /live upgrade from another origin's page before reading its token", async () => {
    const url = `${base.replace(/^http/, 'ws')}/live?token=${encodeURIComponent(KIOSK_TOKEN)}`;
    const statusFrom = (origin: string) =>
      new Promise<number>((resolve, reject) => {
        const socket = new WebSocket(url, { origin });
        socket.once('unexpected-response', (_request, response) => {
          resolve(response.statusCode ?? 0);
          socket.terminate();
        });
        socket.once('open', () => {
          resolve(101);
          socket.close();
        });
        socket.once('error', (error) => (socket.readyState === WebSocket.CLOSED ? undefined : reject(error)));
      });
    expect(await statusFrom('http://evil.example')).toBe(403);
    expect(await statusFrom(base)).toBe(101);
  });

  it('records every change with who made it, readable by the admin and in the store', async () => {
    const reply = await call(base, 'GET', '/api/audit?limit=100', admin.token);
    expect(reply.status).toBe(200);
    const { entries } = auditListSchema.parse(reply.body);
    const of = (action: string) => entries.filter((entry) => entry.action === action);
    expect(of('user.first_admin')).toMatchObject([{ actor: { userId: 'system' }, target: admin.user.userId }]);
    expect(of('auth.password_change')).toMatchObject([{ actor: { login: 'admin' }, target: admin.user.userId, details: { wasOneTime: true } }]);
    expect(of('user.create').map((entry) => [entry.actor.login, entry.details.login]).sort()).toEqual(
      DEMO.map((user) => ['admin', user.login]).sort(),
    );
    const updates = of('user.update');
    expect(updates).toHaveLength(3);
    expect(updates.every((entry) => entry.actor.login === 'admin')).toBe(true);
    expect(updates.map((entry) => entry.details.changed)).toContainEqual({ disabled: { from: false, to: true } });
    expect(of('auth.login_failed').map((entry) => entry.details.reason).sort()).toEqual(['disabled', 'wrong password', 'wrong password']);
    expect(JSON.stringify(entries)).not.toMatch(/password-0001|\$2[aby]\$/);
    const filtered = auditListSchema.parse((await call(base, 'GET', '/api/audit?action=user.update', admin.token)).body);
    expect(filtered.entries).toHaveLength(3);

    const stored = await pipeline().clickhouse.query({
      query: 'SELECT action, actor_login, count() AS rows FROM audit_log GROUP BY action, actor_login ORDER BY action, actor_login',
      format: 'JSONEachRow',
    });
    const rows = (await stored.json<{ action: string; actor_login: string; rows: string | number }>()).map((row) => [row.action, row.actor_login, Number(row.rows)]);
    expect(rows).toEqual(
      expect.arrayContaining([
        ['auth.password_change', 'admin', 1],
        ['user.create', 'admin', 5],
        ['user.first_admin', 'system', 1],
        ['user.update', 'admin', 3],
      ]),
    );
    // Stored hashes are bcrypt at cost 10, never the password.
    const hashes = await pipeline().clickhouse.query({ query: "SELECT password_hash FROM users WHERE login = 'admin'", format: 'JSONEachRow' });
    for (const { password_hash: hash } of await hashes.json<{ password_hash: string }>()) expect(hash).toMatch(/^\$2b\$10\$/);
  });

  it('answers 429 after five failed sign-ins for a login, known or not, even with the right password; the lock is audited', async () => {
    const wrong = (login: string) => call(base, 'POST', '/api/auth/login', null, { login, password: 'wrong-password-xyz' });
    for (const login of ['an.agent', 'no.such.user']) {
      const failures = await Promise.all(Array.from({ length: 5 }, () => wrong(login)));
      expect(failures.map((reply) => reply.status)).toEqual([401, 401, 401, 401, 401]);
      const locked = await call(base, 'POST', '/api/auth/login', null, { login, password: 'agent-password-01' });
      expect(locked.status).toBe(429);
      expect(messageOf(locked)).toMatch(/^Too many failed sign-ins: try again in 15 minutes/);
      expect((locked.body as { retryAfterSeconds: number }).retryAfterSeconds).toBeGreaterThan(14 * 60);
      // Answered at once: no password was checked.
      expect(locked.ms).toBeLessThan(400);
    }
    // Other logins from the same address still sign in.
    expect((await call(base, 'POST', '/api/auth/login', null, { login: 'the.lead', password: 'lead-password-001' })).status).toBe(200);
    const { entries } = auditListSchema.parse((await call(base, 'GET', '/api/audit?action=auth.login_locked', admin.token)).body);
    expect(entries).toMatchObject([{ target: (users.get('an.agent') as User).userId, details: { login: 'an.agent', failures: 5, windowMinutes: 15 } }]);
  });

  it('counts wrong current passwords against the same limit as sign-ins, so a found session cannot guess the password', async () => {
    const { token } = await userSignedIn({ login: 'guessed.agent', displayName: 'Guessed Agent', role: 'agent', password: 'guessed-password-1' });
    const change = (currentPassword: string) => call(base, 'POST', '/api/auth/password', token, { currentPassword, newPassword: 'a-new-password-99' });
    for (let attempt = 0; attempt < 5; attempt++) expect((await change(`guess-number-${attempt}`)).status).toBe(403);
    const locked = await change('guessed-password-1');
    expect(locked.status).toBe(429);
    expect(messageOf(locked)).toMatch(/^Too many failed sign-ins/);
    // The login is locked for signing in too, with the right password.
    expect((await call(base, 'POST', '/api/auth/login', null, { login: 'guessed.agent', password: 'guessed-password-1' })).status).toBe(429);
    const { entries } = auditListSchema.parse((await call(base, 'GET', '/api/audit?action=auth.login_locked', admin.token)).body);
    expect(entries.filter((entry) => entry.details.login === 'guessed.agent')).toMatchObject([{ details: { from: expect.stringMatching(/\(password change\)$/) as unknown, failures: 5 } }]);
  });

  it('sends security headers and a content security policy with every page and answer', async () => {
    for (const path of ['/wall', '/api/auth/me']) {
      const response = await fetch(`${base}${path}`);
      expect(response.headers.get('content-security-policy')).toMatch(/default-src 'self';.*script-src 'self';.*frame-ancestors 'none'/);
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('x-frame-options')).toBe('SAMEORIGIN');
      expect(response.headers.get('x-powered-by')).toBeNull();
    }
  });

  it('checks at most five of 40 parallel wrong passwords: the attempt is counted before the password is', async () => {
    await userSignedIn({ login: 'raced.agent', displayName: 'Raced Agent', role: 'agent', password: 'raced-password-01' });
    const replies = await Promise.all(
      Array.from({ length: 40 }, () => call(base, 'POST', '/api/auth/login', null, { login: 'raced.agent', password: 'wrong-password-xyz' })),
    );
    const statuses = replies.map((reply) => reply.status);
    expect(statuses.filter((status) => status === 401)).toHaveLength(5);
    expect(statuses.filter((status) => status === 429)).toHaveLength(35);
  });

  it('locks a login from the guessing address only; an admin lifts the lock or resets the password, audited', async () => {
    const { user } = await userSignedIn({ login: 'office.agent', displayName: 'Office Agent', role: 'agent', password: 'office-password-01' });
    // The guesser comes from 127.0.0.2; the office (the tests' other calls) from 127.0.0.1.
    const fromGuesser = (password: string) => callFrom('127.0.0.2', base, '/api/auth/login', { login: 'office.agent', password });
    for (let attempt = 0; attempt < 5; attempt++) expect((await fromGuesser(`guess-number-${attempt}`)).status).toBe(401);
    expect((await fromGuesser('office-password-01')).status).toBe(429);
    expect((await call(base, 'POST', '/api/auth/login', null, { login: 'office.agent', password: 'office-password-01' })).status).toBe(200);

    const unlocked = await call(base, 'POST', `/api/users/${user.userId}/unlock`, admin.token);
    expect(unlocked.status).toBe(200);
    expect(unlockUserResponseSchema.parse(unlocked.body).locksLifted).toBe(1);
    expect((await fromGuesser('office-password-01')).status).toBe(200);

    const reset = await call(base, 'POST', `/api/users/${user.userId}/password-reset`, admin.token);
    expect(reset.status).toBe(200);
    const { oneTimePassword } = passwordResetResponseSchema.parse(reset.body);
    expect((await call(base, 'POST', '/api/auth/login', null, { login: 'office.agent', password: 'office-password-01' })).status).toBe(401);
    const signedIn = sessionResponseSchema.parse((await call(base, 'POST', '/api/auth/login', null, { login: 'office.agent', password: oneTimePassword })).body);
    expect(signedIn.mustChangePassword).toBe(true);
    // Until it is replaced, the one-time password opens nothing else.
    expect((await call(base, 'GET', '/api/agent/queue', signedIn.token)).status).toBe(403);
    // Neither admin route is anyone else's.
    expect((await call(base, 'POST', `/api/users/${user.userId}/unlock`, signedIn.token)).status).toBe(403);

    const { entries } = auditListSchema.parse((await call(base, 'GET', `/api/audit?target=${user.userId}`, admin.token)).body);
    expect(entries.map((entry) => entry.action)).toEqual(expect.arrayContaining(['user.unlock', 'user.password_reset']));
  });

  it('closes an open /live socket once its user is disabled', async () => {
    const { user, token } = await userSignedIn({ login: 'wall.lead', displayName: 'Wall Lead', role: 'lead', password: 'wall-lead-password-1' });
    const socket = new WebSocket(`${base.replace(/^http/, 'ws')}/live`, liveProtocols(token));
    const closed = new Promise<{ code: number; reason: string }>((resolve) => socket.once('close', (code: number, reason: Buffer) => resolve({ code, reason: reason.toString() })));
    const firstFrame = new Promise((resolve) => socket.once('message', resolve));
    socket.once('open', () => socket.send(JSON.stringify({ event: 'subscribe', data: { shop: 'all', window: '5m', source: 'live' } })));
    await firstFrame;
    // Still open after several rechecks while the user may read.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(socket.readyState).toBe(WebSocket.OPEN);
    const disabledAt = Date.now();
    expect((await call(base, 'PATCH', `/api/users/${user.userId}`, admin.token, { disabled: true })).status).toBe(200);
    expect(await closed).toEqual({ code: 1008, reason: 'your session ended: a valid kiosk or session token is required' });
    expect(Date.now() - disabledAt).toBeLessThan(5_000);
  });

  it('does not create another admin when it starts again', async () => {
    await app.stop();
    output.length = 0;
    app = await pipeline().startApp('api', {}, { onLog: (line) => output.push(line) });
    base = app.url ?? '';
    expect(output.map(oneTimePasswordIn).filter(Boolean)).toEqual([]);
    expect((await login('admin', adminPassword)).user.role).toBe('admin');
  }, 90_000);

  it('creates exactly one first admin when several processes start at once', async () => {
    const database = 'warroom_first_admin_race';
    const { url } = pipeline().store;
    const bootstrap = createClickHouseClient({ url });
    await runMigrations(bootstrap, { database });
    await bootstrap.close();
    const clickhouse = createClickHouseClient({ url, database });
    try {
      // Three "processes": each its own directory (cache) and service, sharing only the store.
      const printed: string[][] = [[], [], []];
      const outcomes: FirstAdminOutcome[] = await Promise.all(
        printed.map((lines) => {
          const directory = new UserDirectory(new UsersRepository(clickhouse));
          return new FirstAdminService(directory, new AuditService(new AuditRepository(clickhouse))).ensureFirstAdmin((line) => lines.push(line));
        }),
      );
      expect(outcomes.filter((outcome) => outcome === 'created')).toHaveLength(1);
      expect(outcomes.every((outcome) => outcome === 'created' || outcome === 'created-elsewhere' || outcome === 'exists')).toBe(true);
      const shown = printed.flat().map(oneTimePasswordIn).filter((password): password is string => password !== null);
      expect(shown).toHaveLength(1);
      const rows = await clickhouse.query({ query: "SELECT password_hash FROM users WHERE login = 'admin'", format: 'JSONEachRow' });
      const stored = await rows.json<{ password_hash: string }>();
      expect(stored).toHaveLength(1);
      expect(await verifyPassword(shown[0] as string, (stored[0] as { password_hash: string }).password_hash)).toBe(true);
    } finally {
      await clickhouse.close();
    }
  }, 60_000);
});
