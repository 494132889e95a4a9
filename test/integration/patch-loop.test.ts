/**
 * The live patch loop end to end (issue 7), through the real broker and ClickHouse: the bot answers
 * customers and its misses are stored by ingest; the api's gap engine groups them into a gap; a trainer
 * claims it, previews a new answer (counts checked) and publishes it through `kb.patches`; the bot answers
 * the same question from the new revision; the gap is verified with its time-to-patch. Two trainers on the
 * same base: one wins, the other gets a 409 in words and nothing is lost. A lead's rollback restores the
 * previous answer. After restarting the api and the bot, the knowledge base is the same.
 */
import { chatReplySchema, gapAnsweredSchema, gapSchema, kbPatchDecisionSchema, kbTargetVersionSchema, nearestAnswerSchema, patchPreviewSchema, type ChatReply, type Gap } from '@warroom/contracts';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startAppProcess, type AppProcess } from '../../infra/dev/app-process';
import { freePort } from '../../infra/dev/ports';
import { call, oneTimePasswordCatcher, setUpUsers } from '../support/http';
import { usePipeline, waitFor } from '../support/pipeline';

const SHOP = 'demo-electronics';
const SERVICE_TOKEN = 'test-service-token-0123456789';
/** Nothing in the demo packs is about digital-yuan red packets: the bot cannot answer these. */
const UNANSWERABLE = ['数字人民币红包能用来付款吗', '数字人民币红包可以用吗', '付款能用数字人民币红包吗', '数字人民币的红包能抵扣吗'];
const ANSWER_ID = 'payment.e-cny-red-packet';

