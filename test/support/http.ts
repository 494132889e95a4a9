/** Plain HTTP calls of the tests: status, parsed body and how long it took. */
import { sessionResponseSchema, type CreateUserRequest } from '@warroom/contracts';
import { oneTimePasswordIn } from '../../apps/api/src/auth/first-admin';

export interface Reply {
  status: number;
  body: unknown;
  ms: number;
}

export async function call(base: string, method: string, path: string, token: string | null, body?: unknown): Promise<Reply> {
  const started = Date.now();
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { ...(token === null ? {} : { authorization: `Bearer ${token}` }), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  // A JSON answer is parsed; any other (the metrics' text format) is kept as text.
  const json = response.headers.get('content-type')?.includes('json') ?? false;
  return { status: response.status, body: text === '' ? null : json ? (JSON.parse(text) as unknown) : text, ms: Date.now() - started };
}

/** Collects the first admin's one-time password from an api process's output (pass as its onLog). */
export function oneTimePasswordCatcher(): { onLog: (line: string) => void; password: () => string } {
  let password: string | null = null;
  return {
    onLog: (line) => {
      password ??= oneTimePasswordIn(line);
    },
    password: () => {
      if (password === null) throw new Error('the api printed no one-time password');
      return password;
    },
  };
}

/** Signs in, failing loudly; a password set by an admin is replaced by `replaceWith` first. Returns the session token. */
export async function signIn(base: string, login: string, password: string, replaceWith = `${password}!`): Promise<string> {
  const reply = await call(base, 'POST', '/api/auth/login', null, { login, password });
  if (reply.status !== 200 && reply.status !== 201) throw new Error(`login ${login}: ${reply.status} ${JSON.stringify(reply.body)}`);
  const session = sessionResponseSchema.parse(reply.body);
  if (!session.mustChangePassword) return session.token;
  const changed = await call(base, 'POST', '/api/auth/password', session.token, { currentPassword: password, newPassword: replaceWith });
  if (changed.status >= 300) throw new Error(`${login}: password change ${changed.status} ${JSON.stringify(changed.body)}`);
  return signIn(base, login, replaceWith);
}

/**
 * Takes over the first admin (replacing its one-time password with `password`) and creates `users`, who
 * each replace the password the admin gave them; returns every user's session token by login, the
 * admin's under `admin`.
 */
export async function setUpUsers(base: string, oneTimePassword: string, users: Omit<CreateUserRequest, 'password'>[], password = 'correct horse battery staple'): Promise<Record<string, string>> {
  const tokens: Record<string, string> = { admin: await signIn(base, 'admin', oneTimePassword, password) };
  for (const user of users) {
    const created = await call(base, 'POST', '/api/users', tokens.admin!, { ...user, password });
    if (created.status >= 300) throw new Error(`create ${user.login}: ${created.status} ${JSON.stringify(created.body)}`);
    tokens[user.login] = await signIn(base, user.login, password, `${password} (own)`);
  }
  return tokens;
}
