/**
 * Phase 2b: gap claims across api processes. Questions nobody answers are produced straight to chat.events
 * (one topic per gap); once every api process lists the gaps, two trainers on two different processes claim
 * the same gap at the same moment, gap after gap. Each race must be decided once: one 2xx, the other not,
 * and every process showing the winner as the owner afterwards.
 */
import { gapSchema, type Gap } from '@warroom/contracts';
import { z } from 'zod';
import { eventually } from '../chaos/checks';
import { KIOSK_TOKEN, type RestartablePart, type System } from '../chaos/system';
import { questionEvent } from '../support/events';
import { call } from '../support/http';
import { claimConflict, countClaimConflicts, type ClaimRace } from './report';

const SHOP = 'scale-gaps';
/** Topics the demo packs know nothing about, far enough apart not to cluster together; two wordings each. */
const TOPICS: readonly (readonly [string, string])[] = [
  ['能寄到南极科考站吗', '南极科考站可以送货吗'],
  ['数字人民币红包能用来付款吗', '付款能用数字人民币红包吗'],
  ['以旧换新怎么折算价格', '以旧换新的折算标准是什么'],
  ['国家补贴资格怎么领取', '国补资格在哪里领'],
  ['可以用比特币支付吗', '比特币付款支持吗'],
  ['发票抬头能写外国公司吗', '外国公司抬头的发票能开吗'],
  ['能帮我刻字定制吗', '定制刻字服务有吗'],
  ['宠物可以一起来门店吗', '门店允许带宠物吗'],
];
const GAPS_TIMEOUT_MS = 120_000;
/** How long the processes may take to agree on a claim's owner once both claims were answered. */
const AGREE_WITHIN_MS = 10_000;

export interface ClaimsResult {
  gapClaimConflicts: number | null;
  failures: string[];
}

export async function raceClaims(
  system: System,
  apis: readonly RestartablePart[],
  trainers: readonly [{ login: string; token: string }, { login: string; token: string }],
  options: { gaps: number; runId: string; log: (line: string) => void },
): Promise<ClaimsResult> {
  if (options.gaps > TOPICS.length) throw new Error(`at most ${TOPICS.length} gap topics, asked for ${options.gaps}`);
  if (apis.length < 2) throw new Error('claim races need two api processes');
  const failures: string[] = [];
  const topics = TOPICS.slice(0, options.gaps);
  const events = topics.flatMap((wordings, topic) =>
    wordings.map((text, wording) =>
      questionEvent({
        eventId: `scale-${options.runId}-gap-${topic}-${wording}`,
        shopId: SHOP,
        sessionId: `scale-${options.runId}-gap-${topic}-${wording}`,
        text,
        outcome: 'unmatched',
        bestCandidate: null,
        match: undefined,
      }),
    ),
  );
  await system.produce(events.map((event) => ({ key: event.sessionId, value: Buffer.from(JSON.stringify(event)) })));

  const openGaps = async (api: RestartablePart): Promise<Gap[]> => {
    const reply = await call(api.url, 'GET', `/api/gaps?shop=${SHOP}&status=open`, KIOSK_TOKEN);
    if (reply.status !== 200) throw new Error(`${api.name}: GET /api/gaps ${reply.status}`);
    return z.array(gapSchema).parse(reply.body);
  };
  // Every process lists every topic's gap before the races start: a claim on a gap a process has not seen is no race.
  const listed = await eventually(async () => (await Promise.all(apis.map(openGaps))).every((gaps) => gaps.length >= topics.length), GAPS_TIMEOUT_MS, 500);
  const gaps = await openGaps(apis[0]!);
  if (!listed) failures.push(`${topics.length} gaps were produced; within ${GAPS_TIMEOUT_MS} ms not every api process listed them (the first lists ${gaps.length})`);
  if (gaps.length === 0) return { gapClaimConflicts: null, failures: [...failures, 'no gap to race claims over'] };

  const races: ClaimRace[] = [];
  for (const [n, gap] of gaps.entries()) {
    const contenders = trainers.map((trainer, side) => ({ ...trainer, api: apis[(n + side) % apis.length]! }));
    const statuses = (await Promise.all(contenders.map((contender) => call(contender.api.url, 'POST', `/api/gaps/${gap.gapId}/claim`, contender.token)))).map((reply) => reply.status);
    const winners = contenders.filter((_, side) => statuses[side]! >= 200 && statuses[side]! < 300);
    const winner = winners.length === 1 ? winners[0]!.login : null;
    const ownersNow = (): Promise<(string | null)[]> => Promise.all(apis.map((api) => ownerOn(api, gap.gapId)));
    let ownersSeen = await ownersNow();
    // Without a single winner the race is a conflict already; with one, the processes get a moment to agree.
    if (winner !== null) {
      await eventually(
        async () => {
          ownersSeen = await ownersNow();
          return ownersSeen.every((owner) => owner === winner);
        },
        AGREE_WITHIN_MS,
        250,
      );
    }
    const race: ClaimRace = { gapId: gap.gapId, statuses, ownersSeen, winner };
    races.push(race);
    const conflict = claimConflict(race);
    options.log(conflict === null ? `gap ${gap.gapId}: ${winner ?? '?'} won on ${contenders.find((c) => c.login === winner)?.api.name ?? '?'}, every process agrees` : `conflict: ${conflict}`);
  }
  return { gapClaimConflicts: countClaimConflicts(races), failures };
}

/** The owner's login as one api process shows it (null: unclaimed, or the process does not have the gap). */
async function ownerOn(api: RestartablePart, gapId: string): Promise<string | null> {
  const reply = await call(api.url, 'GET', `/api/gaps/${gapId}`, KIOSK_TOKEN);
  if (reply.status !== 200) return null;
  return gapSchema.parse(reply.body).claimedBy?.actor.login ?? null;
}