describe('the live patch loop', () => {
  const pipeline = usePipeline();
  let api: AppProcess | undefined;
  let bot: AppProcess | undefined;
  let botPort = 0;
  const apiLog = oneTimePasswordCatcher();

  afterAll(async () => {
    await Promise.all([api?.stop(), bot?.stop()]);
  });

  async function startApi(): Promise<AppProcess> {
    return pipeline().startApp('ingest,api', { WARROOM_SERVICE_TOKEN: SERVICE_TOKEN, WARROOM_BOT_URL: `http://127.0.0.1:${botPort}` }, { onLog: apiLog.onLog });
  }
  async function startBot(): Promise<AppProcess> {
    return startAppProcess({
      name: 'bot',
      entry: 'apps/bot/src/main.ts',
      env: {
        KAFKA_BROKERS: pipeline().broker.brokers,
        PORT: String(botPort),
        BOT_SHOP_IDS: 'demo-electronics,demo-home',
        BOT_KB_API_URL: api!.url!,
        BOT_KB_API_TOKEN: SERVICE_TOKEN,
        BOT_SPOOL_DIR: `.data/test-patch-loop-spool-${botPort}`,
        BOT_CAMPAIGN_ID: 'it-patch-loop',
        LOG_LEVEL: 'warn',
      },
    });
  }
  let session = 0;
  async function ask(text: string): Promise<ChatReply> {
    session += 1;
    const reply = await call(bot!.url!, 'POST', '/api/chat', null, { shopId: SHOP, sessionId: `s-${session}`, customerId: `c-${session}`, text });
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    return chatReplySchema.parse(reply.body);
  }
  const gapOf = async (token: string, gapId: string): Promise<Gap> => gapSchema.parse((await call(api!.url!, 'GET', `/api/gaps/${gapId}`, token)).body);

  it('closes a gap: unanswerable → gap → claim → preview → publish → answered → verified; 409; rollback; restart', async () => {
    botPort = await freePort();
    api = await startApi();
    bot = await startBot();
    const tokens = await setUpUsers(api.url!, apiLog.password(), [
      { login: 'wang', displayName: '王芳', role: 'trainer', grade: 'junior' },
      { login: 'li', displayName: '李强', role: 'trainer', grade: 'mid' },
      { login: 'zhao', displayName: '赵磊', role: 'lead' },
    ]);
    const [wang, li, zhao] = [tokens.wang!, tokens.li!, tokens.zhao!];

    // 1. Questions nobody can answer.
    for (const text of UNANSWERABLE) expect((await ask(text)).outcome).not.toBe('answered');

    // 2. A gap with the right volume.
    let gap: Gap | undefined;
    await waitFor(
      async () => {
        const reply = await call(api!.url!, 'GET', `/api/gaps?shop=${SHOP}`, wang);
        expect(reply.status, JSON.stringify(reply.body)).toBe(200);
        const list = z.array(gapSchema).parse(reply.body);
        gap = list.find((candidate) => candidate.examples.some((example) => example.includes('数字人民币')));
        return gap !== undefined && gap.volume.total === UNANSWERABLE.length;
      },
      30_000,
      () => `no gap of ${UNANSWERABLE.length} questions about 数字人民币 (have ${JSON.stringify(gap)})`,
    );
    const gapId = gap!.gapId;
    expect(gap).toMatchObject({ status: 'open', shopId: SHOP, volume: { window: UNANSWERABLE.length } });

    // 3. Claim, preview, publish.
    expect((await call(api.url!, 'POST', `/api/gaps/${gapId}/claim`, wang)).status).toBe(200);
    const patch = {
      op: 'new_answer',
      scope: { pack: 'shop', shopId: SHOP },
      answer: { id: ANSWER_ID, topic: 'payment', stage: 'in_sale', examples: UNANSWERABLE.slice(0, 3), reply: { type: 'text', text: '支持数字人民币红包付款，结算时选择数字人民币即可。' } },
    };
    const previewReply = await call(api.url!, 'POST', '/api/kb/preview', wang, { patch, baseRevision: 0, gapId });
    expect(previewReply.status, JSON.stringify(previewReply.body)).toBe(200);
    const preview = patchPreviewSchema.parse(previewReply.body);
    expect(preview.gapQuestions.total).toBe(UNANSWERABLE.length);
    // Its own examples for sure; the fourth wording is the matcher's call.
    expect(preview.gapQuestions.answered).toBeGreaterThanOrEqual(3);
    expect(preview.newlyAnswered).toBeGreaterThanOrEqual(preview.gapQuestions.answered);
    expect(preview.changed.filter((change) => change.after === ANSWER_ID).length).toBe(preview.newlyAnswered);
    expect(preview).toMatchObject({ cap: 5000, capped: false });

    const published = await call(api.url!, 'POST', '/api/kb/patches', wang, { patch, baseRevision: 0, gapId });
    expect(published.status, JSON.stringify(published.body)).toBe(201);
    const decision = kbPatchDecisionSchema.parse(published.body);
    expect(decision).toMatchObject({ status: 'applied', version: { revision: 1, target: `shop:${SHOP}/${ANSWER_ID}`, author: { login: 'wang' } } });

    // 4. The bot answers the same question from the new revision (within a second: it follows the log).
    const publishedAt = Date.now();
    let answered: ChatReply | undefined;
    await waitFor(async () => (answered = await ask(UNANSWERABLE[1]!)).outcome === 'answered', 5_000, () => JSON.stringify(answered));
    expect(Date.now() - publishedAt).toBeLessThan(3_000);
    expect(answered).toMatchObject({ outcome: 'answered', answer: { answerId: ANSWER_ID, revision: 1 } });

    // The editor's nearest answers now rank the new one first, with what a patch of it is based on.
    const nearest = z.array(nearestAnswerSchema).parse((await call(api.url!, 'GET', `/api/kb/nearest?shop=${SHOP}&text=${encodeURIComponent(UNANSWERABLE[0]!)}`, wang)).body);
    expect(nearest[0]).toMatchObject({ answerId: ANSWER_ID, target: `shop:${SHOP}/${ANSWER_ID}`, revision: 1 });

    // 5. The gap is published, then verified with its time-to-patch.
    await waitFor(async () => (await gapOf(wang, gapId)).status === 'verified', 30_000, async () => JSON.stringify(await gapOf(wang, gapId)));
    const verified = await gapOf(wang, gapId);
    expect(verified.published).toMatchObject({ answerId: ANSWER_ID, revision: 1, actor: { login: 'wang' } });
    expect(verified.timeToPatchMs).toBeGreaterThan(0);
    // Questions the new revision answered since it was published: at least the one asked above.
    await waitFor(async () => gapAnsweredSchema.parse((await call(api!.url!, 'GET', `/api/gaps/${gapId}/answered`, wang)).body).answered >= 1, 10_000, () => 'no answered question counted for the published revision');

    // 6. Two trainers edit revision 1: one wins, the other gets a 409 that says who and what, and keeps nothing less.
    const edit = (text: string) => ({ patch: { op: 'edit_answer', scope: { pack: 'shop', shopId: SHOP }, answerId: ANSWER_ID, reply: { type: 'text', text } }, baseRevision: 1 });
    const [fromWang, fromLi] = await Promise.all([
      call(api.url!, 'POST', '/api/kb/patches', wang, edit('王：支持数字人民币红包。')),
      call(api.url!, 'POST', '/api/kb/patches', li, edit('李：数字人民币红包可直接抵扣。')),
    ]);
    expect([fromWang.status, fromLi.status].sort()).toEqual([201, 409]);
    const loser = fromWang.status === 409 ? fromWang : fromLi;
    const winnerLogin = fromWang.status === 201 ? 'wang' : 'li';
    expect((loser.body as { message: string }).message).toMatch(new RegExp(`revision 2 was published by ${winnerLogin} \\d+ s ago: new reply text`));
    expect(kbTargetVersionSchema.parse((loser.body as { current: unknown }).current)).toMatchObject({ revision: 2, author: { login: winnerLogin } });

    // 7. A junior may not roll back someone else's revision; the lead rolls back to revision 1.
    const rollback = { patch: { op: 'rollback', scope: { pack: 'shop', shopId: SHOP }, answerId: ANSWER_ID, toRevision: 1 }, baseRevision: 2 };
    expect((await call(api.url!, 'POST', '/api/kb/patches', winnerLogin === 'wang' ? li : wang, rollback)).status).toBe(403);
    const rolledBack = await call(api.url!, 'POST', '/api/kb/patches', zhao, rollback);
    expect(rolledBack.status, JSON.stringify(rolledBack.body)).toBe(201);
    await waitFor(async () => {
      const reply = await ask(UNANSWERABLE[0]!);
      return reply.outcome === 'answered' && reply.answer.revision === 3;
    }, 5_000, () => 'the bot did not answer from revision 3');
    const restored = await ask(UNANSWERABLE[0]!);
    expect(restored).toMatchObject({ answer: { answerId: ANSWER_ID, revision: 3 }, reply: { text: '支持数字人民币红包付款，结算时选择数字人民币即可。' } });
    const history = z.array(kbTargetVersionSchema).parse((await call(api.url!, 'GET', `/api/kb/history?target=${encodeURIComponent(`shop:${SHOP}/${ANSWER_ID}`)}`, zhao)).body);
    expect(history.map((version) => [version.revision, version.op, version.author?.login])).toEqual([
      [1, 'new_answer', 'wang'],
      [2, 'edit_answer', winnerLogin],
      [3, 'rollback', 'zhao'],
    ]);

    // 8. Restart api and bot: the same knowledge base.
    const answersBefore = (await call(api.url!, 'GET', `/api/kb/answers?shop=${SHOP}`, zhao)).body;
    await Promise.all([api.stop(), bot.stop()]);
    api = await startApi();
    bot = await startBot();
    expect((await call(api.url!, 'GET', `/api/kb/answers?shop=${SHOP}`, zhao)).body).toEqual(answersBefore);
    expect(await ask(UNANSWERABLE[2]!)).toMatchObject({ outcome: 'answered', answer: { answerId: ANSWER_ID, revision: 3 } });
  }, 300_000);
});
