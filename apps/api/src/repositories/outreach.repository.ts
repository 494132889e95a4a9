import { Inject, Injectable } from '@nestjs/common';
import type { ClickHouseClient } from '@warroom/clickhouse';
import {
  ATTRIBUTION_WINDOW_DEFAULT_HOURS,
  FOLLOW_UPS_LIMIT,
  OUTREACH_SCENARIOS,
  outreachScenarioSchema,
  type EventSource,
  type OutreachFigures,
  type OutreachScenario,
  type OutreachSide,
} from '@warroom/contracts';
import { z } from 'zod';
import { clickHouseTimeSchema, toClickHouseTime } from './clickhouse-time';
import { CLICKHOUSE } from './clickhouse.provider';
import { METRIC_TABLES } from './metric-sql';

/**
 * What outreach earns, in one place (DESIGN.md "Outreach"; the rules are `libs/contracts/src/outreach-metrics.ts`'s):
 * the wall's tile, the outreach report and the rehearsal's figures all read `outreachSides`, the one
 * attribution query. Every value travels as a query parameter.
 */

/** Touches of [from, to) by event time, for one shop or all and one source. */
export interface OutreachRange {
  /** Shop id, or 'all'. */
  shop: string;
  source: EventSource;
  from: Date;
  to: Date;
  /** The attribution window; DESIGN.md's default is 24 h. */
  attributionWindowMs?: number;
}

/** Both sides of one group of touches: every touch of the range, one scenario's, or one hour's. */
export interface OutreachSides {
  bot: OutreachSide;
  agent: OutreachSide;
}

export interface OutreachBreakdown {
  total: OutreachSides;
  /** Every scenario, in OUTREACH_SCENARIOS order. */
  byScenario: Map<OutreachScenario, OutreachSides>;
  /** Only hours that had a touch, by the hour's start (epoch ms). */
  byHour: Map<number, OutreachSides>;
}

/** A `follow_up_open` no `follow_up_done` answers yet. */
export interface OpenFollowUpRow {
  eventId: string;
  openedAt: Date;
  campaignId: string;
  shopId: string;
  sessionId: string;
  customerId: string;
  channel: string;
  mode: string;
  scenario: OutreachScenario;
  intentScore: number;
  /** Raw text of the session's last question: the service masks it before it leaves the api. */
  lastQuestion: string | null;
}

const HOUR_MS = 3_600_000;
const TOUCH_KINDS = { bot: 'outreach', agent: 'follow_up_done' } as const;

/** Counts arrive as JSON numbers (output_format_json_quote_64bit_integers is 0) or, from some servers, as strings. */
const quantity = z.coerce.number().nonnegative();

const sideRow = z.object({
  kind: z.enum([TOUCH_KINDS.bot, TOUCH_KINDS.agent]),
  scenario: z.string(),
  hour_ms: quantity,
  touches: quantity,
  sessions: quantity,
  converted: quantity,
  orders: quantity,
  amount_cents: quantity,
});
const countRow = z.object({ open: quantity });
const openRow = z.object({
  event_id: z.string(),
  event_time: clickHouseTimeSchema,
  campaign_id: z.string(),
  shop_id: z.string(),
  session_id: z.string(),
  customer_id: z.string(),
  channel: z.string(),
  mode: z.string(),
  scenario: outreachScenarioSchema,
  intent_score: z.number(),
  done: quantity,
});
const lastQuestionRow = z.object({ shop_id: z.string(), session_id: z.string(), text: z.string() });

const SHOP_FILTER = "({shop:String} = 'all' OR shop_id = {shop:String})";

/**
 * Attribution, DESIGN.md's rule in SQL. An order is one (shop, order id), at its first event. Its touch is the
 * first touch of the same (source, shop, customer) at or before it and at most the window before it: the
 * orders read are those of [from, to + window) (later ones cannot belong to a touch of the range), the touches
 * those of [from − window, to) (an order whose first touch came before `from` is that touch's, so it counts for
 * no touch of the range). Each touch of the range then carries its orders; GROUPING SETS sums them over every
 * touch, per scenario and per hour in one scan. A grouping set leaves the keys it does not group by at their
 * defaults ('' and 0), which no touch has (every touch has a scenario and an hour after 1970): that tells the
 * sets apart.
 */
