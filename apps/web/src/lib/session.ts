import { sessionResponseSchema, userSchema, type SessionResponse, type User } from '@warroom/contracts';
import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useState } from 'react';
import { z } from 'zod';
import { SESSION_REJECTED, apiRequest } from './api-client';

/** A signed-in user as this tab keeps them (sessionStorage: gone when the tab closes, never shared between tabs). */
const storedSessionSchema = z.strictObject({ token: z.string().min(1), expiresAt: z.string(), user: userSchema });
export type StoredSession = z.infer<typeof storedSessionSchema>;

const KEY = 'warroom.session';

export function loadSession(): StoredSession | null {
  const raw = window.sessionStorage.getItem(KEY);
  if (raw === null) return null;
  try {
    const parsed = storedSessionSchema.safeParse(JSON.parse(raw));
    if (parsed.success && Date.parse(parsed.data.expiresAt) > Date.now()) return parsed.data;
  } catch {
    // A damaged entry is the same as none: sign in again.
  }
  window.sessionStorage.removeItem(KEY);
  return null;
}

export function signIn(login: string, password: string): Promise<SessionResponse> {
  return apiRequest(null, 'POST', '/api/auth/login', sessionResponseSchema, { login, password });
}

export function changePassword(token: string, currentPassword: string, newPassword: string): Promise<SessionResponse> {
  return apiRequest(token, 'POST', '/api/auth/password', sessionResponseSchema, { currentPassword, newPassword });
}

/** The tab's session: null until signed in; `signOut` forgets it, and so does a 401 from the api. */
export function useSession(): { session: StoredSession | null; keep: (session: SessionResponse) => void; signOut: () => void } {
  const [session, setSession] = useState<StoredSession | null>(() => loadSession());
  const keep = useCallback((response: SessionResponse) => {
    const stored: StoredSession = { token: response.token, expiresAt: response.expiresAt, user: response.user };
    window.sessionStorage.setItem(KEY, JSON.stringify(stored));
    setSession(stored);
  }, []);
  const queryClient = useQueryClient();
  const signOut = useCallback(() => {
    window.sessionStorage.removeItem(KEY);
    setSession(null);
    // What this user read is not shown to whoever signs in next.
    queryClient.clear();
  }, [queryClient]);
  // A token the api no longer accepts: back to the sign-in form (drafts stay in the tab).
  useEffect(() => {
    window.addEventListener(SESSION_REJECTED, signOut);
    return () => window.removeEventListener(SESSION_REJECTED, signOut);
  }, [signOut]);
  return { session, keep, signOut };
}

export type { User };
