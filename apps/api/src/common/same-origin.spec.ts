import { describe, expect, it } from 'vitest';
import { isSameOriginOrNone } from './same-origin';

describe('isSameOriginOrNone', () => {
  it('lets the page of the same origin and a client that is no browser page open a socket', () => {
    expect(isSameOriginOrNone('http://127.0.0.1:3000', '127.0.0.1:3000')).toBe(true);
    expect(isSameOriginOrNone('https://warroom.example.com', 'WARROOM.example.com')).toBe(true);
    expect(isSameOriginOrNone(undefined, '127.0.0.1:3000')).toBe(true);
  });

  it('refuses another origin, another port, a rebinding name and nonsense', () => {
    expect(isSameOriginOrNone('http://evil.example', '127.0.0.1:3000')).toBe(false);
    expect(isSameOriginOrNone('http://127.0.0.1:8080', '127.0.0.1:3000')).toBe(false);
    expect(isSameOriginOrNone('http://rebind.example:3000', '127.0.0.1:3000')).toBe(false);
    expect(isSameOriginOrNone('null', '127.0.0.1:3000')).toBe(false);
    expect(isSameOriginOrNone('http://127.0.0.1:3000', undefined)).toBe(false);
  });
});