const ATTRIBUTION_SQL = `
SELECT
  kind,
  scenario,
  hour_ms,
  count() AS touches,
  uniqExact(shop_id, session_id) AS sessions,
  uniqExactIf(shop_id, session_id, touch_orders > 0) AS converted,
  sum(touch_orders) AS orders,
  sum(touch_amount) AS amount_cents
FROM
(
  SELECT
    t.kind AS kind,
    t.scenario AS scenario,
    toUnixTimestamp(toStartOfHour(t.event_time)) * 1000 AS hour_ms,
    t.shop_id AS shop_id,
    t.session_id AS session_id,
    a.order_count AS touch_orders,
    a.order_amount AS touch_amount
  FROM
  (
    SELECT event_id, event_time, kind, scenario, shop_id, session_id
    FROM ${METRIC_TABLES.events}
    WHERE source = {source:String} AND ${SHOP_FILTER}
      AND kind IN ('${TOUCH_KINDS.bot}', '${TOUCH_KINDS.agent}')
      AND event_time >= {from:DateTime64(3, 'UTC')} AND event_time < {to:DateTime64(3, 'UTC')}
  ) AS t
  LEFT JOIN
  (
    SELECT touch_id, count() AS order_count, sum(order_amount_cents) AS order_amount
    FROM
    (
      SELECT argMin(c.event_id, (c.event_time, c.event_id)) AS touch_id, any(o.amount) AS order_amount_cents
      FROM
      (
        SELECT shop_id, order_id, any(customer_id) AS buyer_id, min(event_time) AS ordered_at, any(amount_cents) AS amount
        FROM ${METRIC_TABLES.events}
        WHERE source = {source:String} AND ${SHOP_FILTER}
          AND kind = 'order'
          AND event_time >= {from:DateTime64(3, 'UTC')}
          AND event_time < {to:DateTime64(3, 'UTC')} + toIntervalMillisecond({window_ms:UInt64})
        GROUP BY shop_id, order_id
      ) AS o
      INNER JOIN
      (
        SELECT event_id, event_time, shop_id, customer_id
        FROM ${METRIC_TABLES.events}
        WHERE source = {source:String} AND ${SHOP_FILTER}
          AND kind IN ('${TOUCH_KINDS.bot}', '${TOUCH_KINDS.agent}')
          AND event_time >= {from:DateTime64(3, 'UTC')} - toIntervalMillisecond({window_ms:UInt64})
          AND event_time < {to:DateTime64(3, 'UTC')}
      ) AS c ON o.shop_id = c.shop_id AND o.buyer_id = c.customer_id
      WHERE c.event_time <= o.ordered_at AND o.ordered_at <= c.event_time + toIntervalMillisecond({window_ms:UInt64})
      GROUP BY o.shop_id, o.order_id
    )
    GROUP BY touch_id
  ) AS a ON t.event_id = a.touch_id
)
GROUP BY GROUPING SETS ((kind), (kind, scenario), (kind, hour_ms))
SETTINGS join_use_nulls = 0, group_by_use_nulls = 0`;

/** The `follow_up_open` events of [from, to) that no `follow_up_done` (which comes after them) answers. */
const OPEN_FOLLOW_UPS_SQL = `
SELECT count() AS open
FROM ${METRIC_TABLES.events}
WHERE source = {source:String} AND ${SHOP_FILTER}
  AND kind = 'follow_up_open'
  AND event_time >= {from:DateTime64(3, 'UTC')} AND event_time < {to:DateTime64(3, 'UTC')}
  AND event_id NOT IN
  (
    SELECT ref_event_id
    FROM ${METRIC_TABLES.events}
    WHERE source = {source:String} AND ${SHOP_FILTER}
      AND kind = '${TOUCH_KINDS.agent}'
      AND event_time >= {from:DateTime64(3, 'UTC')}
  )`;

function emptySide(): OutreachSide {
  return { touches: 0, sessions: 0, converted: 0, rate: null, orders: 0, amountCents: 0 };
}

export function emptySides(): OutreachSides {
  return { bot: emptySide(), agent: emptySide() };
}

