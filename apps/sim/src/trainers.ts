import {
  canTakeGap,
  canWriteAnswers,
  type Gap,
  type PatchPreview,
  type PatchRequest,
  type ShopAnswer,
  type Stage,
  type User,
} from '@warroom/contracts';

/**
 * Simulated trainers: the people beside the wall who close gaps, played through the api's real routes
 * (sign-in, the gap list, claim, preview, publish, rollback) with the demo users' logins, so a rehearsal
 * shows what the room is for: the hit rate climbing as gaps are patched.
 *
 * Each trainer signs in, takes the costliest open gap their grade may take (the lead too), claims it, works
 * on it for a while of the curve (reading, writing, previewing), and publishes the gap's suggested patch:
 * its questions as examples of the suggested answer, or a new answer of them. Now and then a trainer adds
 * them to the wrong answer; the lead, reviewing what was published, rolls that back a while later.
 */

/** The api as a trainer uses it (api-client.ts), one signed-in session per call. */
export interface TrainerDesk {
  signIn(login: string, password: string): Promise<{ token: string; user: User }>;
  openGaps(token: string, source: string): Promise<Gap[]>;
  /** false: someone else claimed it first (409). */
  claim(token: string, gapId: string): Promise<boolean>;
  release(token: string, gapId: string): Promise<void>;
  answers(token: string, shopId: string): Promise<ShopAnswer[]>;
  preview(token: string, request: PatchRequest, source: string): Promise<PatchPreview>;
  /** The revision published. */
  publish(token: string, request: PatchRequest): Promise<{ target: string; revision: number }>;
}

export interface TrainerLogin {
  login: string;
  password: string;
}

export interface TrainerSettings {
  logins: readonly TrainerLogin[];
  source: string;
  /** Curve minutes per real minute: the trainers' minutes of work are minutes of the curve. */
  speed: number;
  /** Share of patches put on the wrong answer (a lead rolls each back). */
  wrongShare: number;
}

/** Minutes of the curve a trainer spends on a gap before publishing, by what it needs. */
export const WORK_MINUTES = { add_examples: { min: 3, max: 12 }, new_answer: { min: 8, max: 25 } } as const;
/** Minutes of the curve before the lead has reviewed a wrong patch and rolled it back. */
export const REVIEW_MINUTES = { min: 5, max: 20 } as const;
/** A trainer with nothing to take looks again after this many curve minutes. */
const IDLE_MINUTES = 2;
/** Examples a patch carries at most (the gap lists up to 10). */
const MAX_EXAMPLES = 10;
const MAX_EXAMPLE_CHARS = 200;

export interface TrainerReport {
  signedIn: number;
  claimed: number;
  claimsLost: number;
  previews: number;
  published: number;
  wrong: number;
  rolledBack: number;
  errors: number;
  lastError: string | null;
}

/**
 * The gap a trainer takes next: the costliest open one nobody claimed that their grade may take, of a shop
 * they know the answers of. Ties: the oldest first (it waited longest), then the id.
 */
export function nextGap(gaps: readonly Gap[], user: User, busy: ReadonlySet<string>): Gap | null {
  const takeable = gaps.filter((gap) => gap.status === 'open' && gap.claimedBy === null && !busy.has(gap.gapId) && canTakeGap(user, gap.grades));
  takeable.sort((a, b) => b.cost - a.cost || Date.parse(a.firstSeenAt) - Date.parse(b.firstSeenAt) || (a.gapId < b.gapId ? -1 : 1));
  return takeable[0] ?? null;
}

/** The gap's distinct example questions as a patch may carry them. */
export function patchExamples(gap: Gap): string[] {
  const seen = new Set<string>();
  for (const text of [gap.representative, ...gap.examples]) {
    const example = [...text.trim()].slice(0, MAX_EXAMPLE_CHARS).join('');
    if (example !== '') seen.add(example);
    if (seen.size === MAX_EXAMPLES) break;
  }
  return [...seen];
}

