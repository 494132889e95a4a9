import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { INestApplication } from '@nestjs/common';
import { PART_STATES } from '@warroom/contracts';
import { pathOf, readCounter, readGauge } from '@warroom/observability';
import type { Registry } from 'prom-client';
import type { ApiConfig } from '../config/api-config';
import { IngestService, type IngestStatus } from '../ingest/ingest.service';
import { LiveMetricsService } from '../live/live-metrics.service';
import { SystemStatusService } from '../status/system-status.service';
import { WatermarkObserver } from '../watermark/watermark-observer';

const INGEST_STATUSES: readonly IngestStatus[] = ['ok', 'catching_up', 'store_unavailable', 'failed'];

/**
 * The api process' metrics, read at each scrape from what its services already keep (ingest's health,
 * the watermark, the system status) and from its HTTP server (the `/live` sockets): the services do not
 * know about metrics. Names as infra/observability's alerts and dashboard read them (infra/README.md).
 */
export function registerApiMetrics(registry: Registry, app: INestApplication, config: ApiConfig): void {
  if (config.roles.has('ingest')) registerIngestMetrics(registry, app.get(IngestService));
  if (config.roles.has('api')) {
    registerWatermarkAge(registry, app.get(WatermarkObserver));
    registerPartStates(registry, app.get(SystemStatusService));
    registerLiveViewers(registry, app.getHttpServer() as Server);
    registerLiveStages(registry, app.get(LiveMetricsService));
  }
}

/** Time spent computing live views and fanning their frames out (on the leader; a follower's stay at 0). */
function registerLiveStages(registry: Registry, live: LiveMetricsService): void {
  const stages = (): { stage: string; count: number; sum: number }[] => {
    const { compute, fanOut } = live.stageTotals();
    return [
      { stage: 'compute', ...compute },
      { stage: 'fan_out', ...fanOut },
    ];
  };
  readCounter(
    registry,
    { name: 'warroom_live_stage_seconds_total', help: 'Seconds spent per live stage: compute (the queries of one view) and fan_out (frames to the rooms).', labelNames: ['stage'] },
    () => stages().map(({ stage, sum }) => ({ labels: { stage }, value: sum / 1000 })),
  );
  readCounter(
    registry,
    { name: 'warroom_live_stage_runs_total', help: 'Runs per live stage; seconds_total / runs_total is the mean time of one.', labelNames: ['stage'] },
    () => stages().map(({ stage, count }) => ({ labels: { stage }, value: count })),
  );
}

function registerIngestMetrics(registry: Registry, ingest: IngestService): void {
  readCounter(registry, { name: 'warroom_events_stored_total', help: 'Events this process inserted into chat_events.' }, () => [{ value: ingest.health().stored }]);
  readCounter(
    registry,
    {
      name: 'warroom_events_dead_lettered_total',
      help: 'Events this process sent to chat.events.dlq, by reason: contract (not a valid ChatEvent) or store (ClickHouse refused the row).',
      labelNames: ['reason'],
    },
    () => {
      const { deadLettered, refusedByStore } = ingest.health();
      return [
        { labels: { reason: 'contract' }, value: deadLettered - refusedByStore },
        { labels: { reason: 'store' }, value: refusedByStore },
      ];
    },
  );
  readGauge(
    registry,
    { name: 'warroom_ingest_lag_events', help: 'Events on chat.events not yet stored, per partition this process holds.', labelNames: ['partition'] },
    () => ingest.health().partitions.flatMap((partition) => (partition.lag === null ? [] : [{ labels: { partition: partition.partition }, value: partition.lag }])),
  );
  readGauge(
    registry,
    {
      name: 'warroom_ingest_retrying_partitions',
      help: 'Partitions whose rows the store has not taken at the last try (ingest retries them with the same rows and token).',
    },
    () => [{ value: ingest.health().partitions.filter((partition) => partition.retrying).length }],
  );
  readGauge(registry, { name: 'warroom_ingest_status', help: '1 for the status /health/ingest reports now, 0 for the others.', labelNames: ['status'] }, () => {
    const current = ingest.health().status;
    return INGEST_STATUSES.map((status) => ({ labels: { status }, value: status === current ? 1 : 0 }));
  });
  readGauge(
    registry,
    {
      name: 'warroom_ingest_missing_events',
      help: 'Events of chat.events lost to offset holes, as recorded in the store (ingest_offset_gaps): the same for every ingest process.',
    },
    () => [{ value: ingest.health().missingEvents }],
  );
}

/** Seconds since asOf, the low watermark the walls show as freshness; +Inf until the first asOf is known. */
function registerWatermarkAge(registry: Registry, watermark: WatermarkObserver): void {
  readGauge(registry, { name: 'warroom_watermark_age_seconds', help: 'now - asOf: how old the figures the walls show are.' }, () => {
    const asOf = watermark.asOf();
    return [{ value: asOf === null ? Number.POSITIVE_INFINITY : Math.max(0, (Date.now() - asOf.getTime()) / 1000) }];
  });
}

function registerPartStates(registry: Registry, status: SystemStatusService): void {
  readGauge(
    registry,
    { name: 'warroom_part_state', help: "1 for each watched part's state as the walls' status strip shows it (ingest, bot, store, broker).", labelNames: ['part', 'state'] },
    () => status.current().parts.flatMap((part) => PART_STATES.map((state) => ({ labels: { part: part.part, state }, value: part.state === state ? 1 : 0 }))),
  );
}

/** Open `/live` WebSocket connections of this process, counted at the HTTP server (upgrade to close). */
function registerLiveViewers(registry: Registry, server: Server): void {
  const open = new Set<Duplex>();
  server.on('upgrade', (request: { url?: string }, socket: Duplex) => {
    if (pathOf(request.url) !== '/live') return;
    open.add(socket);
    socket.once('close', () => open.delete(socket));
  });
  readGauge(registry, { name: 'warroom_live_viewers', help: 'Open /live WebSocket connections of this process (the api autoscaler reads it).' }, () => [{ value: open.size }]);
}
