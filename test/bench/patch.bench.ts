/**
 * bench:patch — how fast a published patch reaches the bot: publish (`POST /api/kb/patches`, which
 * answers once the api applied the patch from `kb.patches`) → the bot answers the patch's new example
 * question from the new revision. 200 patches, one after another, under background traffic of a quarter
 * of the bot's capacity (at least 500 questions/s), capacity measured first in the same run. Also times
 * the preview (`POST /api/kb/preview`) under the same load.
 *
 *   npm run -s bench:patch -- --json [--patches 200] [--previews 20] [--capacity-seconds 5]
 *
 * Everything real: dev broker, dev store, api (ingest + api roles) and bot as processes; the bot
 * loads the knowledge base from the api and follows `kb.patches`. Background traffic runs in a worker
 * thread so it does not share the measuring event loop.
 *
 * Progress goes to stderr. Last line of stdout: {"patches","backgroundPerSec","p50Ms","p99Ms","previewP95Ms"}
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { chatReplySchema } from '@warroom/contracts';
import { startAppProcess, type AppProcess } from '../../infra/dev/app-process';
import { freePort } from '../../infra/dev/ports';
import { startDevBroker } from '../../infra/dev/broker/launch';
import { startDevStore } from '../../infra/dev/store/launch';
import { call, oneTimePasswordCatcher, setUpUsers } from '../support/http';
import { BACKGROUND_QUESTIONS, type LoadReport } from './patch-load';

const { values } = parseArgs({
  options: {
    patches: { type: 'string', default: '200' },
    previews: { type: 'string', default: '20' },
    'capacity-seconds': { type: 'string', default: '5' },
    json: { type: 'boolean', default: false },
  },
});
const PATCHES = Number(values.patches);
const PREVIEWS = Number(values.previews);
const CAPACITY_SECONDS = Number(values['capacity-seconds']);
if (![PATCHES, PREVIEWS, CAPACITY_SECONDS].every((n) => Number.isInteger(n) && n > 0)) throw new Error('usage: --patches N --previews N --capacity-seconds N');

const SHOP = 'demo-electronics';
const ANSWER_ID = 'invoice';
const SERVICE_TOKEN = 'bench-service-token-0123456789';
const log = (message: string): void => void process.stderr.write(`${message}\n`);

/** Runs the load worker: closed loop (`rate` 0, the capacity) or a fixed rate, for `seconds`. */
function runLoad(botUrl: string, options: { seconds: number; rate: number; connections: number }): { done: Promise<LoadReport>; stop: () => void } {
  const worker = new Worker(join(__dirname, 'patch-load.ts'), {
    workerData: { botUrl, shopId: SHOP, ...options },
    execArgv: ['-r', '@swc-node/register'],
  });
  const done = new Promise<LoadReport>((resolve, reject) => {
    worker.once('message', (report: LoadReport) => resolve(report));
    worker.once('error', reject);
  });
  return { done, stop: () => worker.postMessage('stop') };
}

function percentile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN;
}

