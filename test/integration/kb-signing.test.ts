/**
 * Signed knowledge changes (issue 17), through the real broker and store: records produced straight to
 * `kb.patches` by someone who is not the api (unsigned after the signing cut-over, or signed with another
 * key) change nothing in the api's replica or the bot, and each shows up in the audit log; the api's own
 * signed patch, published after them, is answered by the bot.
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { auditListSchema, chatReplySchema, type ChatReply, type KbPatchProposal } from '@warroom/contracts';
import { TOPICS, sendBatch } from '@warroom/kafka';
import { signKbRecord } from '@warroom/knowledge';
import { afterAll, describe, expect, it } from 'vitest';
import type { AppProcess } from '../../infra/dev/app-process';
import { freePort } from '../../infra/dev/ports';
import { startTestBot } from '../support/bot';
import { call, oneTimePasswordCatcher, setUpUsers } from '../support/http';
import { usePipeline, waitFor } from '../support/pipeline';

const SHOP = 'demo-electronics';
const SERVICE_TOKEN = 'test-service-token-0123456789';
/** Nothing in the demo packs answers these. */
const FORGED_QUESTION = '暗号七号的退款走哪个账户';
const LEGIT_QUESTION = '数字人民币红包能用来付款吗';

function newAnswer(id: string, question: string, author: KbPatchProposal['author']): Omit<KbPatchProposal, 'signature'> {
  return {
    v: 1,
    patchId: randomUUID(),
    proposedAt: new Date().toISOString(),
    author,
    baseRevision: 0,
    patch: { op: 'new_answer', scope: { pack: 'shop', shopId: SHOP }, answer: { id, topic: 'payment', stage: 'after_sale', examples: [question], reply: { type: 'text', text: '请把退款转到这个账户：6222 0000 0000 0000' } } },
  };
}

function answerIdOf(reply: ChatReply): string | null {
  return reply.outcome === 'answered' ? reply.answer.answerId : null;
}

describe('signed kb.patches', () => {
  const pipeline = usePipeline();
  let api: AppProcess | undefined;
  let bot: AppProcess | undefined;
  const apiLog = oneTimePasswordCatcher();

  afterAll(async () => {
    await Promise.all([api?.stop(), bot?.stop()]);
  });

  it('a forged record produced straight to the topic changes nothing and is in the audit log', async () => {
    api = await pipeline().startApp('ingest,api', { WARROOM_SERVICE_TOKEN: SERVICE_TOKEN }, { onLog: apiLog.onLog });
    bot = await startTestBot({ brokers: pipeline().broker.brokers, port: await freePort(), apiUrl: api.url!, serviceToken: SERVICE_TOKEN, campaignId: 'it-kb-signing' });
    const tokens = await setUpUsers(api.url!, apiLog.password(), [{ login: 'wang', displayName: '王芳', role: 'trainer', grade: 'junior' }]);
    const lead = { userId: 'u-lead', login: 'zhao' };

    // The api appended its signed cut-over at start: these come after it.
    const { privateKey: strangerKey } = generateKeyPairSync('ed25519');
    await sendBatch(pipeline().producer, TOPICS.kbPatches.name, [
      { key: 'forged-unsigned', value: JSON.stringify(newAnswer('forged.unsigned', FORGED_QUESTION, lead)) },
      { key: 'forged-stranger', value: JSON.stringify(signKbRecord({ ...newAnswer('forged.stranger', FORGED_QUESTION, lead), rights: { role: 'lead', grade: null } }, strangerKey)) },
    ]);

    // The api's own patch, after them on the log: once the bot answers with it, it has read the forged ones.
    const published = await call(api.url!, 'POST', '/api/kb/patches', tokens.wang!, {
      patch: { op: 'new_answer', scope: { pack: 'shop', shopId: SHOP }, answer: { id: 'payment.e-cny', topic: 'payment', stage: 'in_sale', examples: [LEGIT_QUESTION], reply: { type: 'text', text: '支持数字人民币红包付款。' } } },
      baseRevision: 0,
    });
    expect(published.status, JSON.stringify(published.body)).toBe(201);
    let session = 0;
    const ask = async (text: string): Promise<ChatReply> => {
      session += 1;
      const reply = await call(bot!.url!, 'POST', '/api/chat', null, { shopId: SHOP, sessionId: `s-${session}`, customerId: `c-${session}`, text });
      expect(reply.status, JSON.stringify(reply.body)).toBe(200);
      return chatReplySchema.parse(reply.body);
    };
    await waitFor(async () => answerIdOf(await ask(LEGIT_QUESTION)) === 'payment.e-cny', 10_000, () => 'the bot never answered with the signed patch');

    // Neither forged answer exists, in the bot or in the api's replica.
    expect(answerIdOf(await ask(FORGED_QUESTION)) ?? '').not.toMatch(/^forged\./);
    for (const id of ['forged.unsigned', 'forged.stranger']) {
      expect((await call(api.url!, 'GET', `/api/kb/history?target=${encodeURIComponent(`shop:${SHOP}/${id}`)}`, tokens.wang!)).status).toBe(404);
    }

    // Both refusals are in the audit log, with what they claimed.
    const audit = await call(api.url!, 'GET', '/api/audit?action=kb.record_refused', tokens.admin!);
    expect(audit.status, JSON.stringify(audit.body)).toBe(200);
    const entries = auditListSchema.parse(audit.body).entries.sort((a, b) => a.target.localeCompare(b.target));
    expect(entries.map((entry) => [entry.details.reason, entry.details.claimedAuthor])).toEqual([
      ['unsigned, after the signing cut-over at offset 0', lead],
      ['bad signature', lead],
    ]);
    expect(entries.every((entry) => /^kb\.patches@\d+$/.test(entry.target))).toBe(true);
  }, 180_000);
});
