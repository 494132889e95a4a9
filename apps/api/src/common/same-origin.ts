import type { IncomingMessage } from 'node:http';

/**
 * Whether a WebSocket upgrade may proceed: a browser always sends `Origin`, and a page of another origin
 * (a visitor's site, a DNS-rebinding page) must not open a socket that the browser would carry a token to.
 * Without `Origin` the client is not a browser page (a kiosk app, a bench, a test), which the token check
 * alone governs. Compared with the request's own `Host`, so the same build works behind any address.
 */
export function isSameOriginOrNone(origin: string | undefined, host: string | undefined): boolean {
  if (origin === undefined) return true;
  if (host === undefined) return false;
  try {
    return new URL(origin).host === host.toLowerCase();
  } catch {
    return false;
  }
}

/** `verifyClient` of a ws server: refuses an upgrade from another origin with 403 before any token is read. */
export function refuseOtherOrigins(info: { req: IncomingMessage }, decide: (allowed: boolean, code?: number, message?: string) => void): void {
  if (isSameOriginOrNone(info.req.headers.origin, info.req.headers.host)) decide(true);
  else decide(false, 403, 'WebSocket from another origin');
}
