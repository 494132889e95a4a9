/**
 * briefing:backtest — how much of a promo moment's rush the briefing foresaw (issue 23).
 *
 *   npm run -s briefing:backtest -- --json [--seed 23] [--entries 20] [--questions 400]
 *
 * Into a fresh dev store, through the dev broker and ingest, with the real api and bot: two campaigns of
 * the rehearsal source with the same four promo moments (deposit payment, final payment, sales open,
 * flash sale), customers asking the simulator's corpus (apps/sim/src/corpus.ts, its intents and wordings,
 * picked by weight as the simulator picks them) in the 30 minutes after each moment. Each moment kind has
 * its own question mix; the second campaign asks the first's mix drifted by a fixed seed (every intent's
 * weight times e^N(0, 0.5), a few hot intents swapped for cold ones) and plans 1.5× the traffic. Outcomes
 * are the bot's own (its match path decides answered or unmatched). Then, for every moment of the second
 * campaign, the briefing as it stood 30 minutes before it (`GET /api/briefing?at=`), and:
 *
 * - recallAtMoment: share of the questions asked in the 30 minutes after the moment whose gap or answer
 *   the briefing listed: answered by an answer an entry is answered by, or as similar to an entry's
 *   wording as the gaps' join rule asks (cosine ≥ its threshold over the knowledge base's TF-IDF);
 * - answeredBeforePatches: share of listed entries today's knowledge base answers;
 * - answeredAfterPatches: the same after a trainer published a new answer for each unanswered entry
 *   (its wordings as examples), through `POST /api/kb/patches`.
 *
 * Progress on stderr. Last line of stdout: {"moments","predictedPerMoment","recallAtMoment","answeredBeforePatches","answeredAfterPatches"}.
 * The campaigns sit 3 and 2 days back (within the 7 days ingest accepts, beyond the gaps' 24 h).
 */
import { parseArgs } from 'node:util';
import { briefingSchema, botMatchResponseSchema, type Briefing, type ChatEvent, type PromoMomentKind } from '@warroom/contracts';
import { createClickHouseClient } from '@warroom/clickhouse';
import { TOPICS, createKafka, createProducer, sendBatch } from '@warroom/kafka';
import { parsePackFiles, readPackFiles } from '@warroom/knowledge';
import { DEFAULT_GAP_THRESHOLD, mulberry32, sparseDot, unitVector, type Rng } from '@warroom/matcher';
import { knowledgeRepresentation } from '../apps/api/src/gaps/knowledge-representation';
import { INTENTS, type Intent } from '../apps/sim/src/corpus';
import { pickWeighted } from '../apps/sim/src/conversation';
import { startAppProcess, type AppProcess } from '../infra/dev/app-process';
import { freePort } from '../infra/dev/ports';
import { startDevBroker } from '../infra/dev/broker/launch';
import { startDevStore } from '../infra/dev/store/launch';
import { call, oneTimePasswordCatcher, setUpUsers } from '../test/support/http';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '23' },
    entries: { type: 'string', default: '20' },
    questions: { type: 'string', default: '400' },
    json: { type: 'boolean', default: false },
  },
});
const SEED = Number(values.seed);
const ENTRIES = Number(values.entries);
const QUESTIONS = Number(values.questions);
if (![SEED, ENTRIES, QUESTIONS].every((n) => Number.isInteger(n) && n > 0)) throw new Error('usage: --seed N --entries N --questions N');

const SHOP = 'demo-electronics';
const KIOSK = 'backtest-kiosk-token-0123456789';
const SERVICE = 'backtest-service-token-0123456789';
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const WINDOW = 30 * MINUTE;
const KINDS: readonly PromoMomentKind[] = ['deposit_payment', 'final_payment', 'sales_open', 'flash_sale'];
const PLAN = { first: 100, second: 150 };
const log = (message: string): void => void process.stderr.write(`${message}\n`);

/** The intents a customer of the shop asks, with the wordings that need no product, colour or date filled in. */
const intents = INTENTS.filter((intent) => intent.shops === undefined || intent.shops.includes(SHOP)).map((intent) => ({
  intent,
  wordings: [...(intent.common ?? []), ...intent.templates.map((template) => template.replaceAll('{product}', '这款'))].filter((text) => !text.includes('{')),
})).filter(({ wordings }) => wordings.length > 0);

