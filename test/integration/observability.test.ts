/**
 * What operators get from the running apps (issue 21): Prometheus metrics on `GET /metrics` of the api
 * (ingest and api roles) and the bot, under the names infra/observability's alerts and dashboard read, with
 * values that move as the system works; JSON log lines (LOG_FORMAT=json) that parse and carry no token; and
 * an app that refuses to start, naming the fix, when a Kafka topic it uses is missing.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { liveProtocols } from '@warroom/contracts';
import { afterAll, beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startAppProcess, type AppProcess } from '../../infra/dev/app-process';
import { startDevBroker } from '../../infra/dev/broker/launch';
import { freePort } from '../../infra/dev/ports';
import { describeWithDevBroker } from '../support/broker';
import { questionEvent } from '../support/events';
import { KIOSK_TOKEN, usePipeline, waitFor } from '../support/pipeline';

const ROOT = resolve(__dirname, '../..');
const SHOP = 'demo-electronics';

/** One sample of the text exposition format: `name{label="value",…} number`. */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

interface Scrape {
  /** Metric names from the `# TYPE` lines (a histogram's base name, not its _bucket/_sum/_count). */
  families: Set<string>;
  samples: Sample[];
}

const SAMPLE_LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Parses Prometheus' text format strictly: a line that is neither a comment nor a sample fails the test. */
function parseExposition(text: string): Scrape {
  const families = new Set<string>();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('# HELP ')) continue;
    if (line.startsWith('# TYPE ')) {
      const [, , name, type] = line.split(' ');
      expect(['counter', 'gauge', 'histogram', 'summary', 'untyped'], line).toContain(type);
      families.add(name!);
      continue;
    }
    const match = SAMPLE_LINE.exec(line);
    if (!match) throw new Error(`not a line of the exposition format: ${line}`);
    const labels: Record<string, string> = {};
    for (const label of (match[2] ?? '').matchAll(LABEL)) labels[label[1]!] = label[2]!;
    // Prometheus reads Inf and NaN in any case (prom-client writes an empty histogram's mean as `Nan`).
    const written = match[3]!;
    const value = /^\+?inf$/i.test(written) ? Number.POSITIVE_INFINITY : /^-inf$/i.test(written) ? Number.NEGATIVE_INFINITY : Number(written);
    if (Number.isNaN(value) && !/^nan$/i.test(written)) throw new Error(`not a number in: ${line}`);
    samples.push({ name: match[1]!, labels, value });
  }
  return { families, samples };
}

async function scrape(base: string): Promise<Scrape> {
  const response = await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(10_000) });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseExposition(await response.text());
}

/** The sum of a metric's samples whose labels include `labels`. */
function total(scraped: Scrape, name: string, labels: Record<string, string> = {}): number {
  return scraped.samples
    .filter((sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value))
    .reduce((sum, sample) => sum + sample.value, 0);
}

/** Every metric name an alert rule or a dashboard panel of infra/observability reads (ours, not ClickHouse's). */
function metricsNamedByOperators(): Set<string> {
  const text = ['infra/observability/alerts.yaml', 'infra/observability/grafana-dashboard.json'].map((file) => readFileSync(resolve(ROOT, file), 'utf8')).join('\n');
  const names = new Set<string>();
  for (const [name] of text.matchAll(/\b(?:warroom|nodejs|process)_[a-z0-9_]+/g)) names.add(name.replace(/_(bucket|sum|count)$/, ''));
  return names;
}

function openViewer(base: string): Promise<WebSocket> {
  return new Promise((resolveOpen, reject) => {
    const socket = new WebSocket(`${base.replace(/^http/, 'ws')}/live`, liveProtocols(KIOSK_TOKEN));
    socket.once('open', () => resolveOpen(socket));
    socket.once('error', reject);
  });
}

