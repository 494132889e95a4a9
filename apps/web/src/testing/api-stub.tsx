import { QueryClientProvider } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { vi } from 'vitest';
import { createQueryClient } from '../lib/react-query';

/** What a stubbed route answers: a status and a JSON body. */
export interface StubAnswer {
  status: number;
  body: unknown;
}

type Route = (request: { url: URL; body: unknown }) => StubAnswer;

/**
 * Stands in for the api: `routes` maps `METHOD /path` (no query) to an answer; every call is kept in
 * `calls`, and an unknown route answers 404 (as the api does), so a test sees every request the screen made.
 */
export function stubApi(routes: Record<string, Route>): { calls: { method: string; path: string; body: unknown }[] } {
  const calls: { method: string; path: string; body: unknown }[] = [];
  // The web app calls fetch with a path on its own origin.
  const fetchStub = vi.fn((path: string, init?: RequestInit) => {
    const url = new URL(path, 'http://warroom.test');
    const method = init?.method ?? 'GET';
    const body: unknown = typeof init?.body === 'string' ? JSON.parse(init.body) : undefined;
    calls.push({ method, path: url.pathname, body });
    const route = routes[`${method} ${url.pathname}`];
    const answer = route ? route({ url, body }) : { status: 404, body: { statusCode: 404, message: `no route ${method} ${url.pathname}` } };
    return Promise.resolve(new Response(JSON.stringify(answer.body), { status: answer.status, headers: { 'content-type': 'application/json' } }));
  });
  vi.stubGlobal('fetch', fetchStub);
  return { calls };
}

/** A fresh query client around what a test renders, as the app's root provides one. */
export function withQueryClient(): ({ children }: { children: ReactNode }) => ReactNode {
  const client = createQueryClient();
  return function Wrapper({ children }: { children: ReactNode }) {
    return <QueryClientProvider client={client}>{children}</QueryClientProvider>;
  };
}