function rangeParams(range: OutreachRange): Record<string, string> {
  return {
    source: range.source,
    shop: range.shop,
    from: toClickHouseTime(range.from.toISOString()),
    to: toClickHouseTime(range.to.toISOString()),
    window_ms: String(range.attributionWindowMs ?? ATTRIBUTION_WINDOW_DEFAULT_HOURS * HOUR_MS),
  };
}

async function rows<S extends z.ZodType>(clickhouse: ClickHouseClient, query: string, params: Record<string, unknown>, row: S): Promise<z.infer<S>[]> {
  const result = await clickhouse.query({ query, query_params: params, format: 'JSONEachRow' });
  return z.array(row).parse(await result.json());
}

/** Every touch of the range, per scenario and per hour, with its attributed orders. */
export async function readOutreachBreakdown(clickhouse: ClickHouseClient, range: OutreachRange): Promise<OutreachBreakdown> {
  const found = await rows(clickhouse, ATTRIBUTION_SQL, rangeParams(range), sideRow);
  const breakdown: OutreachBreakdown = {
    total: emptySides(),
    byScenario: new Map(OUTREACH_SCENARIOS.map((scenario) => [scenario, emptySides()])),
    byHour: new Map(),
  };
  for (const row of found) {
    const side: OutreachSide = {
      touches: row.touches,
      sessions: row.sessions,
      converted: row.converted,
      rate: row.sessions === 0 ? null : row.converted / row.sessions,
      orders: row.orders,
      amountCents: row.amount_cents,
    };
    const which = row.kind === TOUCH_KINDS.bot ? 'bot' : 'agent';
    if (row.scenario !== '') {
      const scenario = outreachScenarioSchema.safeParse(row.scenario);
      // A scenario this reader does not know yet (a newer bot's) still counts in the totals and its hours.
      if (scenario.success) breakdown.byScenario.get(scenario.data)![which] = side;
    } else if (row.hour_ms > 0) {
      const sides = breakdown.byHour.get(row.hour_ms) ?? emptySides();
      sides[which] = side;
      breakdown.byHour.set(row.hour_ms, sides);
    } else {
      breakdown.total[which] = side;
    }
  }
  return breakdown;
}

/** `follow_up_open` events of the range that no agent has done yet. */
export async function readFollowUpsOpen(clickhouse: ClickHouseClient, range: OutreachRange): Promise<number> {
  const [row] = await rows(clickhouse, OPEN_FOLLOW_UPS_SQL, rangeParams(range), countRow);
  return row?.open ?? 0;
}

/**
 * The figures a rehearsal prints, for touches of [from, to) of one source (and shop, default all): outreach
 * sent and its sessions, follow-ups done (sessions), each side's conversion, follow-ups still open.
 * A plain function of a ClickHouse client, so a script reads exactly what the wall and the reports read.
 */
export async function readOutreachFigures(
  clickhouse: ClickHouseClient,
  range: Omit<OutreachRange, 'shop'> & { shop?: string },
): Promise<OutreachFigures> {
  const scoped: OutreachRange = { ...range, shop: range.shop ?? 'all' };
  const [breakdown, followUpsOpen] = await Promise.all([readOutreachBreakdown(clickhouse, scoped), readFollowUpsOpen(clickhouse, scoped)]);
  const { bot, agent } = breakdown.total;
  return {
    outreachSent: bot.touches,
    outreachSessions: bot.sessions,
    followUps: agent.sessions,
    botOutreachConversion: bot.rate,
    humanFollowUpConversion: agent.rate,
    followUpsOpen,
  };
}

/** The Nest face of the same queries, plus the agents' follow-up list. */
@Injectable()
export class OutreachRepository {
  constructor(@Inject(CLICKHOUSE) private readonly clickhouse: ClickHouseClient) {}

  breakdown(range: OutreachRange): Promise<OutreachBreakdown> {
    return readOutreachBreakdown(this.clickhouse, range);
  }

  followUpsOpen(range: OutreachRange): Promise<number> {
    return readFollowUpsOpen(this.clickhouse, range);
  }

