/**
 * The users of `npm start`. The api prints the first admin's one-time password once; in development this
 * replaces it and creates one demo user per role, printing every password (the store is wiped on every
 * start, so they live as long as this run). With NODE_ENV=production nothing is created and only the
 * one-time password is repeated, to be replaced at first sign-in.
 */
import { randomBytes } from 'node:crypto';
import { sessionResponseSchema, type CreateUserRequest } from '@warroom/contracts';
import { FIRST_ADMIN_LOGIN } from '../apps/api/src/auth/first-admin';

const DEMO_USERS: Omit<CreateUserRequest, 'password'>[] = [
  // One trainer per grade: the rehearsal's simulated trainers sign in as them (and the lead).
  { login: 'assistant', displayName: 'Assistant trainer', role: 'trainer', grade: 'assistant' },
  { login: 'junior', displayName: 'Junior trainer', role: 'trainer', grade: 'junior' },
  { login: 'mid', displayName: 'Mid trainer', role: 'trainer', grade: 'mid' },
  { login: 'senior', displayName: 'Senior trainer', role: 'trainer', grade: 'senior' },
  { login: 'lead', displayName: 'Lead trainer', role: 'lead' },
  { login: 'agent', displayName: 'Agent', role: 'agent' },
  { login: 'manager', displayName: 'Manager', role: 'manager' },
];

async function post(url: string, body: unknown, token?: string): Promise<unknown> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`POST ${new URL(url).pathname} answered ${response.status}: ${await response.text()}`);
  const reply: unknown = await response.json();
  return reply;
}

export interface DevUsers {
  /** Lines to print: who can sign in, and with what. */
  lines: string[];
  /** The trainers' and lead's logins, for the rehearsal's simulated trainers (`login:password`). */
  trainerLogins: string[];
}

export async function setUpDevUsers(apiUrl: string, oneTimePassword: string | null, production: boolean): Promise<DevUsers> {
  if (oneTimePassword === null) return { lines: ['  users: the api printed no one-time password (an admin exists already)'], trainerLogins: [] };
  if (production) {
    return { lines: [`  sign in as ${FIRST_ADMIN_LOGIN} with the one-time password above and replace it`], trainerLogins: [] };
  }
  const first = sessionResponseSchema.parse(await post(`${apiUrl}/api/auth/login`, { login: FIRST_ADMIN_LOGIN, password: oneTimePassword }));
  const adminPassword = randomBytes(12).toString('base64url');
  const admin = sessionResponseSchema.parse(
    await post(`${apiUrl}/api/auth/password`, { currentPassword: oneTimePassword, newPassword: adminPassword }, first.token),
  );
  const lines = [`  sign in (development only; these passwords live until Ctrl-C):`, `    ${FIRST_ADMIN_LOGIN.padEnd(9)} ${adminPassword}  admin`];
  const trainerLogins: string[] = [];
  for (const user of DEMO_USERS) {
    const password = randomBytes(12).toString('base64url');
    await post(`${apiUrl}/api/users`, { ...user, password, mustChangePassword: false }, admin.token);
    lines.push(`    ${user.login.padEnd(9)} ${password}  ${user.role}${user.grade ? ` (${user.grade})` : ''}`);
    if (user.role === 'trainer' || user.role === 'lead') trainerLogins.push(`${user.login}:${password}`);
  }
  lines.push(`  where: ${apiUrl}/trainer (trainers, lead), ${apiUrl}/agent (agent, lead), ${apiUrl}/reports (manager)`);
  return { lines, trainerLogins };
}
