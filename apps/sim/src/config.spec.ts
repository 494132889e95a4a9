import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadProfile, parseSimConfig, resolveSetup, settingsFromArgs } from './config';

const BOT = { SIM_BOT_URL: 'http://127.0.0.1:3100' };

function problems(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('sim settings', () => {
  it('lays flags over the environment and parses them once', () => {
    const { settings, help } = settingsFromArgs(['--profile', 'double11', '--minutes', '2', '--speed', '60', '--json'], { ...BOT, SIM_SPEED: '5', PATH: '/bin' });
    expect(help).toBe(false);
    expect(settings).toEqual({ ...BOT, SIM_PROFILE: 'double11', SIM_MINUTES: '2', SIM_SPEED: '60', SIM_JSON: 'true' });
    const env = parseSimConfig(settings);
    expect(env).toMatchObject({ SIM_SPEED: 60, SIM_MINUTES: 2, SIM_JSON: true, SIM_LOOP: false, SIM_SOURCE: 'rehearsal' });
    const setup = resolveSetup(env, loadProfile(env.SIM_PROFILE).profile);
    expect(setup).toMatchObject({ speed: 60, realMinutes: 2, fromMinute: 0, shops: ['demo-electronics', 'demo-home'] });
  });

  it('rejects unknown flags and bad values with clear messages', () => {
    expect(problems(() => settingsFromArgs(['--speeed', '3'], BOT))[0]).toMatch(/Unknown option '--speeed'.*--help/);
    expect(problems(() => settingsFromArgs(['extra'], BOT))[0]).toMatch(/positional/);
    const bad = problems(() => parseSimConfig({ SIM_SPEED: 'fast', SIM_SOURCE: 'replay', SIM_SHOPS: 'a b' }));
    expect(bad.join('\n')).toMatch(/SIM_BOT_URL/);
    expect(bad.join('\n')).toMatch(/SIM_SPEED/);
    expect(bad.join('\n')).toMatch(/SIM_SOURCE/);
    expect(bad.join('\n')).toMatch(/SIM_SHOPS/);
  });

  it('starts at a clock time of the curve, loops without an end', () => {
    const { profile } = loadProfile('double11');
    const env = parseSimConfig({ ...BOT, SIM_FROM: '23:55', SIM_LOOP: 'true' });
    expect(resolveSetup(env, profile)).toMatchObject({ fromMinute: 55, loop: true, realMinutes: null });
    expect(problems(() => resolveSetup(parseSimConfig({ ...BOT, SIM_FROM: '5000' }), profile))[0]).toMatch(/SIM_FROM/);
  });

  it('names the file and path of every problem in a profile', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-profile-'));
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ ...loadProfile('double11').profile, speed: -1, stageMix: { pre_sale: 0.5, in_sale: 0.2, after_sale: 0.2 } }));
    const found = problems(() => loadProfile(file));
    expect(found.some((problem) => problem.includes(file) && problem.includes('speed'))).toBe(true);
    expect(found.some((problem) => problem.includes('stageMix') && problem.includes('add up to 1'))).toBe(true);
    expect(problems(() => loadProfile('no-such-profile'))[0]).toMatch(/no profile file/);
    expect(problems(() => loadProfile('../etc'))[0]).toMatch(/no profile file/);
  });
});

describe('parseSimConfig', () => {
  it('needs the bot URL and reads booleans and numbers from strings', () => {
    expect(() => parseSimConfig({})).toThrow(ConfigError);
    const env = parseSimConfig({ SIM_BOT_URL: 'http://127.0.0.1:3100', SIM_LOOP: '1', SIM_BASE_RATE: '7.5', SIM_SHOPS: 'a, b' });
    expect(env).toMatchObject({ SIM_LOOP: true, SIM_JSON: false, SIM_BASE_RATE: 7.5, SIM_SHOPS: ['a', 'b'], SIM_PROFILE: 'double11', SIM_SEED: 1111 });
  });
});