/** The stage most of the gap's questions were asked in. */
function mainStage(gap: Gap): Stage {
  const stages: Stage[] = ['pre_sale', 'in_sale', 'after_sale'];
  return stages.reduce((best, stage) => ((gap.stages[stage] ?? 0) > (gap.stages[best] ?? 0) ? stage : best), 'pre_sale');
}

/**
 * The patch a trainer publishes for a gap: the suggestion (examples for the near answer, or a new answer of
 * the gap's questions), or with `wrong` its questions added to another answer the shop already has its own
 * version of (so the lead can roll it back to the shop's previous revision). null when the trainer may not
 * write what the gap needs, or the answer it names is gone.
 */
export function suggestedPatch(
  gap: Gap,
  user: User,
  answers: readonly ShopAnswer[],
  wrong: boolean,
  rng: () => number,
): { request: PatchRequest; wrong: boolean } | null {
  const examples = patchExamples(gap);
  if (examples.length === 0) return null;
  const scope = { pack: 'shop' as const, shopId: gap.shopId };
  const live = answers.filter((answer) => answer.version.content !== null && !answer.answerId.startsWith('smalltalk.'));
  const suggested = gap.suggestion.kind === 'add_examples' ? gap.suggestion.answerId : null;
  if (wrong) {
    const others = live.filter((answer) => answer.answerId !== suggested && answer.target === `shop:${gap.shopId}/${answer.answerId}`);
    const other = others[Math.floor(rng() * others.length)];
    if (other) {
      const request: PatchRequest = { patch: { op: 'add_examples', scope, answerId: other.answerId, examples }, baseRevision: other.version.revision, gapId: gap.gapId };
      return { request, wrong: true };
    }
  }
  if (suggested !== null) {
    const answer = live.find((candidate) => candidate.answerId === suggested);
    if (!answer) return null;
    return { request: { patch: { op: 'add_examples', scope, answerId: suggested, examples }, baseRevision: answer.version.revision, gapId: gap.gapId }, wrong: false };
  }
  if (!canWriteAnswers(user)) return null;
  const request: PatchRequest = {
    patch: {
      op: 'new_answer',
      scope,
      answer: {
        id: `rehearsal-${gap.gapId.slice(0, 24).toLowerCase().replace(/[^a-z0-9-]/g, '-')}`,
        topic: 'promotion',
        stage: mainStage(gap),
        examples,
        reply: { type: 'text', text: `（演练中训练师所写）关于“${examples[0]!}”：本店客服已确认规则，请以活动页说明为准，如有疑问可转人工。` },
      },
    },
    baseRevision: 0,
    gapId: gap.gapId,
  };
  return { request, wrong: false };
}

/** Real milliseconds of `minutes` of the curve at `speed` curve minutes per real minute. */
export function realMsOfCurveMinutes(minutes: number, speed: number): number {
  return (minutes * 60_000) / speed;
}

/** A duration drawn between min and max curve minutes, nearer the lower end (most work is quick). */
export function workMinutes(range: { min: number; max: number }, rng: () => number): number {
  const u = rng();
  return range.min + (range.max - range.min) * u * u;
}

interface Published {
  request: PatchRequest;
  target: string;
  revision: number;
}

/** The trainers of a rehearsal: one loop per login, until stop(). */
export class SimulatedTrainers {
  private stopped = false;
  private readonly sleepers = new Set<() => void>();
  /** Gaps some trainer of this rehearsal is working on: nobody else starts on them. */
  private readonly busy = new Set<string>();
  /** Wrong patches, for the lead's review. */
  private readonly toReview: Published[] = [];
  readonly report: TrainerReport = {
    signedIn: 0,
    claimed: 0,
    claimsLost: 0,
    previews: 0,
    published: 0,
    wrong: 0,
    rolledBack: 0,
    errors: 0,
    lastError: null,
  };

  constructor(
    private readonly settings: TrainerSettings,
    private readonly desk: TrainerDesk,
    private readonly rng: () => number,
  ) {}

