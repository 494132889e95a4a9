import { z } from 'zod';
import { snapshotQuerySchema } from './live';

/**
 * What api processes tell each other so that each live view is computed once for the deployment: every
 * process appends, on `live.leader`, its presence with the views its viewers watch (its whole list each time,
 * renewed as a lease); the oldest process present is the leader and computes every view wanted anywhere. The
 * frames come back on `live.frames` as the server frames viewers get (`serverFrameSchema`), keyed by view.
 */
export const liveViewWantsSchema = z.strictObject({
  /** The sending process's id (random at its start): a newer list from it replaces its older one. */
  process: z.string().min(1).max(100),
  /** When the sending process started: the oldest process present leads. */
  startedAt: z.iso.datetime({ offset: true }),
  sentAt: z.iso.datetime({ offset: true }),
  views: z.array(snapshotQuerySchema).max(10_000),
});
export type LiveViewWants = z.infer<typeof liveViewWantsSchema>;

/** `GET /health/live-views` of one api process: its live-view work since it started (issue 20). */
export const liveViewCountersSchema = z.strictObject({
  leader: z.boolean(),
  /** Ticks this process ran as the leader. */
  ticks: z.number().int().nonnegative(),
  /** Views computed (or confirmed unchanged) by those ticks, plus new views' first snapshots. */
  viewComputations: z.number().int().nonnegative(),
  /** Distinct views this process computes now (0 on a follower). */
  views: z.number().int().nonnegative(),
});
export type LiveViewCounters = z.infer<typeof liveViewCountersSchema>;
