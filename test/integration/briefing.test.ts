/**
 * The briefing before a promo moment (issue 23), end to end through the real broker, store and bot: last
 * campaign's final-payment moment (two days ago) spiked a question today's knowledge base cannot answer.
 * Thirty minutes before today's final payment the briefing lists it as unmatched, ranked by the volume this
 * campaign's plan expects, and as a predicted gap in the trainers' inbox; a trainer claims it and publishes
 * an answer through the gap lifecycle and the patch loop; the briefing then shows it answered with the new
 * reply, and when the moment comes the bot answers it. After the moment, the briefing compares hit rates.
 */
import { briefingSchema, chatReplySchema, gapSchema, type Briefing, type ChatReply, type Gap } from '@warroom/contracts';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startAppProcess, type AppProcess } from '../../infra/dev/app-process';
import { freePort } from '../../infra/dev/ports';
import { questionEvent } from '../support/events';
import { call, oneTimePasswordCatcher, setUpUsers } from '../support/http';
import { usePipeline, waitFor } from '../support/pipeline';

const SHOP = 'demo-electronics';
const SERVICE_TOKEN = 'test-service-token-0123456789';
/** Nothing in the demo packs is about paying the final payment with a digital-yuan red packet. */
const SPIKED = ['尾款能用数字人民币红包付吗', '数字人民币红包可以付尾款吗', '付尾款能用数字人民币红包吗'];
/** Answered by the demo shop's pack (its own example). */
const ANSWERED = '下午付款今天能发吗';
const ANSWER_ID = 'payment.final-e-cny';
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

