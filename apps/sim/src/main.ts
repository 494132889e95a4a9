/**
 * The rehearsal simulator: customers talking to the real bot over HTTP (`POST /api/chat`, keep-alive),
 * on the traffic curve of a profile, so every rehearsal exercises the whole loop (bot → Kafka → ingest →
 * ClickHouse → api → wall). See `npm run -s sim -- --help`.
 *
 * stderr: a JSON ready line (for launchers), then the progress display. stdout: the summary; with
 * --json, a report line and, last, {"questions","answered","unmatched","handoffs","peakPerSec"}.
 * Exit 0; 1 when the bot cannot be reached or more than 1 % of requests failed; 2 on bad settings.
 *
 * With --replay-from/--replay-to it replays instead: the questions of that range, read through the api,
 * asked again at --speed× their pace (replay.ts); the last stdout line is then the ReplaySummary.
 */
import { randomBytes } from 'node:crypto';
import type { ReplaySummary, SimReady, SimReport, SimSummary } from '@warroom/contracts';
import { HttpBotClient, type BotApi } from './bot-client';
import { CatalogError, loadCatalog } from './catalog';
import {
  ConfigError,
  loadProfile,
  parseSimConfig,
  replayProblems,
  resolveSetup,
  settingsFromArgs,
  USAGE,
  withFlagNames,
  type SimEnv,
  type SimSetup,
} from './config';
import { BuiltInConversations, type ConversationSource } from './conversation';
import { compileCurve } from './curve';
import { ProgressDisplay } from './progress';
import { Rehearsal, systemClock } from './rehearsal';
import { rosterByQuarterHour } from './agents';
import { HttpApiClient, HttpTrainerDesk } from './api-client';
import { SimulatedTrainers } from './trainers';
import { CampaignReplay } from './replay';
import { CorpusError, ReplayConversations, loadChatSample } from './chat-sample';
import { OutreachInbox } from './outreach-inbox';
import { mulberry32 } from './traffic';

const BOT_WAIT_MS = 30_000;
const REPLAY_PAGE_SIZE = 2_000;
/** A trainer's preview replays up to 5,000 questions through the bot between its customers' questions. */
const TRAINER_TIMEOUT_MS = 60_000;
/** A looping rehearsal registers this much roster ahead. */
const LOOP_ROSTER_HOURS = 12;

interface Prepared {
  setup: SimSetup;
  profileName: string;
  corpus: ConversationSource;
  corpusKind: SimReady['corpus'];
  rng: () => number;
}

function prepare(): Prepared | 'help' | { replay: SimEnv } {
  const { help, settings } = settingsFromArgs(process.argv.slice(2), process.env);
  if (help) return 'help';
  const env = parseSimConfig(settings);
  const problems = replayProblems(env);
  if (problems.length > 0) throw new ConfigError(problems);
  if (env.SIM_REPLAY_FROM !== undefined) return { replay: env };
  const { profile } = loadProfile(env.SIM_PROFILE);
  const setup = resolveSetup(env, profile);
  const rng = mulberry32(env.SIM_SEED);
  const catalog = loadCatalog(env.SIM_PACK_DIR, setup.shops);
  if (env.SIM_CORPUS !== undefined) {
    const { sessions } = loadChatSample(env.SIM_CORPUS);
    return { setup, profileName: profile.name, corpus: new ReplayConversations(sessions, profile, catalog, rng), corpusKind: 'replay', rng };
  }
  return { setup, profileName: profile.name, corpus: new BuiltInConversations(profile, catalog, rng), corpusKind: 'built-in', rng };
}