  /** Runs every trainer until stop(); resolves when all have stopped. */
  async run(): Promise<void> {
    await Promise.all(this.settings.logins.map((login) => this.trainer(login)));
  }

  stop(): void {
    this.stopped = true;
    for (const wake of this.sleepers) wake();
  }

  private async trainer(login: TrainerLogin): Promise<void> {
    let session: { token: string; user: User } | null = null;
    while (!this.stopped) {
      try {
        if (!session) {
          session = await this.desk.signIn(login.login, login.password);
          this.report.signedIn += 1;
        }
        const worked = await this.workOnce(session);
        if (session.user.role === 'lead') await this.review(session);
        if (!worked) await this.sleep(realMsOfCurveMinutes(IDLE_MINUTES, this.settings.speed));
      } catch (error) {
        this.report.errors += 1;
        this.report.lastError = `${login.login}: ${(error as Error).message}`;
        session = null;
        await this.sleep(realMsOfCurveMinutes(IDLE_MINUTES, this.settings.speed));
      }
    }
  }

  /** Takes, works on and publishes one gap; false when there was none to take. */
  private async workOnce(session: { token: string; user: User }): Promise<boolean> {
    const gaps = await this.desk.openGaps(session.token, this.settings.source);
    const gap = nextGap(gaps, session.user, this.busy);
    if (!gap) return false;
    this.busy.add(gap.gapId);
    try {
      if (!(await this.desk.claim(session.token, gap.gapId))) {
        this.report.claimsLost += 1;
        return true;
      }
      this.report.claimed += 1;
      const answers = await this.desk.answers(session.token, gap.shopId);
      const patch = suggestedPatch(gap, session.user, answers, this.rng() < this.settings.wrongShare, this.rng);
      if (!patch) {
        await this.desk.release(session.token, gap.gapId);
        return true;
      }
      const { request } = patch;
      // Half the work before the preview (reading the gap, writing), half after (checking what changes).
      const minutes = workMinutes(WORK_MINUTES[request.patch.op === 'new_answer' ? 'new_answer' : 'add_examples'], this.rng);
      await this.sleep(realMsOfCurveMinutes(minutes / 2, this.settings.speed));
      if (this.stopped) return true;
      await this.desk.preview(session.token, request, this.settings.source);
      this.report.previews += 1;
      await this.sleep(realMsOfCurveMinutes(minutes / 2, this.settings.speed));
      if (this.stopped) return true;
      const published = await this.desk.publish(session.token, request);
      this.report.published += 1;
      if (patch.wrong) {
        this.report.wrong += 1;
        this.toReview.push({ request, ...published });
      }
      return true;
    } finally {
      this.busy.delete(gap.gapId);
    }
  }

  /**
   * The lead rolls back the wrong patches published since the last review, after reading them: each answer
   * to the revision before its first wrong patch, based on its revision now (others may have patched it
   * since), which undoes every later wrong patch of it too.
   */
  private async review(session: { token: string; user: User }): Promise<void> {
    while (this.toReview.length > 0 && !this.stopped) {
      const wrong = this.toReview.shift()!;
      const { patch } = wrong.request;
      if (patch.op !== 'add_examples' || patch.scope.pack !== 'shop') continue;
      const sameTarget = this.toReview.filter((other) => other.target === wrong.target);
      this.toReview.splice(0, this.toReview.length, ...this.toReview.filter((other) => other.target !== wrong.target));
      await this.sleep(realMsOfCurveMinutes(workMinutes(REVIEW_MINUTES, this.rng), this.settings.speed));
      if (this.stopped) return;
      const current = (await this.desk.answers(session.token, patch.scope.shopId)).find((answer) => answer.answerId === patch.answerId);
      if (!current) continue;
      await this.desk.publish(session.token, {
        patch: { op: 'rollback', scope: patch.scope, answerId: patch.answerId, toRevision: wrong.revision - 1 },
        baseRevision: current.version.revision,
      });
      this.report.rolledBack += 1 + sameTarget.length;
    }
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }
}