  /**
   * Open follow-ups opened since `since`: longest-waiting first by the minute they opened, within a minute
   * highest intent first, at most FOLLOW_UPS_LIMIT, each with its session's last question.
   */
  async openFollowUps(scope: { shop: string; source: EventSource }, since: Date): Promise<OpenFollowUpRow[]> {
    const params = { source: scope.source, shop: scope.shop, since: toClickHouseTime(since.toISOString()), limit: String(FOLLOW_UPS_LIMIT) };
    const open = await rows(
      this.clickhouse,
      `SELECT event_id, event_time, campaign_id, shop_id, session_id, customer_id, channel, mode, scenario, intent_score, 0 AS done
       FROM ${METRIC_TABLES.events}
       WHERE source = {source:String} AND ${SHOP_FILTER}
         AND kind = 'follow_up_open'
         AND event_time >= {since:DateTime64(3, 'UTC')}
         AND event_id NOT IN
         (
           SELECT ref_event_id FROM ${METRIC_TABLES.events}
           WHERE source = {source:String} AND ${SHOP_FILTER} AND kind = '${TOUCH_KINDS.agent}' AND event_time >= {since:DateTime64(3, 'UTC')}
         )
       ORDER BY toStartOfMinute(event_time), intent_score DESC, event_time, event_id
       LIMIT {limit:UInt32}`,
      params,
      openRow,
    );
    const texts = await this.lastQuestions(scope.source, since, open);
    return open.map((row) => ({ ...rowOf(row), lastQuestion: texts.get(`${row.shop_id}\u0000${row.session_id}`) ?? null }));
  }

  /** One `follow_up_open` by its event id (opened since `since`), and whether an agent has done it already; null when there is none. */
  async followUp(source: EventSource, id: string, since: Date): Promise<{ followUp: OpenFollowUpRow; done: boolean } | null> {
    const [row] = await rows(
      this.clickhouse,
      `SELECT event_id, event_time, campaign_id, shop_id, session_id, customer_id, channel, mode, scenario, intent_score,
         (
           SELECT count() FROM ${METRIC_TABLES.events}
           WHERE source = {source:String} AND kind = '${TOUCH_KINDS.agent}' AND ref_event_id = {id:String} AND event_time >= {since:DateTime64(3, 'UTC')}
         ) AS done
       FROM ${METRIC_TABLES.events}
       WHERE source = {source:String} AND kind = 'follow_up_open' AND event_id = {id:String} AND event_time >= {since:DateTime64(3, 'UTC')}
       LIMIT 1`,
      { source, id, since: toClickHouseTime(since.toISOString()) },
      openRow,
    );
    if (!row) return null;
    return { followUp: { ...rowOf(row), lastQuestion: null }, done: row.done > 0 };
  }

  private async lastQuestions(source: EventSource, since: Date, open: readonly z.infer<typeof openRow>[]): Promise<Map<string, string>> {
    if (open.length === 0) return new Map();
    const found = await rows(
      this.clickhouse,
      `SELECT shop_id, session_id, argMax(text, event_time) AS text
       FROM ${METRIC_TABLES.events}
       WHERE source = {source:String} AND shop_id IN {shops:Array(String)} AND kind = 'question'
         AND session_id IN {sessions:Array(String)}
         AND event_time >= {since:DateTime64(3, 'UTC')} - toIntervalHour(24)
       GROUP BY shop_id, session_id`,
      {
        source,
        since: toClickHouseTime(since.toISOString()),
        shops: [...new Set(open.map((row) => row.shop_id))],
        sessions: [...new Set(open.map((row) => row.session_id))],
      },
      lastQuestionRow,
    );
    return new Map(found.map((row) => [`${row.shop_id}\u0000${row.session_id}`, row.text]));
  }
}

function rowOf(row: z.infer<typeof openRow>): Omit<OpenFollowUpRow, 'lastQuestion'> {
  return {
    eventId: row.event_id,
    openedAt: row.event_time,
    campaignId: row.campaign_id,
    shopId: row.shop_id,
    sessionId: row.session_id,
    customerId: row.customer_id,
    channel: row.channel,
    mode: row.mode,
    scenario: row.scenario,
    intentScore: row.intent_score,
  };
}
