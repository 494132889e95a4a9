import { describe, expect, it } from 'vitest';
import { parseTopology, SINGLE_PROCESS } from './topology';

describe('parseTopology', () => {
  it('is one process of each app without flags', () => {
    expect(parseTopology([])).toEqual(SINGLE_PROCESS);
    expect(SINGLE_PROCESS).toEqual({ ingest: 1, api: 1, bot: 1 });
  });

  it('reads each app count, as separate or inline values', () => {
    expect(parseTopology(['--ingest', '3', '--api', '2', '--bot', '2'])).toEqual({ ingest: 3, api: 2, bot: 2 });
    expect(parseTopology(['--bot=4'])).toEqual({ ingest: 1, api: 1, bot: 4 });
  });

  it('refuses unknown flags and counts that are not 1 to 8', () => {
    expect(() => parseTopology(['--workers', '2'])).toThrow(/unknown option --workers/);
    expect(() => parseTopology(['--api'])).toThrow(/--api takes .* not nothing/);
    expect(() => parseTopology(['--api', '0'])).toThrow(/--api takes/);
    expect(() => parseTopology(['--ingest', '2.5'])).toThrow(/--ingest takes/);
    expect(() => parseTopology(['--bot', '9'])).toThrow(/from 1 to 8/);
  });
});
