import { agentsNowSchema } from '@warroom/contracts';
import { requiredAgents } from '@warroom/staffing';
import { describe, expect, it } from 'vitest';
import type { IntervalCounts } from '../repositories/staffing.repository';
import { agentsNowFigures } from './agents-now';
import { buildRangeReport } from './staffing-report';

const A = { serviceLevel: 0.8, withinSec: 20, concurrency: 3, shrinkage: 0.3 };
const to = new Date('2026-11-11T00:07:30Z');
const from = new Date(to.getTime() - 3_600_000);
const QUARTER = 900_000;

function counts(index: number, fields: Partial<IntervalCounts>): IntervalCounts {
  return { index, conversations: 0, conversationsHandedOff: 0, handledChats: 0, handleSecSum: 0, abandons: 0, botQuestions: 0, botAnswered: 0, ...fields };
}

describe('agentsNowFigures', () => {
  it('is the last 15 minutes of the hour, at the handling time measured in them', () => {
    const report = buildRangeReport({
      from,
      to,
      intervalMs: QUARTER,
      counts: [counts(0, { handledChats: 2, handleSecSum: 600 }), counts(3, { conversations: 300, conversationsHandedOff: 30, handledChats: 10, handleSecSum: 1800, abandons: 2 })],
      roster: new Map(),
      assumptions: A,
    });
    const now = agentsNowSchema.parse(agentsNowFigures(report, to, null));
    const target = { serviceLevel: 0.8, withinSec: 20, shrinkage: 0.3 };
    const withBot = requiredAgents({ chatsPerHour: 120, ahtSec: 180, concurrency: 3 }, target).agentsScheduled;
    const withoutBot = requiredAgents({ chatsPerHour: 1200, ahtSec: 180, concurrency: 3 }, target).agentsScheduled;
    expect(now).toMatchObject({
      windowStart: '2026-11-10T23:52:30.000Z',
      windowEnd: '2026-11-11T00:07:30.000Z',
      conversations: 300,
      handoffs: 30,
      abandons: 2,
      ahtSec: 180,
      ahtBasis: '15m',
      withBot,
      withoutBot,
      savedByBot: withoutBot - withBot,
      onShift: null,
    });
  });

  it('falls back to the hour’s handling time, and says so; without any, no agents are claimed', () => {
    const hour = buildRangeReport({ from, to, intervalMs: QUARTER, counts: [counts(1, { handledChats: 1, handleSecSum: 240 }), counts(3, { conversationsHandedOff: 4 })], roster: new Map(), assumptions: A });
    expect(agentsNowFigures(hour, to, 12)).toMatchObject({ ahtSec: 240, ahtBasis: '60m', onShift: 12 });
    const blind = buildRangeReport({ from, to, intervalMs: QUARTER, counts: [counts(3, { conversationsHandedOff: 4, conversations: 9 })], roster: new Map(), assumptions: A });
    expect(agentsNowFigures(blind, to, null)).toMatchObject({ ahtSec: null, ahtBasis: 'none', withBot: null, withoutBot: null, savedByBot: null });
  });
});
