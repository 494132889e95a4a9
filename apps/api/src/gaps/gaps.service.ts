import { randomUUID } from 'node:crypto';
import { Conflict, Forbidden, NotFound, Unavailable } from '@warroom/nest-common';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import {
  GAPS_FRAME_LIMIT,
  canDismissGaps,
  gapLifecycleProposalSchema,
  canTakeGap,
  type Actor,
  type EventSource,
  type Gap,
  type GapAnswered,
  type GapLifecycleProposal,
  type GapListQuery,
  type GapSubscription,
  type TimeToPatch,
  type User,
} from '@warroom/contracts';
import { CampaignsService } from '../campaigns/campaigns.service';
import { Clock } from '../common/clock';
import { FixedRateLoops } from '../common/fixed-rate-loops';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import type { LogRecord } from '@warroom/kafka';
import { encodeFrame, type EncodedFrame } from '../push/frames';
import { PushHub } from '../push/push-hub';
import type { PushRooms, PushViewer } from '../push/push-rooms';
import { GapLifecycleLogRepository } from '../repositories/gap-lifecycle-log.repository';
import { GapsRepository, type StoredKey } from '../repositories/gaps.repository';
import { KnowledgePacksRepository } from '../repositories/knowledge-packs.repository';
import type { DecidedLifecycleRecord, GapInput, LifecycleAction, LifecycleRecord } from '../repositories/gap-records';
import { DEFAULT_GAP_ENGINE_SETTINGS, GapEngine, type GapChange, type Prediction } from './gap-engine';
import { mayRelease, type LifecycleDecision } from './gap-lifecycle';
import { knowledgeRepresentation } from './knowledge-representation';
import { PushThrottle } from './push-throttle';


/** What the patch loop tells `markPublished`: who published which revision of which answer, when. */
export interface Publication {
  actor: Actor;
  /** The knowledge-base target, e.g. `shop:shop-a/invoice`. */
  target: string;
  answerId: string;
  revision: number;
  /** When the patch was applied (default: now). */
  at?: Date;
}

/** Gaps and their lifecycle are rebuilt from this far back at start (and forgotten beyond it). */
export const GAP_HORIZON_MS = 24 * 3_600_000;
/**
 * Each poll re-reads what was inserted in the last few seconds before the newest row it saw (an INSERT
 * becomes visible when it completes, stamped with its start; replicas' clocks differ): the engine drops
 * events it has taken, so nothing is counted twice.
 */
const INGEST_SLACK_MS = 5_000;
/** Rows per read: one page is parsed in one go, so a page stays small enough not to hold the event loop. */
const PAGE_ROWS = 5_000;
/**
 * The engine takes a poll's questions for at most this long before letting the event loop serve sockets
 * and requests: a poll that found a backlog (a flood, a slow store) must not freeze the api while it
 * catches up, and the next poll finds less.
 */
const TAKE_SLICE_MS = 10;
const FLUSH_EVERY_MS = 100;
/** Window figures change as time passes: gaps whose window volume slid are re-sent this often. */
const SLIDE_EVERY_MS = 5_000;
const EXPIRE_EVERY_MS = 60_000;
/** How long a trainer's change waits for this process to read its decision back from the log. */
const DECISION_TIMEOUT_MS = 10_000;

/**
 * The gap engine of the `api` role. Where its events come from: it polls `chat_events` in ClickHouse every
 * GAP_POLL_MS for unmatched queries and flags of the last 24 h (event time: the primary key prunes) stored
 * since its last look (insert time: the min-max index of migration 0006 prunes), rather than consuming
 * `chat.events` itself. Ingest already stores every event exactly once; reading what it stored means the
 * gaps count exactly the events the metrics count, late events (a bot's spool) join their gaps, a restart
 * rebuilds the same gaps by re-reading the last 24 h in the order they were stored (the order the running
 * process took them in), and the api needs no consumer group of its own.
 *
 * Lifecycle changes (claim, release, publish, verify, dismiss) are decided once for the deployment, as
 * `kb.patches` decides revisions: proposed on `gap.lifecycle` (one partition: the sequencer), applied by
 * every api process in log order with the one rule of gap-lifecycle.ts, and answered by the process the
 * trainer asked only once its own replica applied the proposal from the log. So of two claims of one gap
 * made on two processes at once, the first on the log wins everywhere and the other gets the winner's
 * name. Each process stores what it applied in `gap_lifecycle` (the action id is the deduplication
 * token: stored once); a start re-applies those rows interleaved by time, then follows the log after the
 * highest offset stored.
 */
