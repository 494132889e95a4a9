import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../common/clock';
import { KbService } from '../kb/kb.service';
import { MetricsRepository, type AnswerWording, type MetricsWindowRange } from '../repositories/metrics.repository';
import type { TopQuestionLabel } from './live-figures';

/** How old a view's wordings may grow before they are read again (in the background; the wall shows the last). */
export const WORDINGS_MAX_AGE_MS = 5_000;

interface ViewWordings {
  readAt: number;
  /** null: read, and no wording found (every question of it was blank). */
  byAnswer: Map<string, AnswerWording | null>;
  running: Promise<void> | null;
}

/**
 * What the wall shows of each top-10 answer instead of its id: the customers' most asked wording (read from
 * raw events, so at most every few seconds per view and only for the listed answers) and the answer's title
 * (read from the knowledge base at every snapshot, so a published patch renames it at once).
 *
 * Only an answer new to a view's list waits for its wording; a view's known wordings are refreshed in the
 * background, as conversion is.
 */
@Injectable()
export class TopQuestionLabels {
  private readonly logger = new Logger(TopQuestionLabels.name);
  /** By (source, shop, window length): a handful, as many as the views the walls watch. */
  private readonly views = new Map<string, ViewWordings>();

  constructor(
    private readonly metrics: MetricsRepository,
    private readonly kb: KbService,
    private readonly clock: Clock,
  ) {}

  async of(range: MetricsWindowRange, answerIds: readonly string[]): Promise<Map<string, TopQuestionLabel>> {
    if (answerIds.length === 0) return new Map();
    const key = `${range.source}|${range.shop}|${range.to.getTime() - range.from.getTime()}`;
    let view = this.views.get(key);
    if (!view) {
      view = { readAt: 0, byAnswer: new Map(), running: null };
      this.views.set(key, view);
    }
    const missing = answerIds.some((id) => !view.byAnswer.has(id));
    if (missing || this.clock.now() - view.readAt >= WORDINGS_MAX_AGE_MS) {
      const reading = this.read(view, range, answerIds);
      if (missing) await reading;
    }
    const labels = new Map<string, TopQuestionLabel>();
    for (const answerId of answerIds) {
      const wording = view.byAnswer.get(answerId);
      labels.set(answerId, { wording: wording?.text ?? null, title: wording ? this.titleOf(wording.shopId, answerId) : null });
    }
    return labels;
  }

  private read(view: ViewWordings, range: MetricsWindowRange, answerIds: readonly string[]): Promise<void> {
    if (view.running) return view.running;
    const startedAt = this.clock.now();
    const running = this.metrics
      .mostAskedWordings(range, answerIds)
      .then((wordings) => {
        const found = new Map(wordings.map((wording) => [wording.answerId, wording]));
        view.byAnswer = new Map(answerIds.map((answerId) => [answerId, found.get(answerId) ?? null]));
        view.readAt = startedAt;
      })
      // A failed read keeps the last wordings: the figures around them are still right.
      .catch((error: unknown) => this.logger.warn(`top-10 wordings not read: ${(error as Error).message}`))
      .finally(() => {
        view.running = null;
      });
    view.running = running;
    return running;
  }

  /** The answer's first example question, as the shop's knowledge base holds it now. */
  private titleOf(shopId: string, answerId: string): string | null {
    return this.kb.effectiveVersion(shopId, answerId)?.content?.examples[0] ?? null;
  }
}
