/**
 * Two api processes on one broker and one store (issue 20, "api replicas"): gap state and claims every
 * process agrees on. Real child processes (as production runs them) behind no proxy: each test talks to
 * both. Checked: both show the same gaps (ids, counts, states, owners); two trainers claiming one gap at
 * the same moment on the two processes get one 200 and one 409 that names the winner, and both processes
 * then show the winner as the owner, several rounds in a row; the decided claims are stored once; a
 * restarted process comes back with the same owner. And the sign-in throttle counts across processes: 40
 * parallel wrong passwords spread over both get at most 5 answers of 401, the rest 429, and an admin's
 * unlock on one process lifts the lock on the other.
 */
import { gapSchema, type ChatEvent, type Gap } from '@warroom/contracts';
import type { AppProcess } from '../../infra/dev/app-process';
import { userIdFor } from '../../apps/api/src/auth/user-directory';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { questionEvent } from '../support/events';
import { call, oneTimePasswordCatcher, setUpUsers, signIn } from '../support/http';
import { KIOSK_TOKEN, usePipeline, waitFor } from '../support/pipeline';

const SHOP = 'shop-replicas';
const RUN = `gr${process.pid}`;
const PASSWORD = 'correct horse battery staple';
const ROUNDS = 3;
/**
 * Both processes poll the store this often, so a new gap shows on both within a second or so. The web
 * app's sources stand in for its build (its index.html is all a start checks): no page is loaded here.
 */
const API_ENV = { GAP_POLL_MS: '200', WEB_DIST_DIR: 'apps/web' };

let sequence = 0;
function unmatched(text: string): ChatEvent {
  sequence += 1;
  return questionEvent({
    eventId: `${RUN}-${sequence}`,
    eventTime: new Date(Date.now() - 60_000).toISOString(),
    shopId: SHOP,
    sessionId: `${RUN}-s${sequence}`,
    text,
    outcome: 'unmatched',
    bestCandidate: null,
    match: undefined,
  });
}

/** What two processes must agree on about a gap (cost moves with the clock, so it is left out). */
function agreed(gap: Gap): { gapId: string; total: number; status: string; owner: string | null; mergedIds: string[] } {
  return { gapId: gap.gapId, total: gap.volume.total, status: gap.status, owner: gap.claimedBy?.actor.login ?? null, mergedIds: [...gap.mergedIds].sort() };
}

const conflictBodySchema = z.object({ statusCode: z.literal(409), message: z.string(), gap: gapSchema });

