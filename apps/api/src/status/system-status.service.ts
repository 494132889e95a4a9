import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { SYSTEM_PARTS, type BotHealth, type PartStatus, type SystemPart, type SystemStatus } from '@warroom/contracts';
import { TOPICS } from '@warroom/kafka';
import { FixedRateLoops } from '../common/fixed-rate-loops';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { IngestOffsetGapsRepository } from '../repositories/ingest-offset-gaps.repository';
import { PartHealthRepository } from '../repositories/part-health.repository';
import { botObservation, downBecause, ingestObservation, nextPartStatus, UP, type Observation } from './part-status';

export type SystemStatusListener = (status: SystemStatus) => void;

/**
 * The parts' health as this api sees it (the walls' status strip): every HEALTH_POLL_MS it asks ingest and
 * the bot (when configured) and the store, and reads the events lost to holes in the offsets from the store
 * (not from ingest, so the count survives ingest's restarts). The broker is judged by the watermark's
 * observations, which already ask it 20 times a second (`observedBroker`). Listeners hear every change.
 */
@Injectable()
export class SystemStatusService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SystemStatusService.name);
  private readonly loops = new FixedRateLoops((error) => this.logger.warn(`Health poll failed: ${error.message}`));
  private readonly parts = new Map<SystemPart, PartStatus>();
  /** Failed looks in a row per part: one slow answer does not turn a wall red (FAILED_LOOKS_TO_DOWN). */
  private readonly failedLooksInARow = new Map<SystemPart, number>();
  private missingEvents: number | null = null;
  private missingEventsFailing = false;
  /** The bot's event counts at the previous look: stuck events are judged against them. */
  private botEventsBefore: BotHealth['events'] | null = null;
  private readonly listeners = new Set<SystemStatusListener>();
  /** The status as last told to the listeners (JSON), so that an unchanged look tells nobody. */
  private told = '';

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly health: PartHealthRepository,
    private readonly offsetGaps: IngestOffsetGapsRepository,
  ) {}

  onApplicationBootstrap(): void {
    this.loops.start(this.config.health.pollMs, () => this.lookAtParts());
    // A loop of its own: this query has no deadline of ours, and a frozen store must not hold up the looks
    // that say it is frozen.
    this.loops.start(this.config.health.pollMs, () => this.readMissingEvents());
  }

  onApplicationShutdown(): void {
    this.loops.stop();
  }

  current(): SystemStatus {
    const parts = SYSTEM_PARTS.flatMap((part) => this.parts.get(part) ?? []);
    return { parts, missingEvents: this.missingEvents };
  }

  /** Calls `listener` at every change of the status; returns the unsubscribe. */
  onChange(listener: SystemStatusListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The outcome of one watermark observation: the broker answered, or this error. */
  observedBroker(error: Error | null): void {
    this.observe('broker', error ? downBecause(error) : UP);
    this.tellIfChanged();
  }

  /** True once every part has been looked at (up or down): the first screens show the parts' states. */
  hasLooked(): boolean {
    return this.parts.has('store');
  }

  private async lookAtParts(): Promise<void> {
    const { ingestUrl, botUrl, pollMs } = this.config.health;
    // A part slower than one poll is as good as down for a wall; the next poll must not wait behind it.
    const timeoutMs = pollMs;
    const looks: Promise<void>[] = [this.look('store', () => this.health.store(timeoutMs).then(() => UP))];
    if (ingestUrl) looks.push(this.look('ingest', async () => ingestObservation(await this.health.ingest(ingestUrl, timeoutMs))));
    if (botUrl) {
      looks.push(
        this.look('bot', async () => {
          const health = await this.health.bot(botUrl, timeoutMs);
          const observation = botObservation(health, this.botEventsBefore);
          this.botEventsBefore = health.events;
          return observation;
        }),
      );
    }
    await Promise.all(looks);
    this.tellIfChanged();
  }

  private async readMissingEvents(): Promise<void> {
    try {
      const missing = await this.offsetGaps.missingEvents(TOPICS.chatEvents.name);
      if (missing > 0 && missing !== this.missingEvents) this.logger.error(`${missing} events of ${TOPICS.chatEvents.name} are missing (holes in the offsets)`);
      this.missingEvents = missing;
      this.missingEventsFailing = false;
      this.tellIfChanged();
    } catch (error) {
      // The count only grows, so the last one stands meanwhile; the cause is logged once per outage.
      if (!this.missingEventsFailing) this.logger.warn(`Cannot read the missing events: ${(error as Error).message}`);
      this.missingEventsFailing = true;
    }
  }

  private async look(part: SystemPart, ask: () => Promise<Observation>): Promise<void> {
    try {
      this.observe(part, await ask());
    } catch (error) {
      this.observe(part, downBecause(error as Error));
    }
  }

  private observe(part: SystemPart, observation: Observation): void {
    const previous = this.parts.get(part);
    const failedLooks = observation.state === 'down' ? (this.failedLooksInARow.get(part) ?? 0) + 1 : 0;
    this.failedLooksInARow.set(part, failedLooks);
    const next = nextPartStatus(part, previous, observation, new Date(), failedLooks);
    this.parts.set(part, next);
    if (previous?.state === next.state) return;
    const words = `${part} is ${next.state}${next.problem ? `: ${next.problem}` : ''}`;
    if (next.state === 'up') this.logger.log(words);
    else this.logger.warn(words);
  }

  private tellIfChanged(): void {
    const status = this.current();
    const json = JSON.stringify(status);
    if (json === this.told) return;
    this.told = json;
    for (const listener of this.listeners) listener(status);
  }
}