describe('the briefing before a promo moment', () => {
  const pipeline = usePipeline();
  let api: AppProcess | undefined;
  let bot: AppProcess | undefined;
  const apiLog = oneTimePasswordCatcher();

  afterAll(async () => {
    await Promise.all([api?.stop(), bot?.stop()]);
  });

  it('lists last time’s spike as unmatched 30 minutes before, predicts its gap, and shows it answered once a trainer published', async () => {
    const botPort = await freePort();
    api = await pipeline().startApp('ingest,api', { WARROOM_SERVICE_TOKEN: SERVICE_TOKEN, WARROOM_BOT_URL: `http://127.0.0.1:${botPort}` }, { onLog: apiLog.onLog });
    bot = await startAppProcess({
      name: 'bot',
      entry: 'apps/bot/src/main.ts',
      env: {
        KAFKA_BROKERS: pipeline().broker.brokers,
        PORT: String(botPort),
        BOT_SHOP_IDS: 'demo-electronics,demo-home',
        BOT_KB_API_URL: api.url!,
        BOT_KB_API_TOKEN: SERVICE_TOKEN,
        BOT_SPOOL_DIR: `.data/test-briefing-spool-${botPort}`,
        BOT_CAMPAIGN_ID: 'it-briefing',
        LOG_LEVEL: 'warn',
      },
    });
    const tokens = await setUpUsers(api.url!, apiLog.password(), [{ login: 'wang', displayName: '王芳', role: 'trainer', grade: 'junior' }]);
    const wang = tokens.wang!;

    // Last campaign, two days ago (beyond the gaps' 24 h: no live gap holds these questions): its final
    // payment at `lastMoment`, planned at 100 questions a minute.
    const now = Date.now();
    const lastMoment = now - 2 * DAY;
    // Today's final payment 75 s from now (the briefing is open: it opens 30 minutes before), planned at 150.
    const moment = now + 75_000;
    const campaign = (id: string, at: number, questionsPerMinute: number) => ({
      name: id,
      source: 'live',
      startsAt: new Date(at - 2 * 60 * MINUTE).toISOString(),
      endsAt: new Date(at + 2 * 60 * MINUTE).toISOString(),
      shops: [SHOP],
      promoMoments: [
        { label: '20:00 付定金', at: new Date(at - 90 * MINUTE).toISOString(), kind: 'deposit_payment' },
        { label: '20:00 付尾款', at: new Date(at).toISOString(), kind: 'final_payment' },
      ],
      plan: [
        { at: new Date(at - 2 * 60 * MINUTE).toISOString(), questionsPerMinute },
        { at: new Date(at + 2 * 60 * MINUTE).toISOString(), questionsPerMinute },
      ],
    });
    for (const [id, body] of [['last-d11', campaign('last-d11', lastMoment, 100)], ['this-d11', campaign('this-d11', moment, 150)]] as const) {
      const put = await call(api.url!, 'PUT', `/api/campaigns/${id}`, SERVICE_TOKEN, body);
      expect(put.status, JSON.stringify(put.body)).toBe(200);
    }

    // Last time's final payment: 12 customers asked the spiked question in its 30 minutes (unmatched, 4 handed
    // off for no match), 4 asked an answered one; before the moment and after its window, noise that must not count.
    const at = (minutes: number) => new Date(lastMoment + minutes * MINUTE).toISOString();
    const events = [
      ...Array.from({ length: 12 }, (_, index) =>
        questionEvent({
          shopId: SHOP,
          campaignId: 'last-d11',
          eventTime: at(1 + index * 2),
          text: SPIKED[index % SPIKED.length],
          match: undefined,
          bestCandidate: null,
          ...(index % 3 === 0 ? { outcome: 'handoff', handoffReason: 'no_match' } : { outcome: 'unmatched' }),
        }),
      ),
      ...Array.from({ length: 4 }, (_, index) =>
        questionEvent({ shopId: SHOP, campaignId: 'last-d11', eventTime: at(2 + index * 5), text: ANSWERED, match: { answerId: 'delivery-time', revision: 1, score: 0.9 } }),
      ),
      ...[-5, 31, 45].map((minutes) => questionEvent({ shopId: SHOP, campaignId: 'last-d11', eventTime: at(minutes), text: '发票怎么开', outcome: 'unmatched', match: undefined, bestCandidate: null })),
    ];
    await pipeline().produce(events.map((event) => ({ key: event.sessionId, value: JSON.stringify(event) })));
    await waitFor(
      async () => {
        const result = await pipeline().clickhouse.query({ query: `SELECT count() AS n FROM chat_events WHERE campaign_id = 'last-d11'`, format: 'JSONEachRow' });
        const [row] = await result.json<{ n: string | number }>();
        return Number(row?.n) === events.length;
      },
      30_000,
      () => 'last campaign’s events were not stored',
    );

    const briefing = async (query = ''): Promise<Briefing> => {
      const reply = await call(api!.url!, 'GET', `/api/briefing?source=live&shop=${SHOP}${query}`, wang);
      expect(reply.status, JSON.stringify(reply.body)).toBe(200);
      return briefingSchema.parse(reply.body);
    };
    const spiked = (b: Briefing) => b.entries.find((entry) => SPIKED.some((text) => entry.examples.includes(text)));

    // 31 minutes before the moment it is not open yet; 30 minutes before, it lists the spike, unmatched.
    const upcoming = await briefing(`&at=${encodeURIComponent(new Date(moment - 31 * MINUTE).toISOString())}`);
    expect(upcoming).toMatchObject({ status: 'upcoming', moment: { kind: 'final_payment' }, previous: { campaignId: 'last-d11', moment: { label: '20:00 付尾款' } } });
    const atLead = await briefing(`&at=${encodeURIComponent(new Date(moment - 30 * MINUTE + 1_000).toISOString())}`);
    expect(atLead.status).toBe('open');
    expect(atLead.planRatio).toBe(1.5);
    expect(spiked(atLead)).toMatchObject({ lastTime: { asked: 12, unmatched: 12, answered: 0 }, expected: 18, now: { kind: 'unmatched' }, gapId: null });
    expect(atLead.entries[0]!.representative).toBe(spiked(atLead)!.representative);
    const answered = atLead.entries.find((entry) => entry.examples.includes(ANSWERED));
    expect(answered).toMatchObject({ lastTime: { asked: 4 }, expected: 6, now: { kind: 'answered', answerId: 'delivery-time' } });
    expect(answered!.now.kind === 'answered' && answered!.now.reply).toBeTruthy();
    // Only the 30 minutes after the moment count: the noise before and after it is not listed.
    expect(atLead.entries.some((entry) => entry.examples.includes('发票怎么开'))).toBe(false);

    // Now (within the lead): the same, and the spike is a predicted gap in the inbox, first by expected cost.
    const open = await briefing();
    expect(open.status).toBe('open');
    const gapId = spiked(open)?.gapId;
    expect(gapId, JSON.stringify(open)).toBeTruthy();
    const inbox = z.array(gapSchema).parse((await call(api.url!, 'GET', `/api/gaps?shop=${SHOP}`, wang)).body);
    const predicted = inbox.find((gap) => gap.gapId === gapId);
    expect(predicted).toMatchObject({ status: 'open', volume: { total: 0 }, predicted: { momentLabel: '20:00 付尾款', expectedCost: 36 } });
    expect(inbox[0]!.gapId).toBe(gapId);

    // The trainer claims it and publishes an answer with the gap's wordings as examples, as for a live gap.
    const claimed = await call(api.url!, 'POST', `/api/gaps/${gapId}/claim`, wang);
    expect(claimed.status, JSON.stringify(claimed.body)).toBe(200);
    expect(gapSchema.parse(claimed.body)).toMatchObject({ status: 'claimed', claimedBy: { actor: { login: 'wang' } } });
    const patch = {
      op: 'new_answer',
      scope: { pack: 'shop', shopId: SHOP },
      answer: { id: ANSWER_ID, topic: 'payment', stage: 'in_sale', examples: SPIKED, reply: { type: 'text', text: '尾款支持数字人民币红包支付，结算时选择数字人民币即可。' } },
    };
    const preview = await call(api.url!, 'POST', '/api/kb/preview', wang, { patch, baseRevision: 0, gapId });
    expect(preview.status, JSON.stringify(preview.body)).toBe(200);
    // The preview replays last time's wordings, which the predicted gap holds.
    expect(preview.body, JSON.stringify({ preview: preview.body, predicted })).toMatchObject({ gapQuestions: { total: SPIKED.length, answered: SPIKED.length } });
    const published = await call(api.url!, 'POST', '/api/kb/patches', wang, { patch, baseRevision: 0, gapId });
    expect(published.status, JSON.stringify(published.body)).toBe(201);
    let gap: Gap | undefined;
    await waitFor(async () => (gap = gapSchema.parse((await call(api!.url!, 'GET', `/api/gaps/${gapId}`, wang)).body)).status === 'published', 10_000, () => JSON.stringify(gap));

    // The briefing shows it answered, by the new answer with its reply (after its 5-second cache).
    let after: Briefing | undefined;
    await waitFor(async () => spiked((after = await briefing()))?.now.kind === 'answered', 15_000, () => JSON.stringify(after));
    expect(spiked(after!)!.now).toMatchObject({ kind: 'answered', answerId: ANSWER_ID, reply: '尾款支持数字人民币红包支付，结算时选择数字人民币即可。', revision: 1 });

    // When the moment comes, the bot answers it.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, moment - Date.now() + 500)));
    const reply = await call(bot.url!, 'POST', '/api/chat', null, { shopId: SHOP, sessionId: 's-moment', customerId: 'c-moment', text: SPIKED[2] });
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    const chat: ChatReply = chatReplySchema.parse(reply.body);
    expect(chat).toMatchObject({ outcome: 'answered', answer: { answerId: ANSWER_ID } });

    // After the moment: last time's hit rate in its window (4 of 16) against now's.
    let afterMoment: Briefing | undefined;
    await waitFor(async () => (afterMoment = await briefing()).status === 'after' && afterMoment.hitRate?.now !== null, 20_000, () => JSON.stringify(afterMoment));
    expect(afterMoment!.hitRate).toEqual({ lastTime: 0.25, now: 1 });
  }, 180_000);
});