describeWithDevBroker('metrics, JSON logs and the topic check of the running apps', () => {
  const pipeline = usePipeline();
  let api: AppProcess;
  let bot: AppProcess;
  let botUrl = '';
  const apiLines: string[] = [];
  const botLines: string[] = [];

  beforeAll(async () => {
    api = await pipeline().startApp('ingest,api', { LOG_FORMAT: 'json', LOG_LEVEL: 'log' }, { onLog: (line) => apiLines.push(line) });
    const port = await freePort();
    botUrl = `http://127.0.0.1:${port}`;
    bot = await startAppProcess({
      name: 'bot',
      entry: 'apps/bot/src/main.ts',
      env: {
        KAFKA_BROKERS: pipeline().broker.brokers,
        PORT: String(port),
        BOT_SHOP_IDS: SHOP,
        BOT_SPOOL_DIR: `.data/test-observability-spool-${port}`,
        BOT_CAMPAIGN_ID: 'observability',
        LOG_FORMAT: 'json',
        LOG_LEVEL: 'log',
      },
      readyTimeoutMs: 90_000,
      onLog: (line) => botLines.push(line),
    });
  }, 150_000);

  afterAll(async () => {
    await Promise.all([api?.stop(), bot?.stop()]);
  });

  it('exports every metric the alert rules and the dashboard read, in the exposition format', async () => {
    const exported = new Set([...(await scrape(api.url!)).families, ...(await scrape(botUrl)).families]);
    const named = metricsNamedByOperators();
    expect(named.size).toBeGreaterThan(8);
    expect([...named].filter((name) => !exported.has(name)).sort(), 'named by infra/observability but exported by no app').toEqual([]);
  });

  it("ingest's and the api's figures move as events are stored and a wall connects", async () => {
    const before = await scrape(api.url!);
    expect(total(before, 'warroom_ingest_status', { status: 'ok' }) + total(before, 'warroom_ingest_status', { status: 'catching_up' })).toBe(1);
    const stored = total(before, 'warroom_events_stored_total');
    await pipeline().produce(Array.from({ length: 50 }, (_, index) => ({ key: `s-${index}`, value: JSON.stringify(questionEvent()) })));
    await pipeline().produce([{ key: 'broken', value: 'not json' }]);
    let after = before;
    await waitFor(
      async () => {
        after = await scrape(api.url!);
        return total(after, 'warroom_events_stored_total') >= stored + 50 && total(after, 'warroom_events_dead_lettered_total', { reason: 'contract' }) >= 1;
      },
      60_000,
      () => `stored ${total(after, 'warroom_events_stored_total')}, dead-lettered ${total(after, 'warroom_events_dead_lettered_total')}`,
    );
    expect(total(after, 'warroom_events_stored_total')).toBe(stored + 50);
    // The lag is per partition of chat.events this process holds and has fetched from; then it drains.
    const lagPartitions = after.samples.filter((sample) => sample.name === 'warroom_ingest_lag_events').map((sample) => Number(sample.labels.partition));
    expect(lagPartitions.length).toBeGreaterThan(0);
    expect(lagPartitions.every((partition) => Number.isInteger(partition) && partition >= 0 && partition < 24), lagPartitions.join(',')).toBe(true);
    await waitFor(async () => total(await scrape(api.url!), 'warroom_ingest_lag_events') === 0, 30_000, () => 'ingest lag never reached 0');

    expect(total(after, 'warroom_live_viewers')).toBe(0);
    const viewer = await openViewer(api.url!);
    await waitFor(async () => total(await scrape(api.url!), 'warroom_live_viewers') === 1, 10_000, () => 'the open /live socket was not counted');
    // The one process leads, so its ticks compute the viewer's view and fan the frames out once something new
    // is stored (until then the figures stand and only asOf moves on).
    viewer.send(JSON.stringify({ event: 'subscribe', data: { window: '5m' } }));
    await pipeline().produce(Array.from({ length: 10 }, (_, index) => ({ key: `s-watched-${index}`, value: JSON.stringify(questionEvent()) })));
    await waitFor(
      async () => {
        const scraped = await scrape(api.url!);
        return ['compute', 'fan_out'].every((stage) => total(scraped, 'warroom_live_stage_runs_total', { stage }) > 0);
      },
      20_000,
      () => 'no live compute or fan-out was counted while a viewer watched',
    );
    viewer.close();
    await waitFor(async () => total(await scrape(api.url!), 'warroom_live_viewers') === 0, 10_000, () => 'the closed /live socket was still counted');

    // asOf follows the stored events: the walls' figures are seconds old, not unknown (+Inf).
    await waitFor(
      async () => {
        const age = total(await scrape(api.url!), 'warroom_watermark_age_seconds');
        return age >= 0 && age < 60;
      },
      30_000,
      () => 'warroom_watermark_age_seconds never became a finite age',
    );
    expect(total(after, 'nodejs_eventloop_lag_p99_seconds')).toBeGreaterThan(0);
  }, 150_000);

  it("the bot's answers, their latency and its spool show in its metrics", async () => {
    const before = await scrape(botUrl);
    for (let index = 0; index < 3; index += 1) {
      const response = await fetch(`${botUrl}/api/chat`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ shopId: SHOP, sessionId: `s-metrics-${index}`, customerId: `c-${index}`, text: '包邮吗' }),
      });
      expect(response.status).toBe(200);
    }
    // And once over the /chat WebSocket.
    const socket = new WebSocket(`${botUrl.replace(/^http/, 'ws')}/chat`);
    await new Promise<void>((resolveOpen, reject) => {
      socket.once('open', () => resolveOpen());
      socket.once('error', reject);
    });
    const frame = new Promise<string>((resolveFrame) => socket.once('message', (data: Buffer) => resolveFrame(data.toString())));
    socket.send(JSON.stringify({ event: 'ask', data: { shopId: SHOP, sessionId: 's-metrics-ws', customerId: 'c-ws', text: '包邮吗', requestId: 'r-1' } }));
    expect(await frame).toContain('"event":"reply"');
    socket.close();
    const after = await scrape(botUrl);
    const answered = (scraped: Scrape, transport: string): number => total(scraped, 'warroom_bot_answers_total', { outcome: 'answered', transport });
    expect(answered(after, 'http') - answered(before, 'http')).toBe(3);
    expect(answered(after, 'ws') - answered(before, 'ws')).toBe(1);
    expect(total(after, 'warroom_bot_answer_seconds_count') - total(before, 'warroom_bot_answer_seconds_count')).toBe(4);
    expect(total(after, 'warroom_bot_answer_seconds_sum')).toBeGreaterThan(total(before, 'warroom_bot_answer_seconds_sum'));
    // Every answer's events are acknowledged by Kafka in the end: the spool empties.
    await waitFor(async () => total(await scrape(botUrl), 'warroom_bot_spool_pending_events') === 0, 30_000, () => 'the spool never emptied');
    expect(total(await scrape(botUrl), 'warroom_bot_events_delivered_total')).toBeGreaterThan(total(before, 'warroom_bot_events_delivered_total'));
    // Patch-to-bot time is exported from the start (no patch is published here, so it stays at 0).
    expect([...before.families]).toEqual(expect.arrayContaining(['warroom_bot_patch_to_bot_seconds_total', 'warroom_bot_patches_applied_total']));
  }, 60_000);

  it('logs one JSON object per line, a failed request without its token, and what the broker reports of the topics', async () => {
    const secret = 'not-a-real-token-but-secret-0123456789';
    const refused = await fetch(`${api.url!}/api/users?token=${secret}`, { headers: { authorization: `Bearer ${secret}`, cookie: `session=${secret}` } });
    expect(refused.status).toBe(401);
    await waitFor(() => Promise.resolve(apiLines.some((line) => line.includes('"statusCode":401'))), 10_000, () => 'no request log line for the 401');

    // Outside JSON (docs/operations.md): the first admin's one-time password, printed as a box for the
    // operator, and the ClickHouse client's own warnings (libs/clickhouse, which never quote row data).
    const banner = /^([╔║╚]|\[@clickhouse\/client\])/;
    for (const [app, lines] of [['api', apiLines], ['bot', botLines]] as const) {
      const logged = lines.filter((line) => !banner.test(line));
      expect(logged.length, app).toBeGreaterThan(3);
      for (const line of logged) {
        const parsed: unknown = JSON.parse(line);
        expect(typeof parsed, `${app}: ${line}`).toBe('object');
      }
      const events = logged.map((line) => JSON.parse(line) as Record<string, unknown>).filter((entry) => entry.event !== 'ready');
      for (const entry of events) {
        expect(typeof entry.msg, `${app}: ${JSON.stringify(entry)}`).toBe('string');
        expect(['fatal', 'error', 'warn', 'info', 'debug', 'trace'], `${app}: ${JSON.stringify(entry)}`).toContain(entry.level);
      }
      expect(events.some((entry) => typeof entry.msg === 'string' && entry.msg.startsWith('Kafka topics checked: chat.events (24 partitions, 1 replicas)')), app).toBe(true);
    }
    const request = apiLines.map((line) => JSON.parse(banner.test(line) ? '{}' : line) as { req?: { path?: string }; res?: { statusCode?: number } }).find((entry) => entry.res?.statusCode === 401);
    expect(request?.req?.path).toBe('/api/users');
    expect(apiLines.join('\n')).not.toContain(secret);
  }, 30_000);

  it('refuses to start an app when a topic it uses is missing, naming the fix', async () => {
    const broker = await startDevBroker({ withoutTopics: ['kb.patches'], onLog: () => undefined });
    try {
      for (const [name, entry, env] of [
        ['ingest', 'apps/api/src/main.ts', { WARROOM_ROLES: 'ingest', CLICKHOUSE_URL: pipeline().store.url }],
        ['bot', 'apps/bot/src/main.ts', { BOT_SHOP_IDS: SHOP, BOT_SPOOL_DIR: '.data/test-observability-missing-topic-spool' }],
      ] as const) {
        const output: string[] = [];
        const started = startAppProcess({
          name,
          entry,
          env: { KAFKA_BROKERS: broker.brokers, PORT: '0', ...env },
          readyTimeoutMs: 90_000,
          onLog: (line) => output.push(line),
        });
        const failure = await started.then(
          async (app) => {
            await app.stop();
            return null;
          },
          (error: unknown) => error as Error,
        );
        expect(failure?.message, `${name} started without kb.patches:\n${output.join('\n')}`).toMatch(/exited with code 2 before it was ready/);
        expect(output.join('\n')).toMatch(/Kafka topics are not ready: kb\.patches: missing\. Create and configure them with `npm run topics`/);
      }
    } finally {
      await broker.stop();
    }
  }, 200_000);
});
