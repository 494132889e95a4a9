/**
 * The pure half of `npm run staffing` (scripts/staffing.ts does the I/O): argument parsing, the JSON
 * result line and the human summary. Kept here so it is unit-tested with the formulas.
 */
import { validateTarget, validateWorkload, type StaffingPlan, type StaffingTarget, type Workload } from './staffing';
import { StaffingInputError } from './validate';

export const STAFFING_USAGE = `usage: npm run -s staffing -- --chats-per-hour N --aht-sec S --target-sl 0.8 --target-sec 20
         [--concurrency C] [--shrinkage R] [--max-occupancy O] [--patience-sec P] [--json]

  --chats-per-hour N   offered chats per hour in the interval (> 0)
  --aht-sec S          mean handle time of one chat, seconds (> 0)
  --target-sl F        share answered within --target-sec, a fraction in (0, 1)
  --target-sec T       service-level threshold, seconds (≥ 0)
  --concurrency C      chats one agent handles at once, integer ≥ 1 (default 1; modelled as C slots per agent)
  --shrinkage R        share of scheduled time off chat, in [0, 1) (default 0)
  --max-occupancy O    occupancy cap, in (0, 1] (default 1: no cap)
  --patience-sec P     mean patience of a waiting customer, seconds: Erlang A with abandons (default: Erlang C)
  --json               print {"agents","serviceLevel","asa","occupancy","abandonRate"} as the last line
`;

/** A bad command line: the script prints the message and the usage and exits with code 2. */
export class StaffingUsageError extends Error {
  override readonly name = 'StaffingUsageError';
}

export type StaffingCommand =
  | { kind: 'help' }
  | { kind: 'plan'; workload: Workload; target: StaffingTarget; json: boolean };

type NumericFlag =
  | '--chats-per-hour'
  | '--aht-sec'
  | '--target-sl'
  | '--target-sec'
  | '--concurrency'
  | '--shrinkage'
  | '--max-occupancy'
  | '--patience-sec';

/** Each numeric flag and the library field it feeds, so a library validation error names the flag. */
const FIELD_OF: Record<NumericFlag, string> = {
  '--chats-per-hour': 'chatsPerHour',
  '--aht-sec': 'ahtSec',
  '--target-sl': 'serviceLevel',
  '--target-sec': 'withinSec',
  '--concurrency': 'concurrency',
  '--shrinkage': 'shrinkage',
  '--max-occupancy': 'maxOccupancy',
  '--patience-sec': 'patienceSec',
};

const REQUIRED: readonly NumericFlag[] = ['--chats-per-hour', '--aht-sec', '--target-sl', '--target-sec'];

function isNumericFlag(flag: string): flag is NumericFlag {
  return Object.hasOwn(FIELD_OF, flag);
}

/** A decimal number as written on a command line; rejects '', '0x10', '1e', 'Infinity', '12abc'. */
function parseNumber(flag: string, raw: string): number {
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(raw.trim())) {
    throw new StaffingUsageError(`${flag} needs a number, got ${JSON.stringify(raw)}`);
  }
  return Number(raw);
}

/**
 * Parses the arguments after `--`. Accepts `--flag value` and `--flag=value`; every value is checked
 * with the library's own validation, and errors name the flag. Throws {@link StaffingUsageError}.
 */
