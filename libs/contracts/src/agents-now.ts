import { z } from 'zod';

/**
 * The wall's "agents needed now" (issue 11), part of every live snapshot (`LiveSnapshot.agentsNow`). It is
 * the staffing report's last interval, computed by the same query and rules (apps/api/src/staffing), over
 * the 15 minutes ending at the snapshot's `windowEnd` whatever the snapshot's window:
 *
 * - handoffs: sessions first handed off in those 15 minutes (the chats offered to humans with the bot);
 *   conversations: sessions that first asked in them (what humans would get without the bot);
 * - handling time: the mean human handling time (agent_accept → agent_end) of the chats accepted in those
 *   15 minutes, or else in the last 60 minutes; null when no human chat was measured;
 * - agents: Erlang C agents to have on shift for that traffic at AGENTS_NOW_ASSUMPTIONS (the reports'
 *   defaults), as the reports compute them.
 *
 * It scans raw events, so a live view refreshes it in the background as it does conversion (on its own
 * cadence): `asOf` is the watermark it was computed at.
 */

export const AGENTS_NOW_WINDOW_MINUTES = 15;
export const AGENTS_NOW_AHT_LOOKBACK_MINUTES = 60;
/** Service target and working assumptions of the live figure: the staffing reports' defaults. */
export const AGENTS_NOW_ASSUMPTIONS = { serviceLevel: 0.8, withinSec: 20, concurrency: 3, shrinkage: 0.3 } as const;

const instant = z.iso.datetime({ offset: true });
const count = z.number().int().nonnegative();
/** Agents; null when no handling time is known to compute them with. */
const agents = z.number().int().nonnegative().nullable();

export const agentsNowSchema = z.strictObject({
  asOf: instant,
  /** [windowStart, windowEnd): the last AGENTS_NOW_WINDOW_MINUTES minutes. */
  windowStart: instant,
  windowEnd: instant,
  conversations: count,
  handoffs: count,
  /** Customers who gave up waiting for a person in the window. */
  abandons: count,
  /** Mean human handling time used, seconds; null when none was measured. */
  ahtSec: z.number().positive().nullable(),
  /** Where ahtSec comes from: the 15-minute window, the last 60 minutes, or nowhere. */
  ahtBasis: z.enum(['15m', '60m', 'none']),
  /** Agents to have on shift for the handoffs only. */
  withBot: agents,
  /** Agents to have on shift if every conversation went to a human. */
  withoutBot: agents,
  /** withoutBot − withBot. */
  savedByBot: z.number().int().nullable(),
  /** Agents on shift now by a known roster; null when no roster is known for now. */
  onShift: count.nullable(),
});
export type AgentsNow = z.infer<typeof agentsNowSchema>;
