import { Injectable } from '@nestjs/common';
import { PREVIEW_CAP, type BotPreviewRequest, type BotPreviewResponse, type EventSource, type NearestAnswer, type PatchPreview, type PatchRequest } from '@warroom/contracts';
import { normalizeQuestion } from '@warroom/matcher';
import { Conflict, Unprocessable } from '@warroom/nest-common';
import { GapsService } from '../gaps/gaps.service';
import { maskPii } from '../common/pii-mask';
import { BotRepository } from '../repositories/bot.repository';
import { RecentQuestionsRepository } from '../repositories/recent-questions.repository';
import { KbService } from './kb.service';
import { PreviewTooLargeError, splitPreview } from './preview-requests';

/** How far back the preview replays the shop's questions. */
const RECENT_MS = 30 * 60_000;

/** A patch the log would reject (or too large to replay): 409 with the reason, as a publish would get. */
function wouldBeRejected(reason: string): Conflict {
  return new Conflict(`this patch would be rejected: ${reason}`, { reason });
}

type BotPreviewOutcome = Extract<BotPreviewResponse, { status: 'applied' }>['outcomes'][number];

/**
 * What the patch editor asks of the answer engine. Preview before publish: the gap's questions and the distinct questions of the last 30 minutes (at
 * most PREVIEW_CAP, the gap's first) replayed by the answer engine against its knowledge base as it is
 * and with the patch applied, sent in as many requests as its body limit needs. Says how many unmatched ones the patch would answer and lists every
 * question whose answer would change, masked like all customer text leaving the api.
 */
@Injectable()
export class PreviewService {
  constructor(
    private readonly kb: KbService,
    private readonly gaps: GapsService,
    private readonly recent: RecentQuestionsRepository,
    private readonly bot: BotRepository,
  ) {}

  async preview(request: PatchRequest, source: EventSource): Promise<PatchPreview> {
    const started = performance.now();
    const gapQuestions = request.gapId ? await this.gaps.questionsOf(request.gapId) : [];
    const gapShop = request.gapId ? ((await this.gaps.get(request.gapId))?.shopId ?? null) : null;
    const shopId = this.shopOf(request, gapShop);
    if (shopId === null) throw new Unprocessable('an industry-wide patch is previewed in one shop: link it to a gap');

    const recent = await this.recent.distinctTexts(shopId, source, new Date(Date.now() - RECENT_MS), PREVIEW_CAP);
    const seen = new Set<string>();
    const questions: string[] = [];
    let gapCount = 0;
    let capped = false;
    for (const [text, fromGap] of [...gapQuestions.map((text) => [text, true] as const), ...recent.map((text) => [text, false] as const)]) {
      const key = normalizeQuestion(text);
      if (key === '' || seen.has(key)) continue;
      if (questions.length >= PREVIEW_CAP) {
        capped = true;
        break;
      }
      seen.add(key);
      questions.push(text);
      if (fromGap) gapCount += 1;
    }
    if (recent.length >= PREVIEW_CAP) capped = true;

    let parts: BotPreviewRequest[];
    try {
      parts = splitPreview({ shopId, patch: request.patch, baseRevision: request.baseRevision, questions });
    } catch (error) {
      if (error instanceof PreviewTooLargeError) throw wouldBeRejected(error.message);
      throw error;
    }
    // One request after the other: the bot replays each in slices between its customers' questions.
    const outcomes: BotPreviewOutcome[] = [];
    for (const part of parts) {
      const replay = await this.bot.preview(part);
      if (replay.status === 'rejected') throw wouldBeRejected(replay.reason);
      if (replay.outcomes.length !== part.questions.length) {
        throw new Error(`the answer engine replayed ${replay.outcomes.length} of ${part.questions.length} questions`);
      }
      outcomes.push(...replay.outcomes);
    }
    const changed: PatchPreview['changed'] = [];
    let gapAnswered = 0;
    let newlyAnswered = 0;
    outcomes.forEach((outcome, index) => {
      const text = questions[index]!;
      if (index < gapCount && outcome.after !== null) gapAnswered += 1;
      if (outcome.before === null && outcome.after !== null) newlyAnswered += 1;
      if (outcome.before !== outcome.after) changed.push({ text: maskPii(text), before: outcome.before, after: outcome.after });
    });
    return {
      replayed: questions.length,
      cap: PREVIEW_CAP,
      capped,
      gapQuestions: { total: gapCount, answered: gapAnswered },
      newlyAnswered,
      changed,
      tookMs: Math.round(performance.now() - started),
    };
  }

  /** The existing answers the answer engine ranks nearest to a question, with what a patch of each is based on. */
  async nearest(shopId: string, text: string): Promise<NearestAnswer[]> {
    const ranking = await this.bot.match({ shopId, text, topK: 3 });
    return ranking.candidates.flatMap((candidate) => {
      const version = this.kb.effectiveVersion(shopId, candidate.answerId);
      if (!version?.content) return [];
      return [{ answerId: candidate.answerId, score: candidate.score, target: version.target, revision: version.revision, reply: version.content.reply }];
    });
  }

  private shopOf(request: PatchRequest, gapShop: string | null): string | null {
    const { patch } = request;
    if (patch.op === 'set_product_attribute') return patch.shopId;
    if (patch.scope.pack === 'shop') return patch.scope.shopId;
    return gapShop;
  }
}