export function parseStaffingArgs(argv: readonly string[]): StaffingCommand {
  const values = new Map<NumericFlag, number>();
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--help' || arg === '-h') return { kind: 'help' };
    const eq = arg.indexOf('=');
    const flag = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    if (flag === '--json') {
      if (eq > 0) throw new StaffingUsageError('--json takes no value');
      json = true;
      continue;
    }
    if (!isNumericFlag(flag)) {
      throw new StaffingUsageError(
        arg.startsWith('-') ? `unknown flag ${flag}` : `unexpected argument ${JSON.stringify(arg)}`,
      );
    }
    let raw: string | undefined;
    if (eq > 0 && flag !== arg) {
      raw = arg.slice(eq + 1);
    } else {
      raw = argv[i + 1];
      if (raw === undefined || (raw.startsWith('--') && raw.length > 2)) {
        throw new StaffingUsageError(`${flag} needs a value`);
      }
      i++;
    }
    if (values.has(flag)) throw new StaffingUsageError(`${flag} given twice`);
    values.set(flag, parseNumber(flag, raw));
  }

  const missing = REQUIRED.filter((flag) => !values.has(flag));
  if (missing.length > 0) throw new StaffingUsageError(`missing ${missing.join(', ')}`);

  const workload: Workload = {
    chatsPerHour: values.get('--chats-per-hour') ?? NaN,
    ahtSec: values.get('--aht-sec') ?? NaN,
  };
  const concurrency = values.get('--concurrency');
  if (concurrency !== undefined) workload.concurrency = concurrency;
  const patienceSec = values.get('--patience-sec');
  if (patienceSec !== undefined) workload.patienceSec = patienceSec;
  const target: StaffingTarget = {
    serviceLevel: values.get('--target-sl') ?? NaN,
    withinSec: values.get('--target-sec') ?? NaN,
  };
  const shrinkage = values.get('--shrinkage');
  if (shrinkage !== undefined) target.shrinkage = shrinkage;
  const maxOccupancy = values.get('--max-occupancy');
  if (maxOccupancy !== undefined) target.maxOccupancy = maxOccupancy;

  try {
    validateWorkload(workload);
    validateTarget(target, workload);
  } catch (error) {
    if (error instanceof StaffingInputError) {
      const flag = (Object.keys(FIELD_OF) as NumericFlag[]).find((f) => FIELD_OF[f] === error.field);
      throw new StaffingUsageError(`${flag ?? error.field} ${error.requirement}, got ${String(error.value)}`);
    }
    throw error;
  }
  return { kind: 'plan', workload, target, json };
}

/** The `--json` result line. `asa` in seconds, `abandonRate` null under Erlang C. */
export interface StaffingCliResult {
  agents: number;
  serviceLevel: number;
  asa: number;
  occupancy: number;
  abandonRate: number | null;
}

const round = (value: number, digits: number): number => {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
};

/** `agents` is the headcount to schedule (after shrinkage); the other figures are those of the agents on chat. */
export function staffingCliResult(plan: StaffingPlan): StaffingCliResult {
  const p = plan.performance;
  return {
    agents: plan.agentsScheduled,
    serviceLevel: round(p.serviceLevel, 6),
    asa: round(p.asaSec, 3),
    occupancy: round(p.occupancy, 6),
    abandonRate: p.abandonRate === null ? null : round(p.abandonRate, 6),
  };
}

const pct = (fraction: number): string => `${(fraction * 100).toFixed(1)} %`;

/** A few lines for a person. */
export function formatStaffingSummary(plan: StaffingPlan, workload: Workload, target: StaffingTarget): string {
  const p = plan.performance;
  const concurrency = workload.concurrency ?? 1;
  const model =
    p.model === 'erlang-a' ? `Erlang A (mean patience ${workload.patienceSec ?? 0} s)` : 'Erlang C (no abandons)';
  const lines = [
    `${model}: ${workload.chatsPerHour} chats/h × AHT ${workload.ahtSec} s = ${p.trafficErlangs.toFixed(2)} Erlangs` +
      (concurrency > 1 ? `, ${concurrency} chats per agent` : ''),
    `agents to schedule: ${plan.agentsScheduled}` +
      (plan.shrinkage > 0 ? ` (${plan.agentsNeeded} on chat + ${pct(plan.shrinkage)} shrinkage)` : ''),
    `service level: ${pct(p.serviceLevel)} answered within ${target.withinSec} s (target ${pct(target.serviceLevel)})`,
    `ASA: ${p.asaSec.toFixed(1)} s · P(wait): ${pct(p.probWait)} · occupancy: ${pct(p.occupancy)}` +
      (target.maxOccupancy !== undefined && target.maxOccupancy < 1 ? ` (cap ${pct(target.maxOccupancy)})` : ''),
  ];
  if (p.abandonRate !== null) lines.push(`abandons: ${pct(p.abandonRate)} of offered chats`);
  return `${lines.join('\n')}\n`;
}