type Mix = Map<string, number>;

/** A moment kind's mix: a handful of hot intents (Zipf weights) over the corpus's own weights. */
function momentMix(rng: Rng): Mix {
  const mix: Mix = new Map(intents.map(({ intent }) => [intent.id, intent.weight * 0.2]));
  const shuffled = [...intents].sort(() => rng() - 0.5);
  shuffled.slice(0, 12).forEach(({ intent }, rank) => mix.set(intent.id, (mix.get(intent.id) ?? 0) + 30 / (rank + 1)));
  return mix;
}

/** The same mix a year on: every weight drifted by e^N(0, 0.5), and two hot intents swapped with cold ones. */
function drifted(mix: Mix, rng: Rng): Mix {
  const gaussian = (): number => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  const next: Mix = new Map([...mix].map(([id, weight]) => [id, weight * Math.exp(0.5 * gaussian())]));
  const byWeight = [...next].sort((a, b) => b[1] - a[1]);
  for (let swap = 0; swap < 2; swap += 1) {
    const hot = byWeight[swap * 3]!;
    const cold = byWeight[byWeight.length - 1 - swap * 5]!;
    next.set(hot[0], cold[1]);
    next.set(cold[0], hot[1]);
  }
  return next;
}

function ask(mix: Mix, rng: Rng): { intent: Intent; text: string } {
  const { intent, wordings } = pickWeighted(rng, intents, ({ intent: candidate }) => mix.get(candidate.id) ?? 0);
  return { intent, text: wordings[Math.floor(rng() * wordings.length)]! };
}