describe('gap claims across api processes', () => {
  const pipeline = usePipeline();
  const apis: { url: string; process: AppProcess }[] = [];
  let tokens: Record<string, string> = {};

  async function startApi(onLog?: (line: string) => void): Promise<{ url: string; process: AppProcess }> {
    const process = await pipeline().startApp('api', API_ENV, onLog ? { onLog } : {});
    if (process.url === null) throw new Error('the api printed no url');
    return { url: process.url, process };
  }

  async function gapsOn(url: string): Promise<Gap[]> {
    const reply = await call(url, 'GET', `/api/gaps?shop=${SHOP}&limit=500`, KIOSK_TOKEN);
    if (reply.status !== 200) throw new Error(`GET /api/gaps on ${url}: ${reply.status} ${JSON.stringify(reply.body)}`);
    return z.array(gapSchema).parse(reply.body).sort((a, b) => a.gapId.localeCompare(b.gapId));
  }

  async function gapOn(url: string, gapId: string): Promise<Gap> {
    const reply = await call(url, 'GET', `/api/gaps/${gapId}`, KIOSK_TOKEN);
    if (reply.status !== 200) throw new Error(`GET /api/gaps/${gapId} on ${url}: ${reply.status} ${JSON.stringify(reply.body)}`);
    return gapSchema.parse(reply.body);
  }

  /** Waits until every process shows the same gaps of the shop, and returns them. */
  async function sameGapsEverywhere(check: (gaps: Gap[]) => boolean): Promise<Gap[]> {
    let views: Gap[][] = [];
    await waitFor(
      async () => {
        views = await Promise.all(apis.map((api) => gapsOn(api.url)));
        const [first, ...others] = views.map((gaps) => JSON.stringify(gaps.map(agreed)));
        return check(views[0]!) && others.every((other) => other === first);
      },
      60_000,
      () => `the processes show different gaps: ${JSON.stringify(views.map((gaps) => gaps.map(agreed)))}`,
    );
    return views[0]!;
  }

  beforeAll(async () => {
    await pipeline().startApp('ingest');
    const firstAdmin = oneTimePasswordCatcher();
    apis.push(await startApi(firstAdmin.onLog));
    apis.push(await startApi());
    tokens = await setUpUsers(apis[0]!.url, firstAdmin.password(), [
      { login: 'tina', displayName: 'Tina', role: 'trainer', grade: 'junior' },
      { login: 'tom', displayName: 'Tom', role: 'trainer', grade: 'junior' },
    ]);
  }, 240_000);

  afterAll(async () => {
    await Promise.all(apis.map((api) => api.process.stop()));
  });

  let gapId = '';

  it('shows the same gaps, with the same ids, counts and states, on both processes', async () => {
    const questions = ['以旧换新怎么折算价格', '旧手机以旧换新能折算多少钱', '以旧换新折算价格怎么算', '国家补贴资格怎么领取', '国补资格在哪里领'];
    // One key, so one partition: the gaps cluster in the order ingest stores, and since ingest writes one INSERT
    // per partition, questions spread over partitions could be stored, and so clustered, in another order.
    await pipeline().produce(questions.map(unmatched).map((event) => ({ key: 'gap-topics', value: JSON.stringify(event) })));
    const gaps = await sameGapsEverywhere((list) => list.reduce((sum, gap) => sum + gap.volume.total, 0) === questions.length);
    expect(gaps.length).toBeGreaterThanOrEqual(2);
    const tradeIn = gaps.find((gap) => gap.examples.some((example) => example.includes('以旧换新')));
    expect(tradeIn?.volume.total).toBe(3);
    gapId = tradeIn!.gapId;
  }, 120_000);

  it('decides two claims made at the same moment on two processes once: one 200, one 409 naming the winner, one owner everywhere', async () => {
    const [first, second] = apis;
    for (let round = 1; round <= ROUNDS; round += 1) {
      const [tina, tom] = await Promise.all([
        call(first!.url, 'POST', `/api/gaps/${gapId}/claim`, tokens.tina!),
        call(second!.url, 'POST', `/api/gaps/${gapId}/claim`, tokens.tom!),
      ]);
      const statuses = [tina.status, tom.status].sort();
      expect(statuses, `round ${round}: ${JSON.stringify([tina.body, tom.body])}`).toEqual([200, 409]);
      const [winner, won, lost] = tina.status === 200 ? ['tina', tina, tom] : ['tom', tom, tina];
      expect(gapSchema.parse(won.body).claimedBy?.actor.login).toBe(winner);
      const refusal = conflictBodySchema.parse(lost.body);
      expect(refusal.message).toContain(`claimed by ${winner} since `);
      expect(refusal.gap.claimedBy?.actor.login).toBe(winner);

      // Both processes show the winner, at once for the one that answered and within a poll for the other.
      await waitFor(
        async () => (await Promise.all(apis.map((api) => gapOn(api.url, gapId)))).every((gap) => gap.claimedBy?.actor.login === winner),
        20_000,
        async () => `owners: ${JSON.stringify(await Promise.all(apis.map(async (api) => (await gapOn(api.url, gapId)).claimedBy)))}`,
      );
      const released = await call(first!.url, 'POST', `/api/gaps/${gapId}/release`, tokens[winner]!);
      expect(released.status, JSON.stringify(released.body)).toBe(200);
      await sameGapsEverywhere((gaps) => gaps.find((gap) => gap.gapId === gapId)?.status === 'open');
    }

    // Every decided claim and release is stored once, although both processes store what they apply.
    const result = await pipeline().clickhouse.query({
      query: `SELECT action, count() AS rows, uniqExact(action_id) AS actions FROM gap_lifecycle WHERE gap_id = {gapId:String} GROUP BY action ORDER BY action`,
      query_params: { gapId },
      format: 'JSONEachRow',
    });
    const stored = z.array(z.object({ action: z.string(), rows: z.coerce.number(), actions: z.coerce.number() })).parse(await result.json());
    expect(stored).toEqual([
      { action: 'claim', rows: ROUNDS, actions: ROUNDS },
      { action: 'release', rows: ROUNDS, actions: ROUNDS },
    ]);
  }, 240_000);

  it('brings a restarted process back with the same gaps and owner', async () => {
    const claimed = await call(apis[1]!.url, 'POST', `/api/gaps/${gapId}/claim`, tokens.tom!);
    expect(claimed.status, JSON.stringify(claimed.body)).toBe(200);
    const before = await sameGapsEverywhere((gaps) => gaps.find((gap) => gap.gapId === gapId)?.claimedBy?.actor.login === 'tom');

    await apis[1]!.process.stop();
    apis[1] = await startApi();
    const after = await sameGapsEverywhere((gaps) => gaps.length === before.length);
    expect(after.map(agreed)).toEqual(before.map(agreed));
    // A claim on the restarted process is decided by the same log: Tom still holds it.
    const tina = await call(apis[1].url, 'POST', `/api/gaps/${gapId}/claim`, await signIn(apis[1].url, 'tina', `${PASSWORD} (own)`));
    expect(tina.status, JSON.stringify(tina.body)).toBe(409);
    expect(conflictBodySchema.parse(tina.body).message).toContain('claimed by tom since ');
  }, 180_000);

  it('counts sign-in attempts across processes: 40 parallel wrong passwords over both get at most 5 checks, and an unlock on one lifts the lock on the other', async () => {
    const guesses = await Promise.all(
      Array.from({ length: 40 }, (_, i) => call(apis[i % 2]!.url, 'POST', '/api/auth/login', null, { login: 'tom', password: `guess ${i}` })),
    );
    const statuses = guesses.map((reply) => reply.status);
    expect(statuses.every((status) => status === 401 || status === 429), JSON.stringify(statuses)).toBe(true);
    expect(statuses.filter((status) => status === 401).length, JSON.stringify(statuses)).toBeLessThanOrEqual(5);
    // Locked on both processes, for the right password too.
    for (const api of apis) expect((await call(api.url, 'POST', '/api/auth/login', null, { login: 'tom', password: `${PASSWORD} (own)` })).status).toBe(429);

    const unlocked = await call(apis[0]!.url, 'POST', `/api/users/${userIdFor('tom')}/unlock`, tokens.admin!);
    expect(unlocked.status, JSON.stringify(unlocked.body)).toBe(200);
    expect((await call(apis[1]!.url, 'POST', '/api/auth/login', null, { login: 'tom', password: `${PASSWORD} (own)` })).status).toBe(200);
  }, 120_000);
});
