import { describe, expect, it } from 'vitest';
import { encodeFrame } from './frames';

describe('encodeFrame', () => {
  it('refuses a frame its contract would refuse', () => {
    expect(() => encodeFrame('heartbeat', { asOf: 'yesterday', serverTime: new Date().toISOString() })).toThrow();
  });
});
