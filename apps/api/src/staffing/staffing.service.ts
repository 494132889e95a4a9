import { Injectable } from '@nestjs/common';
import {
  AGENTS_NOW_AHT_LOOKBACK_MINUTES,
  AGENTS_NOW_ASSUMPTIONS,
  AGENTS_NOW_WINDOW_MINUTES,
  STAFFING_INTERVAL_MS,
  staffingReportSchema,
  type AgentsNow,
  type EventSource,
  type RosterEntry,
  type RosterStored,
  type RosterUpload,
  type StaffingQuery,
  type StaffingRangeReport,
  type StaffingReport,
} from '@warroom/contracts';
import { StaffingRepository } from '../repositories/staffing.repository';
import { WatermarkObserver } from '../watermark/watermark-observer';
import { agentsNowFigures } from './agents-now';
import { rosterOf } from './roster';
import { staffingReportCsv } from './staffing-csv';
import { buildRangeReport, type StaffingAssumptions } from './staffing-report';

/** A validated report request: the query, and a roster when it was POSTed. */
export type StaffingRequest = StaffingQuery & { roster?: RosterEntry[]; rosterCsv?: string };

/** How long a report waits to see ingest caught up with the broker before it says asOf is unknown. */
const AS_OF_WAIT_MS = 3_000;

/** Staffing reports: measures a range (and a comparison range) and applies the staffing rules to it. */
@Injectable()
export class StaffingService {
  constructor(
    private readonly repository: StaffingRepository,
    private readonly watermark: WatermarkObserver,
  ) {}

  async report(request: StaffingRequest): Promise<StaffingReport> {
    const intervalMs = STAFFING_INTERVAL_MS[request.interval];
    const assumptions: StaffingAssumptions = {
      serviceLevel: request.serviceLevel,
      withinSec: request.withinSec,
      concurrency: request.concurrency,
      shrinkage: request.shrinkage,
      ...(request.patienceSec === undefined ? {} : { patienceSec: request.patienceSec }),
      ...(request.ahtSec === undefined ? {} : { ahtOverrideSec: request.ahtSec }),
    };
    // The request's own roster; else the one stored for this shop, source and interval.
    const roster =
      request.roster !== undefined || request.rosterCsv !== undefined
        ? new Map(rosterOf(request).map((entry) => [Date.parse(entry.intervalStart), entry.agents]))
        : await this.repository.roster({ source: request.source, shop: request.shop, intervalMs }, new Date(request.from), new Date(request.to));
    const measure = async (fromIso: string, toIso: string, withRoster: boolean): Promise<StaffingRangeReport> => {
      const from = new Date(fromIso);
      const to = new Date(toIso);
      const counts = await this.repository.intervalCounts({ shop: request.shop, source: request.source, from, to, intervalMs });
      return buildRangeReport({ from, to, intervalMs, counts, roster: withRoster ? roster : new Map(), assumptions });
    };
    // The watermark first, proven after the request came: whatever reached the broker before it is stored
    // when the ranges are read. Null when not proven within AS_OF_WAIT_MS (lag, or Kafka down): the report
    // is still right about what is stored, it just cannot say how complete that is.
    const asOf = await this.watermark.provenFromNow(AS_OF_WAIT_MS);
    const [current, previous] = await Promise.all([
      measure(request.from, request.to, true),
      request.compareFrom !== undefined && request.compareTo !== undefined
        ? measure(request.compareFrom, request.compareTo, false)
        : null,
    ]);
    // Parsed on the way out too, so a rule that drifts from the contract fails here, not in a browser.
    return staffingReportSchema.parse({
      generatedAt: this.repository.now().toISOString(),
      asOf: asOf?.toISOString() ?? null,
      shop: request.shop,
      source: request.source,
      interval: request.interval,
      assumptions: {
        serviceLevel: request.serviceLevel,
        withinSec: request.withinSec,
        concurrency: request.concurrency,
        shrinkage: request.shrinkage,
        patienceSec: request.patienceSec ?? null,
        ahtOverrideSec: request.ahtSec ?? null,
        model: request.patienceSec === undefined ? 'erlang-c' : 'erlang-a',
      },
      current,
      previous,
    } satisfies StaffingReport);
  }

  /**
   * The wall's "agents needed now" (libs/contracts/src/agents-now.ts): the reports' query and rules over
   * the hour ending at `windowEnd` in 15-minute intervals, of which the last is now.
   */
  async agentsNow(scope: { shop: string; source: EventSource }, windowEnd: Date, asOf: Date): Promise<AgentsNow> {
    const intervalMs = AGENTS_NOW_WINDOW_MINUTES * 60_000;
    const from = new Date(windowEnd.getTime() - AGENTS_NOW_AHT_LOOKBACK_MINUTES * 60_000);
    const [counts, onShift] = await Promise.all([
      this.repository.intervalCounts({ shop: scope.shop, source: scope.source, from, to: windowEnd, intervalMs }),
      this.repository.onShiftAt(scope, asOf),
    ]);
    const report = buildRangeReport({ from, to: windowEnd, intervalMs, counts, roster: new Map(), assumptions: { ...AGENTS_NOW_ASSUMPTIONS } });
    return agentsNowFigures(report, asOf, onShift);
  }

  /** Stores a roster (PUT /api/reports/roster); returns how many intervals. */
  async storeRoster(upload: RosterUpload): Promise<RosterStored> {
    const entries = rosterOf(upload).map((entry) => ({ intervalStartMs: Date.parse(entry.intervalStart), agents: entry.agents }));
    await this.repository.storeRoster(
      { source: upload.source, shop: upload.shop, intervalMs: STAFFING_INTERVAL_MS[upload.interval] },
      entries,
      this.repository.now().getTime(),
    );
    return { stored: entries.length };
  }

  async reportCsv(request: StaffingRequest): Promise<string> {
    return staffingReportCsv(await this.report(request));
  }
}
