import { describe, expect, it } from 'vitest';
import {
  StaffingUsageError,
  formatStaffingSummary,
  parseStaffingArgs,
  requiredAgents,
  staffingCliResult,
  type StaffingCommand,
} from './index';

const base = ['--chats-per-hour', '200', '--aht-sec', '180', '--target-sl', '0.8', '--target-sec', '20'];

function plan(argv: string[]): Extract<StaffingCommand, { kind: 'plan' }> {
  const command = parseStaffingArgs(argv);
  if (command.kind !== 'plan') throw new Error('expected a plan');
  return command;
}

function usageError(argv: string[]): string {
  try {
    parseStaffingArgs(argv);
  } catch (error) {
    expect(error).toBeInstanceOf(StaffingUsageError);
    return (error as Error).message;
  }
  throw new Error(`no error for ${argv.join(' ')}`);
}

describe('parseStaffingArgs', () => {
  it('parses the required flags into textbook Erlang C (no optional flag)', () => {
    expect(parseStaffingArgs(base)).toEqual({
      kind: 'plan',
      workload: { chatsPerHour: 200, ahtSec: 180 },
      target: { serviceLevel: 0.8, withinSec: 20 },
      json: false,
    });
  });

  it('parses every optional flag, in any order, with --flag value or --flag=value', () => {
    const command = plan([
      '--json',
      '--patience-sec=90',
      ...base,
      '--concurrency',
      '3',
      '--shrinkage=0.35',
      '--max-occupancy',
      '.85',
    ]);
    expect(command).toEqual({
      kind: 'plan',
      workload: { chatsPerHour: 200, ahtSec: 180, concurrency: 3, patienceSec: 90 },
      target: { serviceLevel: 0.8, withinSec: 20, shrinkage: 0.35, maxOccupancy: 0.85 },
      json: true,
    });
    expect(plan(['--chats-per-hour', '1.2e3', ...base.slice(2)]).workload.chatsPerHour).toBe(1200);
  });

  it('returns help for --help or -h', () => {
    expect(parseStaffingArgs(['--help'])).toEqual({ kind: 'help' });
    expect(parseStaffingArgs([...base, '-h'])).toEqual({ kind: 'help' });
  });

  it('rejects a bad command line with a clear message', () => {
    expect(usageError([])).toBe('missing --chats-per-hour, --aht-sec, --target-sl, --target-sec');
    expect(usageError(base.slice(0, 4))).toBe('missing --target-sl, --target-sec');
    expect(usageError([...base, '--verbose'])).toBe('unknown flag --verbose');
    expect(usageError([...base, '--agents=3'])).toBe('unknown flag --agents');
    expect(usageError([...base, 'extra'])).toBe('unexpected argument "extra"');
    expect(usageError([...base, '--concurrency'])).toBe('--concurrency needs a value');
    expect(usageError(['--chats-per-hour', '--aht-sec', '180'])).toBe('--chats-per-hour needs a value');
    expect(usageError([...base, '--shrinkage', '30%'])).toBe('--shrinkage needs a number, got "30%"');
    expect(usageError([...base, '--shrinkage', ''])).toBe('--shrinkage needs a number, got ""');
    expect(usageError([...base, '--patience-sec', 'Infinity'])).toBe('--patience-sec needs a number, got "Infinity"');
    expect(usageError([...base, '--aht-sec', '60'])).toBe('--aht-sec given twice');
    expect(usageError([...base, '--json=yes'])).toBe('--json takes no value');
  });

  it('checks ranges with the library rules and names the flag', () => {
    const withValue = (flag: string, value: string): string[] => {
      const argv = [...base];
      const i = argv.indexOf(flag);
      if (i >= 0) argv[i + 1] = value;
      else argv.push(flag, value);
      return argv;
    };
    expect(usageError(withValue('--chats-per-hour', '0'))).toBe('--chats-per-hour must be a positive finite number, got 0');
    expect(usageError(withValue('--aht-sec', '-180'))).toBe('--aht-sec must be a positive finite number, got -180');
    expect(usageError(withValue('--target-sl', '80'))).toBe('--target-sl must be a fraction in (0, 1) (e.g. 0.8 for 80 %), got 80');
    expect(usageError(withValue('--target-sec', '-1'))).toBe('--target-sec must be a finite number ≥ 0, got -1');
    expect(usageError(withValue('--concurrency', '2.5'))).toBe('--concurrency must be an integer ≥ 1, got 2.5');
    expect(usageError(withValue('--concurrency', '0'))).toBe('--concurrency must be an integer ≥ 1, got 0');
    expect(usageError(withValue('--shrinkage', '1'))).toMatch(/^--shrinkage must be a fraction in \[0, 1\)/);
    expect(usageError(withValue('--max-occupancy', '1.2'))).toMatch(/^--max-occupancy must be a fraction in \(0, 1\]/);
    expect(usageError(withValue('--patience-sec', '0'))).toBe('--patience-sec must be a positive finite number, got 0');
    expect(plan(withValue('--target-sec', '0')).target.withinSec).toBe(0);
  });
});

describe('CLI output', () => {
  it('prints exactly the five result keys; abandonRate is null without a patience', () => {
    const command = plan(base);
    const result = staffingCliResult(requiredAgents(command.workload, command.target));
    expect(Object.keys(result)).toEqual(['agents', 'serviceLevel', 'asa', 'occupancy', 'abandonRate']);
    expect(result.agents).toBe(14);
    expect(result.abandonRate).toBeNull();
    expect(result.occupancy).toBeCloseTo(10 / 14, 6);

    const impatient = plan([...base, '--patience-sec', '60', '--shrinkage', '0.3']);
    const withAbandons = staffingCliResult(requiredAgents(impatient.workload, impatient.target));
    expect(typeof withAbandons.abandonRate).toBe('number');
    const onChat = requiredAgents(impatient.workload, impatient.target).agentsNeeded;
    expect(withAbandons.agents).toBe(Math.ceil(onChat / 0.7));
  });

  it('summarises for a person', () => {
    const command = plan([...base, '--shrinkage', '0.3', '--patience-sec', '60']);
    const text = formatStaffingSummary(requiredAgents(command.workload, command.target), command.workload, command.target);
    expect(text).toMatch(/^Erlang A \(mean patience 60 s\): 200 chats\/h × AHT 180 s = 10\.00 Erlangs/);
    expect(text).toMatch(/agents to schedule: \d+ \(\d+ on chat \+ 30\.0 % shrinkage\)/);
    expect(text).toMatch(/answered within 20 s \(target 80\.0 %\)/);
    expect(text).toMatch(/abandons: \d+\.\d % of offered chats/);
  });
});
