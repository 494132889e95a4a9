import { z } from 'zod';
import { eventSourceSchema } from './chat-event';

/** Live metrics: what the wall, the WebSocket gateway and `GET /api/metrics/snapshot` share. */

export const WINDOWS = ['1m', '5m', '15m', '60m', 'campaign'] as const;
export const windowSchema = z.enum(WINDOWS);
export type MetricsWindow = z.infer<typeof windowSchema>;
export const WINDOW_MINUTES: Record<Exclude<MetricsWindow, 'campaign'>, number> = {
  '1m': 1,
  '5m': 5,
  '15m': 15,
  '60m': 60,
};

/** `all` is every shop together. */
export const shopSelectorSchema = z.string().regex(/^(all|[A-Za-z0-9_.-]{1,128})$/, 'a shop id or "all"');

export const snapshotQuerySchema = z.strictObject({
  shop: shopSelectorSchema.default('all'),
  window: windowSchema.default('5m'),
  source: eventSourceSchema.default('live'),
});
export type SnapshotQuery = z.infer<typeof snapshotQuerySchema>;

export const liveSnapshotSchema = z.strictObject({
  /** Low watermark: every event up to this time that reached the broker is counted. */
  asOf: z.iso.datetime({ offset: true }),
  shop: shopSelectorSchema,
  window: windowSchema,
  source: eventSourceSchema,
  questions: z.number().int().nonnegative(),
  /** Questions the bot handled alone (bot mode): the denominator of the hit rate. */
  botModeQuestions: z.number().int().nonnegative(),
  answered: z.number().int().nonnegative(),
  /** answered / botModeQuestions; null when there was no bot-mode question in the window. */
  hitRate: z.number().min(0).max(1).nullable(),
  questionsPerMinute: z.number().nonnegative(),
});
export type LiveSnapshot = z.infer<typeof liveSnapshotSchema>;

/** Frames the server sends, `{event, data}` as Nest's WsAdapter writes them. */
export const serverFrameSchema = z.discriminatedUnion('event', [
  z.strictObject({ event: z.literal('snapshot'), data: liveSnapshotSchema }),
  z.strictObject({
    event: z.literal('heartbeat'),
    data: z.strictObject({ asOf: z.iso.datetime({ offset: true }), serverTime: z.iso.datetime({ offset: true }) }),
  }),
  z.strictObject({ event: z.literal('error'), data: z.strictObject({ message: z.string() }) }),
]);
export type ServerFrame = z.infer<typeof serverFrameSchema>;
export type ServerEventMap = { [F in ServerFrame as F['event']]: F['data'] };

/** Frames a client sends. */
export const clientFrameSchema = z.discriminatedUnion('event', [
  z.strictObject({ event: z.literal('subscribe'), data: snapshotQuerySchema }),
]);
export type ClientFrame = z.infer<typeof clientFrameSchema>;
