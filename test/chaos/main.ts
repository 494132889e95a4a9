/**
 * test:chaos — faults, floods and poison input against the real dev broker and dev store, with ingest,
 * the api and the bot as real processes; every loss, duplicate and rollup mismatch counted in the store.
 *
 *   npm run -s test:chaos -- --json          the full set (the issue's numbers: 10 kills, 60 s and 30 s pauses, 10,000 hostile events)
 *   npm run -s test:chaos -- --ci --json     the CI set: every scenario, shorter pauses and fewer kills (under 8 minutes)
 *   --only NAME[,NAME]   run some scenarios; --seed N   replay a run's random choices; --app-logs   the parts' output on stderr
 *
 * Progress goes to stderr. Last line of stdout:
 * {"scenarios","eventsProduced","lost","duplicated","rollupMismatches","failedScenarios","maxBadDataStallMs"}
 * The exit code is 1 when any scenario failed.
 */
import { parseArgs } from 'node:util';
import { mulberry32 } from '../../apps/sim/src/traffic';
import { summarise, type ScenarioResult } from './report';
import type { Scenario } from './scenario';
import { restarts } from './scenarios/api-restart';
import { botKills } from './scenarios/bot-kills';
import { brokerPause } from './scenarios/broker-pause';
import { hostileInput } from './scenarios/hostile-input';
import { ingestKills } from './scenarios/ingest-kills';
import { storePause } from './scenarios/store-pause';

const SCENARIOS: readonly Scenario[] = [ingestKills, storePause, brokerPause, botKills, restarts, hostileInput];

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    ci: { type: 'boolean', default: false },
    full: { type: 'boolean', default: false },
    only: { type: 'string' },
    seed: { type: 'string' },
    'app-logs': { type: 'boolean', default: false },
  },
});

const log = (line: string): void => void process.stderr.write(`${line}\n`);
const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

function chosenScenarios(): readonly Scenario[] {
  if (values.only === undefined) return SCENARIOS;
  const names = values.only.split(',').map((name) => name.trim());
  const unknown = names.filter((name) => !SCENARIOS.some((scenario) => scenario.name === name));
  if (unknown.length > 0) throw new Error(`unknown scenario ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.name).join(', ')}`);
  return SCENARIOS.filter((scenario) => names.includes(scenario.name));
}

async function main(): Promise<number> {
  if (values.ci && values.full) throw new Error('--ci and --full exclude each other');
  const set = values.ci ? 'ci' : 'full';
  const seed = values.seed === undefined ? Date.now() % 1_000_000 : Number(values.seed);
  if (!Number.isInteger(seed)) throw new Error(`--seed must be an integer, got ${values.seed}`);
  const rng = mulberry32(seed);
  const runStarted = Date.now();
  log(`test:chaos: ${set} set, seed ${seed}`);
  const results: ScenarioResult[] = [];
  for (const scenario of chosenScenarios()) {
    const started = Date.now();
    const progress = (phase: string): void => log(`[chaos ${scenario.name} +${seconds(Date.now() - started)}] ${phase}`);
    progress('start');
    try {
      const outcome = await scenario.run({ set, rng, runId: `${seed}-${scenario.name}`, appLogs: values['app-logs'], log: progress });
      results.push({ name: scenario.name, durationMs: Date.now() - started, ...outcome });
    } catch (error) {
      // A scenario that could not finish proves nothing: it fails, and the run goes on to the next one.
      progress(`crashed: ${(error as Error).stack ?? String(error)}`);
      results.push({
        name: scenario.name,
        durationMs: Date.now() - started,
        eventsProduced: 0,
        lost: 0,
        duplicated: 0,
        rollupMismatches: 0,
        badDataStallMs: null,
        failures: [`crashed: ${(error as Error).message}`],
      });
    }
    const result = results[results.length - 1]!;
    progress(result.failures.length === 0 ? `passed in ${seconds(result.durationMs)}` : `FAILED in ${seconds(result.durationMs)}:\n  ${result.failures.join('\n  ')}`);
  }
  const summary = summarise(results);
  log(`test:chaos: ${set} set took ${seconds(Date.now() - runStarted)}, ${summary.failedScenarios.length} of ${summary.scenarios} scenarios failed`);
  if (!values.json) for (const result of results) log(`  ${result.failures.length === 0 ? 'ok  ' : 'FAIL'} ${result.name} (${seconds(result.durationMs)})`);
  process.stdout.write(`${JSON.stringify(summary)}\n`);
  return summary.failedScenarios.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    log(`test:chaos: ${(error as Error).stack ?? String(error)}`);
    process.exit(1);
  },
);
