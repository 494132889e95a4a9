import { createHmac, timingSafeEqual } from 'node:crypto';
import { gradeSchema, roleSchema, type User } from '@warroom/contracts';
import { z } from 'zod';

/**
 * Session tokens: `v1.<payload>.<signature>`, both parts base64url; the signature is HMAC-SHA256 with the
 * server's secret over `v1.<payload>`. Stateless, so every api process verifies without a lookup; what a
 * signature cannot know (a user disabled or changed since) the guard checks against the user store.
 */

const VERSION = 'v1';

/** What a token carries; short names keep it compact in headers (`Authorization`, the `/live` subprotocol). */
const claimsSchema = z.strictObject({
  /** User id. */
  sub: z.string().min(1).max(64),
  login: z.string().min(1).max(64),
  role: roleSchema,
  grade: gradeSchema.nullable(),
  /** Issued with a one-time password: only the password change is allowed. */
  mcp: z.boolean(),
  /** Fingerprint of the password hash it was issued under: a password change ends older sessions. */
  pwd: z.string().min(1).max(64),
  /** Issued at and expires at, Unix seconds. */
  iat: z.number().int().nonnegative(),
  exp: z.number().int().positive(),
});
export type SessionClaims = z.infer<typeof claimsSchema>;

export type TokenRejection = 'malformed' | 'bad-signature' | 'expired';
export type TokenCheck = { ok: true; claims: SessionClaims } | { ok: false; reason: TokenRejection };

/** What a session is opened with besides the user. */
export interface SessionFacts {
  mustChangePassword: boolean;
  passwordFingerprint: string;
}

export interface IssuedToken {
  token: string;
  expiresAt: Date;
}

export class SessionTokens {
  private readonly secret: Buffer;

  constructor(secret: string, private readonly ttlMinutes: number) {
    // The config already refuses shorter secrets; this guards direct construction (tests, scripts).
    if (secret.length < 32) throw new Error('A session secret has at least 32 characters');
    this.secret = Buffer.from(secret, 'utf8');
  }

  issue(user: Pick<User, 'userId' | 'login' | 'role' | 'grade'>, session: SessionFacts, now = new Date()): IssuedToken {
    const iat = Math.floor(now.getTime() / 1000);
    const exp = iat + this.ttlMinutes * 60;
    const claims: SessionClaims = {
      sub: user.userId,
      login: user.login,
      role: user.role,
      grade: user.grade,
      mcp: session.mustChangePassword,
      pwd: session.passwordFingerprint,
      iat,
      exp,
    };
    const signed = `${VERSION}.${Buffer.from(JSON.stringify(claims), 'utf8').toString('base64url')}`;
    return { token: `${signed}.${this.sign(signed).toString('base64url')}`, expiresAt: new Date(exp * 1000) };
  }

  verify(token: string, now = new Date()): TokenCheck {
    const parts = token.split('.');
    if (parts.length !== 3 || parts[0] !== VERSION) return { ok: false, reason: 'malformed' };
    const [, payload, signature] = parts as [string, string, string];
    const presented = Buffer.from(signature, 'base64url');
    const expected = this.sign(`${VERSION}.${payload}`);
    // Constant time, so response timing reveals nothing about how much of a forged signature was right.
    if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) {
      return { ok: false, reason: 'bad-signature' };
    }
    let decoded: unknown;
    try {
      decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      // Only a holder of the secret could have signed this: a bug of ours, reported as malformed.
      return { ok: false, reason: 'malformed' };
    }
    const claims = claimsSchema.safeParse(decoded);
    if (!claims.success) return { ok: false, reason: 'malformed' };
    if (claims.data.exp * 1000 <= now.getTime()) return { ok: false, reason: 'expired' };
    return { ok: true, claims: claims.data };
  }

  private sign(text: string): Buffer {
    return createHmac('sha256', this.secret).update(text, 'utf8').digest();
  }
}
