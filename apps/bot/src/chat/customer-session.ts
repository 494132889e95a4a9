import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import type { CustomerSession } from '@warroom/contracts';
import { Forbidden, Unauthorized } from '@warroom/nest-common';

/** A token names its format first, so a later one can be told apart. */
const PREFIX = 'cs1';

/** The session and customer a valid token binds. */
export interface CustomerBinding {
  sessionId: string;
  customerId: string;
}

/**
 * Customers' sessions bound by the channel (issue 17): the bot issues a token that names a fresh session
 * and customer and is signed (HMAC-SHA256) with the secret every bot of the deployment shares, so any bot
 * verifies what another issued, without state. `cs1.<base64url JSON {s, c, e}>.<base64url MAC>`.
 */
export class CustomerSessions {
  constructor(
    private readonly secret: string,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** A new session for a new customer. */
  issue(): CustomerSession {
    const sessionId = `cs-${randomUUID()}`;
    const customerId = `cc-${randomUUID()}`;
    const expiresAtMs = this.now() + this.ttlMs;
    const payload = Buffer.from(JSON.stringify({ s: sessionId, c: customerId, e: expiresAtMs })).toString('base64url');
    return { token: `${PREFIX}.${payload}.${this.mac(payload)}`, sessionId, customerId, expiresAt: new Date(expiresAtMs).toISOString() };
  }

  /** The binding of a token this deployment issued and that has not expired, else null. */
  verify(token: string | undefined): CustomerBinding | null {
    const [prefix, payload, mac, ...rest] = (token ?? '').split('.');
    if (prefix !== PREFIX || !payload || !mac || rest.length > 0) return null;
    const expected = Buffer.from(this.mac(payload));
    const presented = Buffer.from(mac);
    if (expected.length !== presented.length || !timingSafeEqual(expected, presented)) return null;
    let claims: unknown;
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      return null;
    }
    if (!isClaims(claims) || claims.e <= this.now()) return null;
    return { sessionId: claims.s, customerId: claims.c };
  }

  /**
   * What a customer's request may name: the session and customer of its token, and nothing else. Throws
   * `Unauthorized` without a valid token, `Forbidden` when the body names another session or customer.
   */
  bind(token: string | undefined, named: CustomerBinding): CustomerBinding {
    const binding = this.verify(token);
    if (!binding) {
      throw new Unauthorized('a customer session token is required: POST /api/chat/session issues one; send it as the x-warroom-session header');
    }
    if (named.sessionId !== binding.sessionId || named.customerId !== binding.customerId) {
      throw new Forbidden('sessionId and customerId are those of your session token');
    }
    return binding;
  }

  private mac(payload: string): string {
    return createHmac('sha256', this.secret).update(`${PREFIX}.${payload}`).digest('base64url');
  }
}

function isClaims(value: unknown): value is { s: string; c: string; e: number } {
  if (typeof value !== 'object' || value === null) return false;
  const claims = value as Record<string, unknown>;
  return typeof claims.s === 'string' && typeof claims.c === 'string' && typeof claims.e === 'number';
}