/** Waits for the bot's /health; checks that it answers for every shop the customers write to. */
async function checkBot(bot: BotApi, url: string, shops: readonly string[]): Promise<string | null> {
  const deadline = Date.now() + BOT_WAIT_MS;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const health = await bot.health();
      const served = new Set(health.shops.map((shop) => shop.shopId));
      const missing = shops.filter((shop) => !served.has(shop));
      if (missing.length > 0) return `the bot at ${url} does not answer for ${missing.join(', ')} (it answers for ${[...served].join(', ')})`;
      return null;
    } catch (error) {
      last = (error as Error).message;
      await new Promise((done) => setTimeout(done, 500));
    }
  }
  return `the bot at ${url} did not answer within ${BOT_WAIT_MS / 1000} s: ${last}`;
}

function humanSummary(summary: SimSummary, report: SimReport): string {
  const percent = (part: number, whole: number): string => `${whole === 0 ? 0 : Math.round((part / whole) * 100)}%`;
  const reasons = Object.entries(report.handoffReasons).map(([reason, count]) => `${reason} ${count}`).join(', ');
  const stages = Object.entries(report.stages).map(([stage, count]) => `${stage} ${percent(count, summary.questions)}`).join(', ');
  return [
    `rehearsal ${report.profile}: ${report.realSeconds} s real = ${report.curveMinutes} curve minutes (speed ${report.speed})`,
    `  questions ${summary.questions} (the curve asked for ${report.expectedQuestions}): answered ${summary.answered} (${percent(summary.answered, summary.questions)}), unmatched ${summary.unmatched}, handoffs ${summary.handoffs}${reasons ? ` (${reasons})` : ''}`,
    `  peak ${summary.peakPerSec}/s, sessions ${report.sessions}, orders ${report.orders}, errors ${report.errors}${report.skipped > 0 ? `, skipped ${report.skipped}` : ''}`,
    `  stages (as the bot saw them): ${stages}`,
    ...(report.agents
      ? [
          `  agents: ${report.agents.roster} in the roster (at most ${report.agents.peakOnShift} on shift), ${report.agents.waited} customers waited, accepted ${report.agents.accepted}, ended ${report.agents.ended} (${report.agents.openAtEnd} still open), abandoned ${report.agents.abandoned}, flagged ${report.agents.flagged}, orders ${report.agents.orders}; mean wait ${report.agents.meanWaitSec ?? '-'} s, mean handling ${report.agents.meanHandleSec ?? '-'} s${report.agents.errors > 0 ? `, errors ${report.agents.errors}` : ''}`,
        ]
      : []),
  ].join('\n');
}

function replayLine(summary: ReplaySummary): string {
  const percent = (rate: number | null): string => (rate === null ? '-' : `${(rate * 100).toFixed(1)}%`);
  return (
    `replay: ${summary.questions} questions (${summary.botQuestions} in bot mode): hit rate then ${percent(summary.hitRateThen)}, now ${percent(summary.hitRateNow)}; ` +
    `answered now but not then ${summary.nowAnswered}, then but not now ${summary.nowMissed}; errors ${summary.errors}`
  );
}