@Injectable()
export class GapsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(GapsService.name);
  private engine: GapEngine | null = null;
  private readonly ready: Promise<void>;
  private markReady!: () => void;
  private failReady!: (error: Error) => void;
  private readonly throttle = new PushThrottle();
  /** The push hub's gaps rooms: one per (source, shop) watched. */
  private readonly rooms: PushRooms<GapSubscription, null>;
  /** Window volume last pushed per gap: a slid window is re-sent. */
  private readonly pushedWindow = new Map<string, number>();
  private readonly loops = new FixedRateLoops((error) => this.logger.warn(`Gaps loop failed: ${error.message}`));
  /** A poll's batch and a batch of the log apply one at a time, so a check never sees half of one. */
  private lifecycleChain: Promise<unknown> = Promise.resolve();
  /** The next `gap.lifecycle` offset to apply; the follower may hand older ones over again. */
  private nextLogOffset = 0;
  /** Changes applied from the log, waiting to be stored (in log order; kept across a failed write). */
  private readonly unstored: DecidedLifecycleRecord[] = [];
  private storing: Promise<void> = Promise.resolve();
  /**
   * Changes from the log naming a gap this process has not read yet (its poll comes later than the
   * proposer's), in log order: applied when the gap opens here.
   */
  private readonly deferred: { record: LifecycleRecord; offset: number }[] = [];
  /** Requests of this process waiting for their proposal's decision, by action id. */
  private readonly waiters = new Map<string, (decision: LifecycleDecision | null) => void>();
  /** Verifications proposed and not yet read back from the log, so a poll does not propose one twice. */
  private readonly proposedVerifications = new Set<string>();
  /** Insert time from which the polls read (a little before the newest row seen). */
  private gapCursor = 0;
  private verifyCursor: { ingestedFrom: number; firstAfterStart: boolean } = { ingestedFrom: 0, firstAfterStart: true };
  private pollFailing = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repository: GapsRepository,
    private readonly log: GapLifecycleLogRepository,
    private readonly packs: KnowledgePacksRepository,
    private readonly campaigns: CampaignsService,
    private readonly clock: Clock,
    hub: PushHub,
  ) {
    this.rooms = hub.serve('gaps', {
      key: (query) => `${query.source}|${query.shop}`,
      open: () => null,
      subscribe: (viewer, query) => this.subscribe(viewer, query),
    });
    this.ready = new Promise<void>((resolve, reject) => {
      this.markReady = resolve;
      this.failReady = reject;
    });
    // Callers await `ready`; a failed rebuild is reported to them, and logged once here.
    this.ready.catch(() => undefined);
  }

  onApplicationBootstrap(): void {
    const represent = knowledgeRepresentation(this.packs.readAll());
    this.engine = new GapEngine(
      { ...DEFAULT_GAP_ENGINE_SETTINGS, windowMs: this.config.gaps.windowMs, emotionWeights: this.config.gaps.emotionWeights },
      represent,
    );
    void this.rebuild()
      .then(() => this.log.follow(BigInt(this.nextLogOffset), (records) => this.onLogRecords(records)))
      .then(() => {
        this.markReady();
        this.loops.start(this.config.gaps.pollMs, () => this.poll());
        this.loops.start(FLUSH_EVERY_MS, () => Promise.resolve(this.flushGrowth()));
        this.loops.start(SLIDE_EVERY_MS, () => Promise.resolve(this.pushSlid()));
        this.loops.start(EXPIRE_EVERY_MS, () => Promise.resolve(this.expire()));
      })
      .catch((error: unknown) => {
        this.logger.error(`Gaps could not be rebuilt: ${(error as Error).message}`);
        this.failReady(error as Error);
      });
  }

  onApplicationShutdown(): void {
    this.loops.stop();
  }

  // ---- reads ----------------------------------------------------------------------------------------

  /** Gaps of a source (and shop), cost descending. */
  async list(query: GapListQuery): Promise<Gap[]> {
    const engine = await this.readyEngine();
    return engine.list(query, this.clock.now());
  }

  /** One gap by its id or by the id of a gap merged into it; null when unknown. */
  async get(gapId: string): Promise<Gap | null> {
    const engine = await this.readyEngine();
    return engine.view(gapId, this.clock.now());
  }

  /**
   * How many questions the bot answered with the gap's published revision (or a later one) since it
   * was published: the trainer's "is it working" counter. Null for an unknown or unpublished gap.
   */
  async answeredSincePublished(gapId: string): Promise<GapAnswered | null> {
    const gap = await this.get(gapId);
    const published = gap?.published;
    if (!gap || !published) return null;
    const answered = await this.repository.countAnswered({
      source: gap.source,
      shopId: gap.shopId,
      answerId: published.answerId,
      minRevision: published.revision,
      since: new Date(published.at),
    });
    return { gapId: gap.gapId, answerId: published.answerId, revision: published.revision, since: published.at, answered };
  }

  /**
   * Raw (unmasked) question texts of the gap's cluster, distinct, newest first, at most 500: what the patch
   * preview replays. Empty for an unknown gap (check with `get` first to tell that apart).
   */
  async questionsOf(gapId: string): Promise<string[]> {
    const engine = await this.readyEngine();
    return engine.questionsOf(gapId) ?? [];
  }

  /**
   * Time-to-patch over the gaps of a source (and shop) verified since the running campaign started (its
   * campaign record, else CAMPAIGN_STARTED_AT), or in the last 24 h when none runs.
   */
  timeToPatch(source: EventSource, shop: string): TimeToPatch {
    if (!this.engine) return { verified: 0, medianMs: null, p90Ms: null };
    const now = new Date(this.clock.now());
    const start = this.campaigns.runningStart({ source, shop }, now) ?? this.config.live.campaignStartedAt;
    return this.engine.timeToPatch(source, shop, start?.getTime() ?? now.getTime() - GAP_HORIZON_MS);
  }

  // ---- lifecycle ------------------------------------------------------------------------------------

  /** A trainer whose grade the gap lists, or a lead, takes the gap. */
  claim(gapId: string, by: { actor: Actor; user: User }): Promise<Gap> {
    return this.change(gapId, 'claim', by.actor, {}, (gap) =>
      canTakeGap(by.user, gap.grades) ? null : `this gap needs a trainer of grade ${gap.grades.join(', ')} or a lead`,
    );
  }

  /** The claimer (or a lead) gives the gap back. */
  release(gapId: string, by: { actor: Actor; user: User }): Promise<Gap> {
    return this.change(gapId, 'release', by.actor, {}, (gap) =>
      mayRelease(by.user, gap.claimedBy) ? null : 'only the trainer who claimed it, or a lead, may release it',
    );
  }

  /** A lead closes the gap without a patch. */
  dismiss(gapId: string, reason: string, by: { actor: Actor; user: User }): Promise<Gap> {
    return this.change(gapId, 'dismiss', by.actor, { reason }, () => (canDismissGaps(by.user) ? null : 'only a lead may dismiss gaps'));
  }

  /**
   * Called by the patch loop when a patch carrying `gapId` has been applied from the log. Idempotent: the
   * same (answer, revision) again, or an older revision, changes nothing and answers the gap. A dismissed
   * gap is a Conflict; an unknown gap NotFound.
   */
  markPublished(gapId: string, publication: Publication): Promise<Gap> {
    const at = publication.at?.getTime() ?? this.clock.now();
    return this.change(
      gapId,
      'publish',
      publication.actor,
      { target: publication.target, answerId: publication.answerId, revision: publication.revision, at },
      () => null,
    );
  }

  /**
   * The briefing's predicted topics become gaps (or mark the live gap they join): returned are their ids,
   * in order. Every api process computes the same briefing from the same store, so each holds the same
   * predicted gaps and applies their lifecycle from `gap.lifecycle` like any other gap's; a change that
   * names one this process has not predicted yet (after a restart) waits until it has.
   */
  async predict(predictions: readonly Prediction[]): Promise<string[]> {
    const engine = await this.readyEngine();
    const ids: string[] = [];
    await this.exclusive(() => {
      for (const prediction of predictions) {
        const { gapId, changes } = engine.predict(prediction);
        ids.push(gapId);
        this.publishChanges(changes);
      }
      this.applyDeferred(engine);
    });
    await this.storeDecided();
    return ids;
  }

  // ---- pushes ---------------------------------------------------------------------------------------

  /** Sends the gaps of `query` at once, then every change; returns the unsubscribe. */
  async subscribe(viewer: PushViewer, query: GapSubscription): Promise<() => void> {
    const engine = await this.readyEngine();
    const { leave } = this.rooms.join(query, viewer);
    viewer.send(
      encodeFrame('gaps', {
        source: query.source,
        shop: query.shop,
        gaps: engine.list({ ...query, status: 'active', limit: GAPS_FRAME_LIMIT }, this.clock.now()),
      }),
    );
    return leave;
  }

  // ---- internals ------------------------------------------------------------------------------------

  private async readyEngine(): Promise<GapEngine> {
    await this.ready;
    if (!this.engine) throw new Error('the gap engine is not built');
    return this.engine;
  }

  /**
   * One lifecycle change: checked (permission, then the lifecycle rule) against this replica's state,
   * proposed on `gap.lifecycle`, and answered once this replica applied it from the log: the gap as
   * changed, or a `Conflict` naming who got there first (with the gap as the log left it).
   */
  private async change(
    gapId: string,
    action: LifecycleAction,
    actor: Actor,
    fields: Partial<Pick<LifecycleRecord, 'reason' | 'target' | 'answerId' | 'revision' | 'at'>>,
    permission: (gap: Gap) => string | null,
  ): Promise<Gap> {
    let engine: GapEngine;
    try {
      engine = await this.readyEngine();
    } catch (error) {
      throw new Unavailable(`gaps are not available: ${(error as Error).message}`);
    }
    const now = this.clock.now();
    const gap = engine.view(gapId, now);
    if (!gap) throw new NotFound(`no gap ${gapId}`);
    const refused = permission(gap);
    if (refused) throw new Forbidden(refused);
    const record: LifecycleRecord = {
      actionId: randomUUID(),
      source: gap.source,
      shopId: gap.shopId,
      // The current id: a merged id resolves to the gap that absorbed it.
      gapId: gap.gapId,
      action,
      at: fields.at ?? now,
      actor,
      reason: fields.reason ?? '',
      target: fields.target ?? '',
      answerId: fields.answerId ?? '',
      revision: fields.revision ?? 0,
      refEventId: '',
    };
    // What this replica already knows is answered without the log: a repeat, or a gap taken long ago.
    const known = engine.decide(record);
    if (!known) throw new NotFound(`no gap ${gapId}`);
    if (known.kind === 'conflict') throw new Conflict(known.message, { gap });
    if (known.kind === 'unchanged') return gap;
    const decision = await this.decideOnLog(record);
    const current = engine.view(gap.gapId, this.clock.now());
    if (decision === null || !current) throw new NotFound(`no gap ${gapId}`);
    if (decision.kind === 'conflict') throw new Conflict(decision.message, { gap: current });
    return current;
  }

  /** Proposes `record` and waits until this replica applied it from the log; null: its gap is gone here. */
  private async decideOnLog(record: LifecycleRecord): Promise<LifecycleDecision | null> {
    const decided = new Promise<LifecycleDecision | null>((resolve) => this.waiters.set(record.actionId, resolve));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), DECISION_TIMEOUT_MS);
    });
    try {
      await this.log.propose(toProposal(record));
      const decision = await Promise.race([decided, timeout]);
      if (decision === 'timeout') {
        throw new Unavailable(`the ${record.action} of gap ${record.gapId} is on the log but was not applied here within ${DECISION_TIMEOUT_MS} ms; it will be`);
      }
      return decision;
    } finally {
      clearTimeout(timer);
      this.waiters.delete(record.actionId);
    }
  }

  /** Applies records of `gap.lifecycle` in log order, then stores the changes they made. */
  private async onLogRecords(records: LogRecord[]): Promise<void> {
    const engine = this.engine!;
    await this.exclusive(() => {
      for (const entry of records) {
        const offset = Number(entry.offset);
        if (offset < this.nextLogOffset) continue;
        this.nextLogOffset = offset + 1;
        const record = parseLifecycleProposal(entry.value);
        if (!record) {
          // Only the api writes this topic; a bad record is a writer's bug. Every process skips it alike.
          this.logger.error(`gap.lifecycle offset ${offset} is not a lifecycle proposal; skipped`);
          continue;
        }
        if (record.action === 'verify') this.proposedVerifications.delete(verificationKey(record));
        if (!engine.resolve(record.gapId) || this.deferred.some((waiting) => waiting.record.gapId === record.gapId)) {
          this.deferred.push({ record, offset });
          continue;
        }
        this.applyDecided(engine, record, offset);
      }
    });
    await this.storeDecided();
  }

  /** Applies one record from the log, answers the request waiting for it, and queues it for storing. */
  private applyDecided(engine: GapEngine, record: LifecycleRecord, offset: number): void {
    const { decision, changes } = engine.applyLifecycle(record);
    // Offset -1: re-read from the store at start (a predicted gap's change that waited for it), stored already.
    if (decision?.kind === 'apply' && offset >= 0) this.unstored.push({ ...record, logOffset: offset });
    this.publishChanges(changes);
    this.waiters.get(record.actionId)?.(decision);
  }

  /** Applies the deferred records whose gaps this process now holds, keeping each gap's log order. */
  private applyDeferred(engine: GapEngine): void {
    if (this.deferred.length === 0) return;
    const stillUnknown = new Set<string>();
    const kept: { record: LifecycleRecord; offset: number }[] = [];
    for (const waiting of this.deferred) {
      if (stillUnknown.has(waiting.record.gapId) || !engine.resolve(waiting.record.gapId)) {
        stillUnknown.add(waiting.record.gapId);
        kept.push(waiting);
      } else {
        this.applyDecided(engine, waiting.record, waiting.offset);
      }
    }
    this.deferred.splice(0, this.deferred.length, ...kept);
  }

  /**
   * Stores the applied changes one at a time, in log order (so the highest offset stored says every
   * change decided before it is stored). Thrown on failure: the follower hands the records over again,
   * they are skipped as applied, and the changes still unstored are written on the next try.
   */
  private storeDecided(): Promise<void> {
    const store = async (): Promise<void> => {
      while (this.unstored.length > 0) {
        await this.repository.appendLifecycle(this.unstored[0]!);
        this.unstored.shift();
      }
    };
    // One writer at a time (the log's batches and the polls both store): each change is stored once, in order.
    const result = this.storing.then(store, store);
    this.storing = result.catch(() => undefined);
    return result;
  }

  /**
   * Re-reads the last 24 h of unmatched queries and flags in the order ingest stored them (the order the
   * running process took them in) and the lifecycle rows, each applied before the first question stored
   * after it was made: this replays what the running process did, so ids, counts and states come back.
   */
  private async rebuild(): Promise<void> {
    const engine = this.engine!;
    const started = this.clock.now();
    const from = started - GAP_HORIZON_MS;
    const lastStoredOffset = await this.repository.lastLogOffset();
    const lifecycle = await this.repository.lifecycleSince(from, lastStoredOffset);
    this.nextLogOffset = lastStoredOffset + 1;
    let next = 0;
    // A change stamped (by the api's clock) before its gap's first question was stored (by ClickHouse's
    // clock) waits for the gap: two clocks apart must not lose a claim.
    const waiting: LifecycleRecord[] = [];
    const apply = (record: LifecycleRecord): void => {
      if (engine.applyLifecycle(record).decision === null) waiting.push(record);
    };
    const applyBefore = (t: number): void => {
      while (next < lifecycle.length && lifecycle[next]!.at < t) apply(lifecycle[next++]!);
    };
    let after: StoredKey | undefined;
    let rows = 0;
    for (;;) {
      const page = await this.repository.gapInputs({ from, ingestedFrom: 0 }, PAGE_ROWS, after);
      for (const { key, input } of page.rows) {
        applyBefore(key.ingestedAt);
        const opened = engine.add(input).some((change) => change.kind === 'opened');
        if (opened && waiting.length > 0) for (const record of waiting.splice(0)) apply(record);
      }
      rows += page.rows.length;
      after = page.rows.at(-1)?.key ?? after;
      if (page.rows.length < PAGE_ROWS) break;
    }
    applyBefore(Number.POSITIVE_INFINITY);
    // Predicted gaps open only when the briefing predicts them again: their changes wait for that, as a
    // change from the log naming a gap not polled yet does (stored already: storing one again is a no-op).
    if (waiting.length > 0) this.logger.log(`${waiting.length} lifecycle changes name gaps the last 24 h do not hold (predicted ones, or expired): kept until they open`);
    for (const record of waiting) this.deferred.push({ record, offset: -1 });
    this.gapCursor = (after?.ingestedAt ?? started) - INGEST_SLACK_MS;
    this.verifyCursor = { ingestedFrom: this.gapCursor, firstAfterStart: true };
    this.logger.log(`Gaps rebuilt in ${this.clock.now() - started} ms: ${rows} questions and flags, ${lifecycle.length} lifecycle changes, ${engine.size} gaps`);
  }

  private async poll(): Promise<void> {
    const engine = this.engine!;
    try {
      await this.pollGapInputs(engine);
      await this.pollVerifications(engine);
      if (this.pollFailing) this.logger.log('Gap polling recovered');
      this.pollFailing = false;
    } catch (error) {
      if (!this.pollFailing) this.logger.warn(`Gap polling failed: ${(error as Error).message}`);
      this.pollFailing = true;
    }
  }

  /** New unmatched queries and flags of the last 24 h (late ones too), in the order they were stored. */
  private async pollGapInputs(engine: GapEngine): Promise<void> {
    const position = { from: this.clock.now() - GAP_HORIZON_MS, ingestedFrom: this.gapCursor };
    let after: StoredKey | undefined;
    const inputs: GapInput[] = [];
    for (;;) {
      const page = await this.repository.gapInputs(position, PAGE_ROWS, after);
      for (const row of page.rows) inputs.push(row.input);
      after = page.rows.at(-1)?.key ?? after;
      if (page.rows.length < PAGE_ROWS) break;
    }
    // Lifecycle changes wait while the batch is applied, so a check never sees half of it.
    await this.exclusive(async () => {
      let next = 0;
      while (next < inputs.length) {
        const sliceEnd = performance.now() + TAKE_SLICE_MS;
        while (next < inputs.length && performance.now() < sliceEnd) this.publishChanges(engine.add(inputs[next++]!));
        if (next < inputs.length) await new Promise((resume) => setImmediate(resume));
      }
      this.applyDeferred(engine);
    });
    await this.storeDecided();
    if (after) this.gapCursor = Math.max(this.gapCursor, after.ingestedAt - INGEST_SLACK_MS);
  }

  /** Looks for the first question of a published gap answered by the published revision. */
  private async pollVerifications(engine: GapEngine): Promise<void> {
    const answerIds = engine.pendingAnswerIds();
    const earliest = engine.earliestPendingPublication();
    if (answerIds.length === 0 || earliest === null) return;
    // After a start, everything since the publication (questions answered while the api was down); then
    // what was stored since the last look.
    const batch = await this.repository.answeredBy(answerIds, {
      from: Math.max(earliest, this.clock.now() - GAP_HORIZON_MS),
      ingestedFrom: this.verifyCursor.firstAfterStart ? 0 : this.verifyCursor.ingestedFrom,
    });
    // Proposed on the log like a trainer's change (every process finds the same question; the first
    // verification on the log applies, the others change nothing). Should a proposal fail, the poll fails
    // before its cursor moves, so the question is found again.
    for (const answered of batch.rows) {
      const verification = engine.verification(answered);
      if (!verification) continue;
      const key = verificationKey(verification);
      if (this.proposedVerifications.has(key)) continue;
      this.proposedVerifications.add(key);
      const record: LifecycleRecord = { actionId: randomUUID(), ...verification };
      try {
        await this.log.propose(toProposal(record));
      } catch (error) {
        this.proposedVerifications.delete(key);
        throw error;
      }
    }
    this.verifyCursor = {
      ingestedFrom: Math.max(this.verifyCursor.ingestedFrom, (batch.maxIngestedAt ?? 0) - INGEST_SLACK_MS),
      firstAfterStart: false,
    };
  }

  /** Runs `body` in the lifecycle queue (no claim or publication interleaves with it). */
  private exclusive(body: () => void | Promise<void>): Promise<void> {
    const result = this.lifecycleChain.then(body, body);
    this.lifecycleChain = result.catch(() => undefined);
    return result;
  }

  private publishChanges(changes: readonly GapChange[]): void {
    if (changes.length === 0 || !this.engine) return;
    const now = this.clock.now();
    for (const change of changes) {
      switch (change.kind) {
        case 'grew':
          if (this.throttle.grew(change.gapId, now)) this.pushGap(change.gapId, now);
          break;
        case 'opened':
        case 'state':
          this.throttle.pushed(change.gapId, now);
          this.pushGap(change.gapId, now);
          break;
        case 'merged': {
          this.throttle.forget(change.gapId);
          this.pushedWindow.delete(change.gapId);
          const gap = this.engine.view(change.into, now);
          if (gap) this.sendToWatchers(gap.source, gap.shopId, () => encodeFrame('gap_merged', { gapId: change.gapId, into: change.into }));
          break;
        }
        case 'expired':
          // Its source and shop are gone with it: every subscriber hears of it (once a minute, or as a
          // flood of new gaps evicts small ones).
          this.throttle.forget(change.gapId);
          this.pushedWindow.delete(change.gapId);
          this.rooms.sendToEveryViewer(() => encodeFrame('gap_expired', { gapId: change.gapId }));
          break;
      }
    }
  }

  private pushGap(gapId: string, now: number): void {
    // Nobody watching (the usual case in a flood of new gaps): no view to work out.
    if (this.rooms.size === 0) return;
    const gap = this.engine?.view(gapId, now);
    if (!gap) return;
    this.pushedWindow.set(gap.gapId, gap.volume.window);
    this.sendToWatchers(gap.source, gap.shopId, () => encodeFrame('gap', gap));
  }

  /** Encodes once, for the rooms that see this source and shop (theirs, or all shops). */
  private sendToWatchers(source: EventSource, shopId: string, frame: () => EncodedFrame): void {
    this.rooms.sendWhere((query) => query.source === source && (query.shop === 'all' || query.shop === shopId), frame);
  }

  private flushGrowth(): void {
    const now = this.clock.now();
    for (const gapId of this.throttle.due(now)) this.pushGap(gapId, now);
  }

  /** Re-sends the active gaps that viewers watch whose window volume changed as the window slid. */
  private pushSlid(): void {
    if (!this.engine || this.rooms.size === 0) return;
    const now = this.clock.now();
    const seen = new Set<string>();
    for (const room of this.rooms.all()) {
      for (const gap of this.engine.list({ ...room.query, status: 'active', limit: GAPS_FRAME_LIMIT }, now)) {
        if (seen.has(gap.gapId)) continue;
        seen.add(gap.gapId);
        if (this.pushedWindow.get(gap.gapId) === gap.volume.window) continue;
        this.throttle.pushed(gap.gapId, now);
        this.pushGap(gap.gapId, now);
      }
    }
  }

  private expire(): void {
    if (!this.engine) return;
    const now = this.clock.now();
    this.publishChanges(this.engine.expire(now - GAP_HORIZON_MS, now));
  }
}

function toProposal(record: LifecycleRecord): GapLifecycleProposal {
  return { v: 1, ...record };
}

function parseLifecycleProposal(value: Buffer | null): LifecycleRecord | null {
  if (!value) return null;
  try {
    const parsed = gapLifecycleProposalSchema.safeParse(JSON.parse(value.toString('utf8')));
    if (!parsed.success) return null;
    const { v: _version, ...record } = parsed.data;
    return record;
  } catch {
    return null;
  }
}

/** One verification per gap and published revision is proposed at a time. */
function verificationKey(record: Pick<LifecycleRecord, 'gapId' | 'answerId' | 'revision'>): string {
  return `${record.gapId}|${record.answerId}|${record.revision}`;
}