async function main(): Promise<void> {
  const [broker, store] = await Promise.all([startDevBroker(), startDevStore()]);
  const apps: AppProcess[] = [];
  const producer = createProducer(createKafka({ brokers: broker.brokers, clientId: 'briefing-backtest' }), { idempotent: true });
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
        WALL_KIOSK_TOKEN: KIOSK,
        WARROOM_SESSION_SECRET: 'backtest-session-secret-0123456789abcdef01',
        WARROOM_SERVICE_TOKEN: SERVICE,
        WARROOM_BOT_URL: `http://127.0.0.1:${botPort}`,
        BRIEFING_ENTRIES: String(ENTRIES),
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
        BOT_KB_API_TOKEN: SERVICE,
        BOT_SPOOL_DIR: `.data/briefing-backtest-spool-${botPort}`,
        BOT_CAMPAIGN_ID: 'briefing-backtest',
        LOG_LEVEL: 'warn',
      },
    });
    apps.push(bot);
    await producer.connect();
    const tokens = await setUpUsers(api.url!, admin.password(), [{ login: 'trainer', displayName: '预案', role: 'trainer', grade: 'senior' }]);

    // The bot's verdict on a text, remembered (the same wording is asked many times).
    const verdicts = new Map<string, string | null>();
    const matchOf = async (text: string): Promise<string | null> => {
      if (!verdicts.has(text)) {
        const reply = await call(bot.url!, 'POST', '/api/kb/match', null, { shopId: SHOP, text, topK: 1 });
        if (reply.status !== 200) throw new Error(`the bot's match of ${JSON.stringify(text)}: ${reply.status} ${JSON.stringify(reply.body)}`);
        const match = botMatchResponseSchema.parse(reply.body);
        verdicts.set(text, match.matched ? (match.candidates[0]?.answerId ?? null) : null);
      }
      return verdicts.get(text)!;
    };

    // Two campaigns: the same four moments, a day apart each, the second 1.5× the plan.
    const rng = mulberry32(SEED);
    const mixes = new Map(KINDS.map((kind) => [kind, momentMix(rng)]));
    const drift = mulberry32(SEED + 1);
    const driftedMixes = new Map(KINDS.map((kind) => [kind, drifted(mixes.get(kind)!, drift)]));
    const now = Date.now();
    const campaigns = [
      { id: 'backtest-first', start: now - 3 * DAY, plan: PLAN.first, mixes, questions: QUESTIONS },
      { id: 'backtest-second', start: now - 2 * DAY, plan: PLAN.second, mixes: driftedMixes, questions: Math.round((QUESTIONS * PLAN.second) / PLAN.first) },
    ];
    const asked = new Map<string, { text: string; at: number }[]>();
    let sequence = 0;
    for (const campaign of campaigns) {
      const moments = KINDS.map((kind, index) => ({ kind, label: `${kind} ${index + 1}`, at: campaign.start + (index + 1) * 2 * 60 * MINUTE }));
      const body = {
        name: campaign.id,
        source: 'rehearsal',
        startsAt: new Date(campaign.start).toISOString(),
        endsAt: new Date(campaign.start + 11 * 60 * MINUTE).toISOString(),
        shops: [SHOP],
        promoMoments: moments.map((moment) => ({ label: moment.label, at: new Date(moment.at).toISOString(), kind: moment.kind })),
        plan: [
          { at: new Date(campaign.start).toISOString(), questionsPerMinute: campaign.plan },
          { at: new Date(campaign.start + 11 * 60 * MINUTE).toISOString(), questionsPerMinute: campaign.plan },
        ],
      };
      const put = await call(api.url!, 'PUT', `/api/campaigns/${campaign.id}`, SERVICE, body);
      if (put.status !== 200) throw new Error(`campaign ${campaign.id}: ${put.status} ${JSON.stringify(put.body)}`);
      const questionRng = mulberry32(SEED + (campaign.id === 'backtest-first' ? 10 : 20));
      const events: ChatEvent[] = [];
      for (const moment of moments) {
        const list: { text: string; at: number }[] = [];
        for (let index = 0; index < campaign.questions; index += 1) {
          const { intent, text } = ask(campaign.mixes.get(moment.kind)!, questionRng);
          const at = moment.at + Math.floor(questionRng() * WINDOW);
          list.push({ text, at });
          sequence += 1;
          const answerId = await matchOf(text);
          const common = {
            v: 1 as const,
            eventId: `bt-${sequence}`,
            eventTime: new Date(at).toISOString(),
            source: 'rehearsal' as const,
            campaignId: campaign.id,
            shopId: SHOP,
            sessionId: `bt-session-${sequence}`,
            customerId: `bt-customer-${sequence}`,
            channel: 'app' as const,
            mode: 'bot' as const,
            stage: intent.stage,
            kind: 'question' as const,
            text,
            emotion: { name: 'neutral' as const, intensity: 0.2 },
          };
          events.push(
            answerId === null
              ? { ...common, outcome: 'unmatched', bestCandidate: null }
              : { ...common, outcome: 'answered', match: { answerId, revision: 1, score: 0.9 } },
          );
        }
        asked.set(`${campaign.id}|${moment.label}`, list);
      }
      for (let from = 0; from < events.length; from += 500) {
        await sendBatch(producer, TOPICS.chatEvents.name, events.slice(from, from + 500).map((event) => ({ key: event.sessionId, value: JSON.stringify(event) })));
      }
      log(`${campaign.id}: ${events.length} questions over ${moments.length} moments sent`);
    }
    const expected = campaigns.reduce((sum, campaign) => sum + campaign.questions * KINDS.length, 0);
    const clickhouse = createClickHouseClient({ url: store.url, database: 'warroom' });
    for (let waited = 0; ; waited += 500) {
      const result = await clickhouse.query({ query: "SELECT count() AS n FROM chat_events WHERE kind = 'question'", format: 'JSONEachRow' });
      const stored = Number((await result.json<{ n: string | number }>())[0]?.n ?? 0);
      if (stored >= expected) break;
      if (waited > 120_000) throw new Error(`only ${stored} of ${expected} questions stored after 2 minutes`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    await clickhouse.close();

    // The briefing of every moment of the second campaign, as it stood 30 minutes before the moment.
    const second = campaigns[1]!;
    const momentsOfSecond = KINDS.map((kind, index) => ({ kind, label: `${kind} ${index + 1}`, at: second.start + (index + 1) * 2 * 60 * MINUTE }));
    const briefingAt = async (at: number): Promise<Briefing> => {
      const reply = await call(api.url!, 'GET', `/api/briefing?source=rehearsal&shop=${SHOP}&at=${encodeURIComponent(new Date(at).toISOString())}`, KIOSK);
      if (reply.status !== 200) throw new Error(`briefing: ${reply.status} ${JSON.stringify(reply.body)}`);
      return briefingSchema.parse(reply.body);
    };
    const represent = knowledgeRepresentation(parsePackFiles(readPackFiles('packs')));
    const vector = (text: string) => unitVector(represent(text));
    const recalls: number[] = [];
    const listed: number[] = [];
    let answeredBefore = 0;
    let entriesTotal = 0;
    const briefings: Briefing[] = [];
    for (const moment of momentsOfSecond) {
      const briefing = await briefingAt(moment.at - WINDOW + 1_000);
      if (briefing.status !== 'open' || briefing.moment?.kind !== moment.kind) throw new Error(`the briefing before ${moment.label} is ${briefing.status}: ${briefing.reason ?? ''}`);
      briefings.push(briefing);
      listed.push(briefing.entries.length);
      entriesTotal += briefing.entries.length;
      answeredBefore += briefing.entries.filter((entry) => entry.now.kind === 'answered').length;
      const answers = new Set(briefing.entries.flatMap((entry) => (entry.now.kind === 'answered' ? [entry.now.answerId] : [])));
      const wordings = briefing.entries.flatMap((entry) => entry.examples.map(vector));
      let covered = 0;
      const questions = asked.get(`${second.id}|${moment.label}`)!;
      for (const question of questions) {
        const answerId = await matchOf(question.text);
        const v = vector(question.text);
        if ((answerId !== null && answers.has(answerId)) || wordings.some((w) => sparseDot(v, w) >= DEFAULT_GAP_THRESHOLD)) covered += 1;
      }
      recalls.push(covered / questions.length);
      log(`${moment.label}: ${briefing.entries.length} entries, recall ${(covered / questions.length).toFixed(3)}, ${briefing.entries.filter((entry) => entry.now.kind === 'answered').length} answered now`);
    }

    // A trainer publishes a new answer for every entry the knowledge base does not answer (a topic listed at
    // several moments once: two answers with the same examples would split the matcher's confidence), then
    // the briefings again.
    let patch = 0;
    const patched = new Set<string>();
    for (const briefing of briefings) {
      for (const entry of briefing.entries) {
        if (entry.now.kind === 'answered' || patched.has(entry.representative)) continue;
        patched.add(entry.representative);
        patch += 1;
        const body = {
          patch: {
            op: 'new_answer',
            scope: { pack: 'shop', shopId: SHOP },
            answer: { id: `briefing.backtest-${patch}`, topic: 'service', stage: 'pre_sale', examples: entry.examples, reply: { type: 'text', text: `预案回复 ${patch}` } },
          },
          baseRevision: 0,
        };
        const published = await call(api.url!, 'POST', '/api/kb/patches', tokens.trainer!, body);
        if (published.status !== 201) throw new Error(`patch ${patch}: ${published.status} ${JSON.stringify(published.body)}`);
      }
    }
    log(`${patch} patches published, one per unanswered topic`);
    // The briefing is cached for 5 s: wait it out so the second reading asks the bot again.
    await new Promise((resolve) => setTimeout(resolve, 5_500));
    let answeredAfter = 0;
    let entriesAfter = 0;
    for (const moment of momentsOfSecond) {
      const briefing = await briefingAt(moment.at - WINDOW + 1_000);
      entriesAfter += briefing.entries.length;
      answeredAfter += briefing.entries.filter((entry) => entry.now.kind === 'answered').length;
    }

    const round = (value: number) => Math.round(value * 1000) / 1000;
    const result = {
      moments: momentsOfSecond.length,
      predictedPerMoment: round(listed.reduce((a, b) => a + b, 0) / listed.length),
      recallAtMoment: round(recalls.reduce((a, b) => a + b, 0) / recalls.length),
      answeredBeforePatches: round(answeredBefore / Math.max(1, entriesTotal)),
      answeredAfterPatches: round(answeredAfter / Math.max(1, entriesAfter)),
    };
    if (!values.json) log(`per moment recall: ${recalls.map((r) => r.toFixed(3)).join(', ')}`);
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await producer.disconnect().catch(() => undefined);
    await Promise.all(apps.map((app) => app.stop()));
    await Promise.all([broker.stop(), store.stop()]);
  }
}

main().catch((error: unknown) => {
  log(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