/** Replays a past range through the bot; 1 when the api or the bot failed more than 1 % of the time. */
async function replay(env: SimEnv): Promise<number> {
  const bot = new HttpBotClient(env.SIM_BOT_URL, { timeoutMs: env.SIM_TIMEOUT_MS, maxSockets: Math.min(env.SIM_MAX_IN_FLIGHT, 64), token: env.SIM_BOT_TOKEN ?? null });
  const problem = await checkBot(bot, env.SIM_BOT_URL, []);
  if (problem) {
    console.error(`sim: ${problem}`);
    bot.close();
    return 1;
  }
  const runner = new CampaignReplay(
    {
      query: {
        source: env.SIM_REPLAY_SOURCE,
        shop: 'all',
        from: env.SIM_REPLAY_FROM!,
        to: env.SIM_REPLAY_TO!,
        ...(env.SIM_REPLAY_CAMPAIGN === undefined ? {} : { campaignId: env.SIM_REPLAY_CAMPAIGN }),
      },
      speed: env.SIM_SPEED ?? 60,
      pageSize: REPLAY_PAGE_SIZE,
      runId: `rp${randomBytes(4).toString('hex')}`,
      maxInFlight: env.SIM_MAX_IN_FLIGHT,
    },
    new HttpApiClient(env.SIM_API_URL!, env.SIM_SERVICE_TOKEN!, env.SIM_TIMEOUT_MS),
    bot,
    systemClock,
  );
  console.error(JSON.stringify({ event: 'ready', mode: 'replay', botUrl: env.SIM_BOT_URL, apiUrl: env.SIM_API_URL, from: env.SIM_REPLAY_FROM, to: env.SIM_REPLAY_TO, speed: env.SIM_SPEED ?? 60 }));
  const stop = (): void => runner.stop();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const timer = env.SIM_QUIET ? null : setInterval(() => console.error(replayLine(runner.progress())), env.SIM_PROGRESS_EVERY * 1000);
  timer?.unref();
  const summary = await runner.run();
  if (timer) clearInterval(timer);
  bot.close();
  process.stdout.write(`${env.SIM_JSON ? JSON.stringify(summary) : replayLine(summary)}\n`);
  if (summary.errors > Math.max(0, summary.questions * 0.01)) {
    console.error(`sim: ${summary.errors} requests failed; last: ${runner.lastError ?? '?'}`);
    return 1;
  }
  return 0;
}

