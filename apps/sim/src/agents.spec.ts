import type { AbandonRequest, AgentChat, AgentQueue, RecordedEvent, WaitingSession } from '@warroom/contracts';
import { describe, expect, it } from 'vitest';
import { AgentFloor, agentOrderChance, rosterByQuarterHour, type WaitingCustomer } from './agents';
import { BotRequestError, type AgentDeskApi } from './bot-client';
import type { SimAgents } from './profile';
import { mulberry32 } from './traffic';

const PROFILE: SimAgents = {
  shifts: [
    { team: 'night', agents: 1, from: '23:00', to: '00:00' },
    { team: 'rush', agents: 1, from: '00:00', to: '01:00' },
  ],
  concurrency: 2,
  handleSeconds: { median: 10, p90: 10 },
  firstReplySeconds: { min: 1, max: 1 },
  patienceSeconds: 5,
  flagShare: 1,
  orderShare: 1,
};

/** A bot's queue in memory: what the floor sees and does, with the bot's 404/409 rules. */
class FakeDesk implements AgentDeskApi {
  readonly waiting = new Map<string, WaitingSession>();
  readonly log: string[] = [];
  private readonly held = new Map<string, string>();

  handOff(sessionId: string): void {
    const at = new Date(0).toISOString();
    this.waiting.set(sessionId, {
      shopId: 'shop',
      sessionId,
      customerId: `c-${sessionId}`,
      channel: 'app',
      source: 'rehearsal',
      mode: 'bot',
      stage: 'pre_sale',
      sku: null,
      handoffReason: 'customer_request',
      handedOffAt: at,
      lastQuestion: { eventId: `q-${sessionId}`, text: '转人工', at },
      emotion: { name: 'neutral', intensity: 0 },
      questions: 1,
      waitSec: 0,
    });
  }

  queue(): Promise<AgentQueue> {
    return Promise.resolve({ asOf: new Date(0).toISOString(), waitingTotal: this.waiting.size, waiting: [...this.waiting.values()], active: [] });
  }

  accept(request: { shopId: string; sessionId: string; agentId: string }): Promise<AgentChat> {
    const session = this.waiting.get(request.sessionId);
    if (!session) return Promise.reject(new BotRequestError('gone', 404));
    this.waiting.delete(request.sessionId);
    this.held.set(request.sessionId, request.agentId);
    this.log.push(`accept ${request.sessionId} ${request.agentId}`);
    const { waitSec: _wait, ...facts } = session;
    return Promise.resolve({ ...facts, agentId: request.agentId, acceptedAt: new Date(0).toISOString(), waitedSec: 1, acceptEventId: 'e' });
  }

  private step(name: string, sessionId: string): Promise<RecordedEvent> {
    this.log.push(`${name} ${sessionId}`);
    return Promise.resolve({ eventId: `${name}-${sessionId}` });
  }

  reply(request: { sessionId: string }): Promise<RecordedEvent> {
    return this.step('reply', request.sessionId);
  }

  end(request: { sessionId: string }): Promise<RecordedEvent> {
    this.held.delete(request.sessionId);
    return this.step('end', request.sessionId);
  }

  flag(request: { sessionId: string }): Promise<RecordedEvent> {
    return this.step('flag', request.sessionId);
  }

  abandon(request: AbandonRequest): Promise<RecordedEvent> {
    if (!this.waiting.delete(request.sessionId)) return Promise.reject(new BotRequestError('not waiting', 409));
    return this.step('abandon', request.sessionId);
  }
}

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i += 1) await new Promise((done) => setImmediate(done));
}

