import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { KbPatchesRepository } from '../repositories/kb-patches.repository';
import { KbStateRepository } from '../repositories/kb-state.repository';
import { KbReplica, type PatchRecord } from './kb-replica';

/** How long to wait for the api's own replica to reach the offsets the log lost (it follows the same log). */
const FILL_WAIT_MS = 60_000;
const FILL_RETRY_MS = 1_000;

/**
 * Keeps the replica following `kb.patches` from where its start-up state ended. When the log no longer
 * holds the offsets the replica needs next (retention cut it below them), the missing proposals are
 * taken from the api's state, as at start, instead of answering on from a different knowledge base.
 */
@Injectable()
export class KbFollowerService implements OnApplicationBootstrap {
  private readonly logger = new Logger(KbFollowerService.name);
  /** Patches appended after this bot started: from the log's timestamp to applied here (patch-to-bot time). */
  private readonly liveApplied = { count: 0, sumMs: 0 };
  private readonly startedAtMs = Date.now();

  constructor(
    private readonly replica: KbReplica,
    private readonly patches: KbPatchesRepository,
    private readonly state: KbStateRepository,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.replica.verifiesSignatures) {
      this.logger.error('no kb.patches public key (BOT_KB_PUBLIC_KEYS unset, no BOT_KB_API_URL): every signed patch will be refused');
    }
    await this.patches.follow(this.replica.nextOffset, (records) =>
      this.take(records.map((record) => ({ offset: Number(record.offset), timestampMs: record.timestampMs, value: record.value }))),
    );
  }

  /** One batch of the log, after whatever the log lost before it. */
  async take(records: readonly PatchRecord[]): Promise<void> {
    const missing = this.replica.missingBefore(records);
    if (missing) await this.fill(missing);
    this.replica.apply(records);
    const appliedAtMs = Date.now();
    for (const record of records) {
      // A start's catch-up says nothing about how fast a patch reaches a running bot.
      if (record.timestampMs < this.startedAtMs) continue;
      this.liveApplied.count += 1;
      this.liveApplied.sumMs += Math.max(0, appliedAtMs - record.timestampMs);
    }
  }

  /** Patches appended since the start and applied here, and the milliseconds they took in all (for `/metrics`). */
  patchToBotTotals(): { count: number; sumMs: number } {
    return { ...this.liveApplied };
  }

  private async fill(missing: { from: number; to: number }): Promise<void> {
    const range = `${missing.from}..${missing.to - 1}`;
    if (!this.state.fromApi) {
      this.logger.error(
        `kb.patches offsets ${range} are no longer on the log and BOT_KB_API_URL is unset: this bot misses those patches and may answer differently from the api until it restarts with BOT_KB_API_URL`,
      );
      this.replica.skipTo(missing.to);
      return;
    }
    this.logger.warn(`kb.patches offsets ${range} are no longer on the log (retention): taking them from the api's state`);
    const deadline = Date.now() + FILL_WAIT_MS;
    for (;;) {
      if (this.replica.fillFrom(await this.state.load(), missing.to)) return;
      // Throwing makes the follower restart and deliver this batch again, which comes back here.
      if (Date.now() > deadline) throw new Error(`the api's knowledge-base state has not reached kb.patches offset ${missing.to} within ${FILL_WAIT_MS} ms`);
      await new Promise((resolve) => setTimeout(resolve, FILL_RETRY_MS));
    }
  }
}
