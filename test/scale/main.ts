/**
 * test:scale — many processes of every app against the real dev broker and dev store (issue 20):
 *   1. 3 ingest processes in one consumer group while events flow, one of them killed (kill -9) and
 *      restarted 5 times; lost, duplicated and rollup mismatches counted in the store;
 *   2. 3 api processes with 3,000 walls spread over them: dropped walls, view computations per tick for the
 *      whole deployment (`GET /health/live-views` of every process), and two trainers on two processes
 *      claiming the same gap at the same moment, gap after gap;
 *   3. 2 bots (customers routed by session id) with agents accepting handoffs through the api processes, one
 *      bot killed (kill -9) while they work: the other adopts its waiting customers.
 *
 *   npm run -s test:scale -- --json          the full run
 *   npm run -s test:scale -- --ci --json     every phase, shorter (under 8 minutes)
 *   --seed N   replay a run's random choices; --only ingest|serving   one of the two systems (the other's
 *   counts stay null, so the run fails); --app-logs   the parts' output on stderr
 *
 * Progress goes to stderr. Last line of stdout:
 * {"ingestProcesses","rebalances","eventsProduced","lost","duplicated","rollupMismatches","apiProcesses",
 *  "clients","droppedClients","viewComputationsPerTick","gapClaimConflicts","botProcesses","handoffsLost"}
 * A count that could not be measured is null. The exit code is 1 when any expectation failed.
 */
import { parseArgs } from 'node:util';
import { mulberry32 } from '../../apps/sim/src/traffic';
import type { ScenarioContext } from '../chaos/scenario';
import { raceClaims } from './claims';
import { AGENTS, API_PROCESSES, BOT_PROCESSES, TRAINERS, startServingCluster } from './cluster';
import { handOff } from './handoffs';
import { INGEST_KILLS, INGEST_PROCESSES, ingestPhase } from './ingest-phase';
import { reportFailures, type ScaleReport } from './report';
import { VIEWS, watchViews } from './viewers';

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    ci: { type: 'boolean', default: false },
    seed: { type: 'string' },
    only: { type: 'string' },
    'app-logs': { type: 'boolean', default: false },
  },
});

const CLIENTS = 3_000;
/** What the CI form shortens: the measuring window, the number of gap races and of customers handed off. */
const SIZES = {
  full: { viewWindowMs: 60_000, gapRaces: 8, customers: 100, handoffTimeoutMs: 120_000 },
  ci: { viewWindowMs: 20_000, gapRaces: 3, customers: 30, handoffTimeoutMs: 45_000 },
} as const;

const log = (line: string): void => void process.stderr.write(`${line}\n`);
const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

async function main(): Promise<number> {
  const set = values.ci ? 'ci' : 'full';
  const sizes = SIZES[set];
  const seed = values.seed === undefined ? Date.now() % 1_000_000 : Number(values.seed);
  if (!Number.isInteger(seed)) throw new Error(`--seed must be an integer, got ${values.seed}`);
  const rng = mulberry32(seed);
  const runStarted = Date.now();
  log(`test:scale: ${set} form, seed ${seed}`);
  const report: ScaleReport = {
    ingestProcesses: INGEST_PROCESSES,
    rebalances: null,
    eventsProduced: null,
    lost: null,
    duplicated: null,
    rollupMismatches: null,
    apiProcesses: API_PROCESSES,
    clients: CLIENTS,
    droppedClients: null,
    viewComputationsPerTick: null,
    gapClaimConflicts: null,
    botProcesses: BOT_PROCESSES,
    handoffsLost: null,
  };
  const failures: string[] = [];
  const context = (phase: string): ScenarioContext => {
    const started = Date.now();
    return { set, rng, runId: `${seed}-${phase}`, appLogs: values['app-logs'], log: (line) => log(`[scale ${phase} +${seconds(Date.now() - started)}] ${line}`) };
  };
  // A phase that could not finish proves nothing: its counts stay null (a failure), and the run goes on.
  const attempt = async (phase: string, step: () => Promise<void>): Promise<void> => {
    try {
      await step();
    } catch (error) {
      log(`[scale ${phase}] crashed: ${(error as Error).stack ?? String(error)}`);
      failures.push(`${phase} crashed: ${(error as Error).message}`);
    }
  };

  const only = values.only;
  if (only !== undefined && only !== 'ingest' && only !== 'serving') throw new Error(`--only takes ingest or serving, got ${only}`);
  if (only !== 'serving') await attempt('ingest', async () => {
    const ingest = await ingestPhase(context('ingest'));
    Object.assign(report, {
      rebalances: ingest.rebalances,
      eventsProduced: ingest.eventsProduced,
      lost: ingest.lost,
      duplicated: ingest.duplicated,
      rollupMismatches: ingest.rollupMismatches,
    });
    failures.push(...ingest.failures);
  });

  const serving = context('serving');
  if (only !== 'ingest') await attempt('serving', async () => {
    const failuresBefore = failures.length;
    const cluster = await startServingCluster(serving);
    try {
      const tokenOf = (login: string): { login: string; token: string } => {
        const token = cluster.tokens[login];
        if (token === undefined) throw new Error(`no session for ${login}`);
        return { login, token };
      };
      await attempt('viewers', async () => {
        const viewers = await watchViews(cluster.apis, { clients: CLIENTS, windowMs: sizes.viewWindowMs, log: context('viewers').log });
        report.droppedClients = viewers.droppedClients;
        report.viewComputationsPerTick = viewers.viewComputationsPerTick;
        failures.push(...viewers.failures);
      });
      await attempt('claims', async () => {
        const [first, second] = TRAINERS;
        const claims = await raceClaims(cluster.system, cluster.apis, [tokenOf(first), tokenOf(second)], { gaps: sizes.gapRaces, runId: `${seed}`, log: context('claims').log });
        report.gapClaimConflicts = claims.gapClaimConflicts;
        failures.push(...claims.failures);
      });
      await attempt('handoffs', async () => {
        const handoffs = await handOff(cluster.apis, cluster.bots, AGENTS.map(tokenOf), {
          customers: sizes.customers,
          timeoutMs: sizes.handoffTimeoutMs,
          runId: `${seed}`,
          log: context('handoffs').log,
        });
        report.handoffsLost = handoffs.handoffsLost;
        failures.push(...handoffs.failures);
        // handoffsLost 0 says something only if a bot died holding customers.
        if (handoffs.botsKilled === 0) failures.push('handoffs: no bot was killed while agents worked');
      });
    } finally {
      if (failures.length > failuresBefore) serving.log(`what the parts said last:\n${cluster.explain()}`);
      await cluster.stop();
    }
  });

  failures.push(...reportFailures(report, { distinctViews: VIEWS.length, kills: INGEST_KILLS }));
  log(`test:scale: ${set} form took ${seconds(Date.now() - runStarted)}; ${failures.length === 0 ? 'passed' : `FAILED:\n  ${failures.join('\n  ')}`}`);
  if (!values.json) for (const [field, value] of Object.entries(report)) log(`  ${field}: ${value === null ? 'not measured' : value}`);
  process.stdout.write(`${JSON.stringify(report)}\n`);
  return failures.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    log(`test:scale: ${(error as Error).stack ?? String(error)}`);
    process.exit(1);
  },
);