describe('AgentFloor', () => {
  // Curve 23:30 at the start, 60 curve minutes per real minute: the night team leaves at 30 s real.
  const timing = { fromMinute: 0, speed: 60, durationMinutes: 120, loop: false };
  const customer = (sessionId: string): WaitingCustomer => ({ shopId: 'shop', sessionId, customerId: `c-${sessionId}`, channel: 'app', stage: 'pre_sale' });

  function floor(desk: FakeDesk, clock: { now(): number }, ended: WaitingCustomer[] = []): AgentFloor {
    return new AgentFloor({ profile: PROFILE, timing, startClockMinute: 23 * 60 + 30, shops: ['shop'], runId: 'r' }, desk, mulberry32(7), clock, 0, (c) => ended.push(c));
  }

  it('follows the shifts of the curve clock, takes handoffs up to its concurrency, replies, ends and flags', async () => {
    let now = 0;
    const desk = new FakeDesk();
    const ended: WaitingCustomer[] = [];
    const agents = floor(desk, { now: () => now }, ended);
    expect(agents.onShift(0)).toBe(1);
    expect(agents.onShift(31_000)).toBe(1);
    for (const id of ['s1', 's2', 's3']) {
      desk.handOff(id);
      agents.customerWaiting(customer(id), now);
    }
    agents.tick(now);
    await settle();
    // One agent on shift (night), two chats at once: the third customer waits.
    expect(desk.log).toEqual(['accept s1 r-night-1', 'accept s2 r-night-1']);
    expect([agents.busyChats, agents.waiting]).toEqual([2, 1]);
    for (now = 100; now <= 12_000; now += 100) {
      agents.tick(now);
      await settle();
    }
    expect(desk.log).toEqual(expect.arrayContaining(['reply s1', 'end s1', 'flag s1', 'end s2']));
    expect(ended.map((c) => c.sessionId)).toEqual(expect.arrayContaining(['s1', 's2']));
    const report = agents.finish();
    expect(report).toMatchObject({ roster: 2, peakOnShift: 1, waited: 3, ended: 2, errors: 0 });
    // The third was taken once the first two ended, or gave up: either way it left the queue exactly once.
    expect(report.accepted + report.abandoned).toBe(3);
  });

  it('a customer nobody takes gives up after their patience; after the run nobody gives up any more', async () => {
    let now = 31 * 60_000;
    const desk = new FakeDesk();
    // 00:01 curve time on a one-hour curve that has ended: nobody on shift (loop off, stays at the end).
    const agents = new AgentFloor(
      { profile: { ...PROFILE, shifts: [{ team: 'gone', agents: 1, from: '03:00', to: '04:00' }] }, timing, startClockMinute: 23 * 60 + 30, shops: ['shop'], runId: 'r' },
      desk,
      mulberry32(1),
      { now: () => now },
      0,
      () => undefined,
    );
    desk.handOff('s1');
    agents.customerWaiting(customer('s1'), now);
    desk.handOff('s2');
    agents.customerWaiting(customer('s2'), now);
    for (let i = 0; i < 600 && agents.waiting > 0; i += 1) {
      now += 100;
      agents.tick(now);
      await settle();
      if (desk.log.includes('abandon s1')) agents.stopAccepting();
    }
    expect(desk.log).toContain('abandon s1');
    expect(agents.finish()).toMatchObject({ accepted: 0, abandoned: desk.log.filter((line) => line.startsWith('abandon')).length });
  });

  it('turns the roster into agents on shift per real quarter-hour (the mean over it)', () => {
    // 23:30 at the start, one curve hour per real minute: every real quarter-hour is 15 curve hours.
    const startMs = Date.parse('2026-11-10T12:00:00Z');
    const shifts = { ...PROFILE, shifts: [{ team: 'night', agents: 10, from: '23:00', to: '02:00' }, { team: 'day', agents: 4, from: '00:00', to: '00:00' }] };
    const longTiming = { fromMinute: 0, speed: 60, durationMinutes: 1440, loop: true };
    const roster = rosterByQuarterHour({ profile: shifts, timing: longTiming, startClockMinute: 23 * 60 + 30 }, startMs, startMs, startMs + 20 * 60_000);
    expect(roster.map((entry) => entry.intervalStart)).toEqual(['2026-11-10T12:00:00.000Z', '2026-11-10T12:15:00.000Z']);
    // First quarter-hour: curve 23:30–14:30, the night team on for its first 2.5 of 15 hours.
    expect(roster[0]!.agents).toBe(Math.round(4 + (10 * 2.5) / 15));
    // Second (its first 5 real minutes): curve 14:30–19:30, only the day team.
    expect(roster[1]!.agents).toBe(4);
  });
});

describe('agentOrderChance', () => {
  it('is the profile’s share before the sale, half of it during, a tenth after; unknown counts as during', () => {
    expect(agentOrderChance('pre_sale', 0.3)).toBeCloseTo(0.3);
    expect(agentOrderChance('in_sale', 0.3)).toBeCloseTo(0.15);
    expect(agentOrderChance('after_sale', 0.3)).toBeCloseTo(0.03);
    expect(agentOrderChance(null, 0.3)).toBeCloseTo(0.15);
  });
});