async function main(): Promise<void> {
  const [broker, store] = await Promise.all([startDevBroker(), startDevStore()]);
  const apps: AppProcess[] = [];
  try {
    const botPort = await freePort();
    const admin = oneTimePasswordCatcher();
    const api = await startAppProcess({
      name: 'api',
      entry: 'apps/api/src/main.ts',
      env: {
        KAFKA_BROKERS: broker.brokers,
        CLICKHOUSE_URL: store.url,
        WARROOM_ROLES: 'ingest,api',
        PORT: '0',
        WALL_KIOSK_TOKEN: 'bench-kiosk-token-0123456789',
        WARROOM_SESSION_SECRET: 'bench-session-secret-0123456789abcdef0123',
        WARROOM_SERVICE_TOKEN: SERVICE_TOKEN,
        WARROOM_BOT_URL: `http://127.0.0.1:${botPort}`,
        LOG_LEVEL: 'warn',
      },
      onLog: admin.onLog,
    });
    apps.push(api);
    const bot = await startAppProcess({
      name: 'bot',
      entry: 'apps/bot/src/main.ts',
      env: {
        KAFKA_BROKERS: broker.brokers,
        PORT: String(botPort),
        BOT_SHOP_IDS: 'demo-electronics,demo-home',
        BOT_KB_API_URL: api.url!,
        BOT_KB_API_TOKEN: SERVICE_TOKEN,
        BOT_SPOOL_DIR: `.data/bench-patch-spool-${botPort}`,
        LOG_LEVEL: 'warn',
      },
    });
    apps.push(bot);
    const tokens = await setUpUsers(api.url!, admin.password(), [{ login: 'lead', displayName: '压测组长', role: 'lead' }]);
    const lead = tokens.lead!;
    log(`system up (bot ${bot.url}); measuring the bot's capacity for ${CAPACITY_SECONDS} s…`);

    const capacity = await runLoad(bot.url!, { seconds: CAPACITY_SECONDS, rate: 0, connections: 16 }).done;
    if (capacity.errors > 0) throw new Error(`measuring the bot's capacity: ${capacity.errors} requests failed`);
    const capacityPerSec = capacity.answered / capacity.seconds;
    // The load is a quarter of capacity; its 500/s floor presumes a bot of 2,000/s. Below that, a
    // quarter is kept (more would measure a saturated bot, not the patch path) and the line says so.
    const targetRate = Math.max(1, Math.round(capacityPerSec / 4));
    log(`capacity ${Math.round(capacityPerSec)} questions/s; background at ${targetRate}/s (${BACKGROUND_QUESTIONS.length} distinct questions)${targetRate < 500 ? ' — below the 500/s the issue asks: the bot is slower than 2,000/s here' : ''}`);

    const background = runLoad(bot.url!, { seconds: 3600, rate: targetRate, connections: 32 });
    await new Promise((resolve) => setTimeout(resolve, 2_000));

    const answersReply = await call(api.url!, 'GET', `/api/kb/answers?shop=${SHOP}`, lead);
    const answer = (answersReply.body as { answerId: string; target: string; version: { revision: number } }[]).find((entry) => entry.answerId === ANSWER_ID);
    if (!answer) throw new Error(`no answer ${ANSWER_ID} in ${SHOP}`);
    let revision = answer.version.revision;
    const scope = { pack: 'shop', shopId: SHOP };

    const latencies: number[] = [];
    let session = 0;
    for (let i = 0; i < PATCHES; i += 1) {
      // A new wording each time: before the patch it is not an example, after it is answered exactly.
      const question = `压测第${i}号：这种情况的发票抬头怎么填写呢`;
      const started = performance.now();
      const published = await call(api.url!, 'POST', '/api/kb/patches', lead, { patch: { op: 'add_examples', scope, answerId: ANSWER_ID, examples: [question] }, baseRevision: revision });
      if (published.status !== 201) throw new Error(`patch ${i}: ${published.status} ${JSON.stringify(published.body)}`);
      revision = (published.body as { version: { revision: number } }).version.revision;
      for (;;) {
        session += 1;
        const reply = chatReplySchema.parse((await call(bot.url!, 'POST', '/api/chat', null, { shopId: SHOP, sessionId: `bench-patch-${session}`, customerId: `bench-${session}`, text: question })).body);
        if (reply.outcome === 'answered' && reply.answer.answerId === ANSWER_ID && reply.answer.revision >= revision) break;
        if (performance.now() - started > 10_000) throw new Error(`patch ${i}: the bot did not answer from revision ${revision} within 10 s`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      latencies.push(performance.now() - started);
      if ((i + 1) % 20 === 0) log(`${i + 1}/${PATCHES} patches; last ${Math.round(latencies.at(-1)!)} ms`);
    }

    const previews: number[] = [];
    for (let i = 0; i < PREVIEWS; i += 1) {
      const started = performance.now();
      const reply = await call(api.url!, 'POST', '/api/kb/preview', lead, {
        patch: { op: 'add_examples', scope, answerId: ANSWER_ID, examples: [`预览第${i}号：发票能开公司抬头吗`] },
        baseRevision: revision,
      });
      if (reply.status !== 200) throw new Error(`preview ${i}: ${reply.status} ${JSON.stringify(reply.body)}`);
      previews.push(performance.now() - started);
    }
    background.stop();
    const load = await background.done;
    const backgroundPerSec = load.answered / load.seconds;
    log(`background: ${load.answered} questions in ${load.seconds.toFixed(1)} s, ${load.errors} errors, ${load.behind} behind schedule`);

    latencies.sort((a, b) => a - b);
    previews.sort((a, b) => a - b);
    const round = (ms: number) => Math.round(ms * 10) / 10;
    const result = {
      patches: latencies.length,
      backgroundPerSec: Math.round(backgroundPerSec),
      p50Ms: round(percentile(latencies, 0.5)),
      p99Ms: round(percentile(latencies, 0.99)),
      previewP95Ms: round(percentile(previews, 0.95)),
    };
    log(`capacity ${Math.round(capacityPerSec)}/s; max ${round(latencies.at(-1)!)} ms`);
    console.log(values.json ? JSON.stringify(result) : result);
  } finally {
    await Promise.all(apps.map((app) => app.stop()));
    await Promise.all([broker.stop(), store.stop()]);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
