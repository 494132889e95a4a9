/**
 * The pure half of `npm run staffing` (scripts/staffing.ts does the I/O): argument parsing, the JSON
 * result line and the human summary. Kept here so it is unit-tested with the formulas.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
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

/** Each numeric flag (its name without `--`) and the library field it feeds, so a validation error names the flag. */
const FIELD_OF = {
  'chats-per-hour': 'chatsPerHour',
  'aht-sec': 'ahtSec',
  'target-sl': 'serviceLevel',
  'target-sec': 'withinSec',
  concurrency: 'concurrency',
  shrinkage: 'shrinkage',
  'max-occupancy': 'maxOccupancy',
  'patience-sec': 'patienceSec',
} as const;
type NumericFlag = keyof typeof FIELD_OF;

const REQUIRED: readonly NumericFlag[] = ['chats-per-hour', 'aht-sec', 'target-sl', 'target-sec'];

const OPTIONS = {
  'chats-per-hour': { type: 'string' },
  'aht-sec': { type: 'string' },
  'target-sl': { type: 'string' },
  'target-sec': { type: 'string' },
  concurrency: { type: 'string' },
  shrinkage: { type: 'string' },
  'max-occupancy': { type: 'string' },
  'patience-sec': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} satisfies ParseArgsConfig['options'] & Record<NumericFlag, { type: 'string' }>;

function isNumericFlag(name: string): name is NumericFlag {
  return Object.hasOwn(FIELD_OF, name);
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
 *
 * `parseArgs` runs non-strict and hands back its tokens, which are read in order here: the first problem
 * on the line is the one reported, in this tool's words rather than node's.
 */
export function parseStaffingArgs(argv: readonly string[]): StaffingCommand {
  const { tokens } = parseArgs({ args: [...argv], options: OPTIONS, strict: false, allowPositionals: true, tokens: true });
  const values = new Map<NumericFlag, number>();
  let json = false;
  for (const token of tokens) {
    if (token.kind === 'positional') throw new StaffingUsageError(`unexpected argument ${JSON.stringify(token.value)}`);
    if (token.kind === 'option-terminator') throw new StaffingUsageError('unknown flag --');
    if (token.name === 'help' && token.value === undefined) return { kind: 'help' };
    if (token.name === 'json') {
      if (token.value !== undefined) throw new StaffingUsageError('--json takes no value');
      json = true;
      continue;
    }
    const flag = token.rawName;
    if (!isNumericFlag(token.name)) throw new StaffingUsageError(`unknown flag ${flag}`);
    // parseArgs takes the next argument as the value even when it is the next flag.
    if (token.value === undefined || (!token.inlineValue && token.value.startsWith('--') && token.value.length > 2)) {
      throw new StaffingUsageError(`${flag} needs a value`);
    }
    if (values.has(token.name)) throw new StaffingUsageError(`${flag} given twice`);
    values.set(token.name, parseNumber(flag, token.value));
  }

  const missing = REQUIRED.filter((flag) => !values.has(flag));
  if (missing.length > 0) throw new StaffingUsageError(`missing ${missing.map((flag) => `--${flag}`).join(', ')}`);

  const workload: Workload = {
    chatsPerHour: values.get('chats-per-hour') ?? NaN,
    ahtSec: values.get('aht-sec') ?? NaN,
  };
  const concurrency = values.get('concurrency');
  if (concurrency !== undefined) workload.concurrency = concurrency;
  const patienceSec = values.get('patience-sec');
  if (patienceSec !== undefined) workload.patienceSec = patienceSec;
  const target: StaffingTarget = {
    serviceLevel: values.get('target-sl') ?? NaN,
    withinSec: values.get('target-sec') ?? NaN,
  };
  const shrinkage = values.get('shrinkage');
  if (shrinkage !== undefined) target.shrinkage = shrinkage;
  const maxOccupancy = values.get('max-occupancy');
  if (maxOccupancy !== undefined) target.maxOccupancy = maxOccupancy;

  try {
    validateWorkload(workload);
    validateTarget(target, workload);
  } catch (error) {
    if (error instanceof StaffingInputError) {
      const flag = (Object.keys(FIELD_OF) as NumericFlag[]).find((name) => FIELD_OF[name] === error.field);
      throw new StaffingUsageError(`${flag === undefined ? error.field : `--${flag}`} ${error.requirement}, got ${String(error.value)}`);
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