async function main(): Promise<number> {
  let prepared: Prepared | 'help' | { replay: SimEnv };
  try {
    prepared = prepare();
  } catch (error) {
    if (error instanceof ConfigError || error instanceof CatalogError || error instanceof CorpusError) {
      console.error(`sim: ${(error instanceof ConfigError ? withFlagNames(error) : error).message}`);
      return 2;
    }
    throw error;
  }
  if (prepared === 'help') {
    console.log(USAGE);
    return 0;
  }
  if ('replay' in prepared) return replay(prepared.replay);
  const { setup, profileName, corpus, corpusKind, rng } = prepared;
  const env = setup.env;
  const bot = new HttpBotClient(env.SIM_BOT_URL, { timeoutMs: env.SIM_TIMEOUT_MS, maxSockets: Math.min(env.SIM_MAX_IN_FLIGHT, 64), token: env.SIM_BOT_TOKEN ?? null });
  const problem = await checkBot(bot, env.SIM_BOT_URL, setup.shops);
  if (problem) {
    console.error(`sim: ${problem}`);
    bot.close();
    return problem.includes('does not answer for') ? 2 : 1;
  }

  const curve = compileCurve(setup.profile);
  const rehearsal = new Rehearsal(
    {
      curve,
      timing: { fromMinute: setup.fromMinute, speed: setup.speed, durationMinutes: setup.profile.durationMinutes, loop: setup.loop },
      shops: setup.shops,
      baseRatePerShop: setup.baseRatePerShop,
      source: env.SIM_SOURCE,
      realMs: setup.realMinutes === null ? null : setup.realMinutes * 60_000,
      thinkSeconds: setup.profile.conversation.thinkSeconds,
      maxInFlight: env.SIM_MAX_IN_FLIGHT,
      runId: `sim${randomBytes(4).toString('hex')}`,
      ...(setup.profile.agents
        ? {
            agents: {
              profile: setup.profile.agents,
              desk: bot,
              startClockMinute: curve.startClockMinute,
              orderAmountCents: setup.profile.orders.amountCents,
            },
          }
        : {}),
    },
    corpus,
    bot,
    rng,
  );
  const ready: SimReady = {
    event: 'ready',
    profile: profileName,
    botUrl: env.SIM_BOT_URL,
    shops: setup.shops,
    startedAt: new Date(rehearsal.startMs).toISOString(),
    fromMinute: setup.fromMinute,
    speed: setup.speed,
    loop: setup.loop,
    realMinutes: setup.realMinutes,
    corpus: corpusKind,
  };
  console.error(JSON.stringify(ready));
  const agents = setup.profile.agents;
  if (agents && env.SIM_API_URL !== undefined && env.SIM_SERVICE_TOKEN !== undefined) {
    // The agents on shift per real quarter-hour, so reports and the wall's "agents needed now" know them.
    const untilMs = rehearsal.startMs + (setup.realMinutes ?? LOOP_ROSTER_HOURS * 60) * 60_000;
    const roster = rosterByQuarterHour(
      { profile: agents, timing: { fromMinute: setup.fromMinute, speed: setup.speed, durationMinutes: setup.profile.durationMinutes, loop: setup.loop }, startClockMinute: curve.startClockMinute },
      rehearsal.startMs,
      rehearsal.startMs,
      untilMs,
    );
    void new HttpApiClient(env.SIM_API_URL, env.SIM_SERVICE_TOKEN, env.SIM_TIMEOUT_MS)
      .storeRoster({ shop: 'all', source: env.SIM_SOURCE, interval: '15m', roster })
      .then((stored) => console.error(`sim: roster of ${stored.stored} quarter-hours stored in the api`))
      .catch((error: unknown) => console.error(`sim: the roster could not be stored (reports will not know it): ${(error as Error).message}`));
  }

  // The customers the bots reach after their chats (issue 22): their own random stream, so the rehearsal's
  // traffic is the same with or without outreach.
  const inbox = new OutreachInbox(bot, mulberry32(env.SIM_SEED ^ 0x22), {
    shops: setup.shops,
    source: env.SIM_SOURCE,
    pollMs: 1000,
    amountCents: setup.profile.orders.amountCents,
    runId: ready.startedAt,
  });
  inbox.start();

  const trainers =
    env.SIM_TRAINERS && env.SIM_API_URL !== undefined
      ? new SimulatedTrainers(
          { logins: env.SIM_TRAINERS, source: env.SIM_SOURCE, speed: setup.speed, wrongShare: env.SIM_TRAINER_WRONG_SHARE },
          new HttpTrainerDesk(env.SIM_API_URL, TRAINER_TIMEOUT_MS),
          mulberry32(env.SIM_SEED + 1),
        )
      : null;
  const trainersDone = trainers?.run();
  const stop = (): void => {
    rehearsal.stop();
    trainers?.stop();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const progress = env.SIM_QUIET
    ? null
    : new ProgressDisplay(() => rehearsal.progress(), curve.startClockMinute, { everySeconds: env.SIM_PROGRESS_EVERY });
  progress?.start();
  await rehearsal.run();
  trainers?.stop();
  await trainersDone;
  progress?.stop();
  await inbox.stop();
  const answered = inbox.stats;
  console.error(
    `sim: outreach inbox: ${answered.received} messages, ${answered.ordered} orders, ${answered.replied} replies, ${answered.ignored} ignored${answered.errors > 0 ? `, ${answered.errors} errors (last: ${answered.lastError})` : ''}`,
  );
  bot.close();
  if (trainers) {
    console.error(JSON.stringify({ event: 'trainers', ...trainers.report }));
  }

  const summary = rehearsal.stats.summary();
  const report = rehearsal.report(profileName);
  if (env.SIM_JSON) {
    process.stdout.write(`${JSON.stringify(report)}\n${JSON.stringify(summary)}\n`);
  } else {
    process.stdout.write(`${humanSummary(summary, report)}\n`);
  }
  const attempts = summary.questions + report.errors;
  if (report.errors > attempts * 0.01 || (summary.questions === 0 && report.expectedQuestions > 0)) {
    console.error(`sim: ${report.errors} of ${attempts} requests failed${report.lastError ? `; last: ${report.lastError}` : ''}`);
    return 1;
  }
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
    // Flush stdout (a pipe to npm or a test) before leaving.
    process.stdout.write('', () => process.exit(code));
  },
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
