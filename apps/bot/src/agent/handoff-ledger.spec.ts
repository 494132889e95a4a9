import { botHandoffKeys, type BotIncarnation, type HeldSession } from '@warroom/contracts';
import { describe, expect, it } from 'vitest';
import { HandoffLedger, type HandoffDecision, type HandoffLogRecord } from './handoff-ledger';
import { rendezvousPick } from './rendezvous';

const LEASE_MS = 5_000;
const SHOP = 'demo-electronics';
const bot1: BotIncarnation = { botId: 'bot-1', incarnation: 'run-1a' };
const bot2: BotIncarnation = { botId: 'bot-2', incarnation: 'run-2a' };
const bot3: BotIncarnation = { botId: 'bot-3', incarnation: 'run-3a' };

const presence = (who: BotIncarnation, atMs: number, startedAtMs = 0): HandoffLogRecord => ({
  key: botHandoffKeys.presence(who.botId),
  timestampMs: atMs,
  value: { kind: 'presence', ...who, startedAtMs },
});

function held(who: BotIncarnation, sessionId: string, atMs: number, state: 'waiting' | 'active' = 'waiting'): HandoffLogRecord {
  const value: HeldSession = {
    kind: 'held',
    ...who,
    entry: {
      shopId: SHOP,
      sessionId,
      customerId: `c-${sessionId}`,
      channel: 'app',
      source: 'live',
      mode: 'bot',
      stage: 'pre_sale',
      sku: null,
      handoffReason: 'no_match',
      lastQuestion: { eventId: `q-${sessionId}`, text: '能寄到南极吗', atMs },
      emotion: { name: 'neutral', intensity: 0 },
      questions: 1,
      handedOffAtMs: atMs,
      state,
      agentId: state === 'active' ? 'agent' : null,
      acceptedAtMs: state === 'active' ? atMs : null,
      acceptEventId: state === 'active' ? `a-${sessionId}` : null,
      lastActivityMs: atMs,
    },
    memory: null,
  };
  return { key: botHandoffKeys.session(SHOP, sessionId), timestampMs: atMs, value };
}

const tombstone = (sessionId: string, atMs: number): HandoffLogRecord => ({ key: botHandoffKeys.session(SHOP, sessionId), timestampMs: atMs, value: null });

function applyAll(ledger: HandoffLedger, records: HandoffLogRecord[]): HandoffDecision[] {
  return records.flatMap((record) => ledger.apply(record));
}

const adoptions = (decisions: HandoffDecision[]) =>
  decisions.flatMap((decision) => (decision.kind === 'adopt' ? [{ sessionId: decision.held.entry.sessionId, to: decision.to.botId, from: decision.from.botId }] : []));

const sessions = Array.from({ length: 40 }, (_, i) => `s-${i}`);

describe('HandoffLedger', () => {
  it('gives each session of a bot silent past the lease to the live bot rendezvous hashing picks, once, with its state', () => {
    const ledger = new HandoffLedger({ presenceLeaseMs: LEASE_MS });
    applyAll(ledger, [presence(bot1, 0), presence(bot2, 0), presence(bot3, 0)]);
    const ofBot1 = sessions.filter((_, i) => i % 2 === 0);
    applyAll(ledger, [...ofBot1.map((s) => held(bot1, s, 100)), held(bot1, 's-0', 200, 'active'), held(bot2, 's-1', 200)]);
    // bot-1 falls silent; the others keep appearing. Nothing moves within the lease.
    expect(adoptions(applyAll(ledger, [presence(bot2, 4_000), presence(bot3, 4_000)]))).toEqual([]);
    const decisions = applyAll(ledger, [presence(bot2, 5_500), presence(bot3, 5_500), presence(bot2, 6_500), presence(bot3, 6_500)]);

    expect(decisions.filter((decision) => decision.kind === 'dead')).toEqual([{ kind: 'dead', incarnation: bot1 }]);
    const moved = adoptions(decisions);
    expect(moved.map((move) => move.sessionId).sort()).toEqual([...ofBot1].sort());
    const live = [bot2, bot3].map((bot) => ({ name: bot.botId }));
    for (const move of moved) {
      expect(move.from).toBe('bot-1');
      expect(move.to).toBe(rendezvousPick(move.sessionId, live)!.name);
    }
    // Both survivors got some; the adopted session keeps its agent and place.
    expect(new Set(moved.map((move) => move.to))).toEqual(new Set(['bot-2', 'bot-3']));
    const active = ledger.holding(botHandoffKeys.session(SHOP, 's-0'))!;
    expect(active.entry).toMatchObject({ state: 'active', agentId: 'agent', acceptEventId: 'a-s-0' });
    expect(active.botId).not.toBe('bot-1');
    // bot-2's own session stays where it is.
    expect(ledger.holding(botHandoffKeys.session(SHOP, 's-1'))!.botId).toBe('bot-2');
  });

  it('reaches the same decisions at the same records in every bot (a bot that replays the log agrees with one that followed it)', () => {
    const log = [
      presence(bot1, 0),
      presence(bot2, 0),
      ...sessions.map((s, i) => held(i % 2 ? bot1 : bot2, s, 10 + i)),
      tombstone('s-3', 60),
      presence(bot2, 3_000),
      presence(bot2, 6_000),
      presence(bot2, 7_000),
    ];
    const follower = new HandoffLedger({ presenceLeaseMs: LEASE_MS });
    const followed = log.map((record) => follower.apply(record));
    const replayer = new HandoffLedger({ presenceLeaseMs: LEASE_MS });
    expect(log.map((record) => replayer.apply(record))).toEqual(followed);
    // The tombstoned session is nobody's; every other session of bot-1 is bot-2's now.
    expect(follower.holding(botHandoffKeys.session(SHOP, 's-3'))).toBeUndefined();
    for (const s of sessions.filter((_, i) => i !== 3)) expect(follower.holding(botHandoffKeys.session(SHOP, s))!.botId).toBe('bot-2');
  });

  it('ignores a dead run from then on, keeps a session on its live holder, and lets a live bot take a session nobody holds', () => {
    const ledger = new HandoffLedger({ presenceLeaseMs: LEASE_MS });
    applyAll(ledger, [presence(bot1, 0), presence(bot2, 0), held(bot1, 's-1', 10), held(bot2, 's-2', 10)]);
    // Another bot writing a session bot-2 holds (a customer routed elsewhere) does not move it.
    applyAll(ledger, [held(bot1, 's-2', 20)]);
    expect(ledger.holding(botHandoffKeys.session(SHOP, 's-2'))!.botId).toBe('bot-2');
    applyAll(ledger, [presence(bot2, 6_000)]);
    expect(ledger.isDead(bot1)).toBe(true);
    expect(ledger.holding(botHandoffKeys.session(SHOP, 's-1'))!.botId).toBe('bot-2');
    // The stalled bot-1 wakes up: its presence and its writes no longer count.
    applyAll(ledger, [presence(bot1, 6_100), held(bot1, 's-1', 6_100, 'active')]);
    expect(ledger.liveBots().map((bot) => bot.botId)).toEqual(['bot-2']);
    expect(ledger.holding(botHandoffKeys.session(SHOP, 's-1'))).toMatchObject({ botId: 'bot-2', entry: { state: 'waiting' } });
    // A new session handed off by a live bot is its own.
    applyAll(ledger, [held(bot2, 's-9', 6_200)]);
    expect(ledger.holding(botHandoffKeys.session(SHOP, 's-9'))!.botId).toBe('bot-2');
  });

  it('ends a run at once when the same bot id starts again, whose new run adopts what the old one held', () => {
    const ledger = new HandoffLedger({ presenceLeaseMs: LEASE_MS });
    applyAll(ledger, [presence(bot1, 0, 0), presence(bot2, 0, 0), ...sessions.map((s) => held(bot1, s, 10))]);
    const restarted: BotIncarnation = { botId: 'bot-1', incarnation: 'run-1b' };
    const decisions = ledger.apply(presence(restarted, 1_000, 900));
    expect(decisions[0]).toEqual({ kind: 'dead', incarnation: bot1 });
    const live = [{ name: 'bot-1' }, { name: 'bot-2' }];
    for (const move of adoptions(decisions)) expect(move.to).toBe(rendezvousPick(move.sessionId, live)!.name);
    // The sessions the restarted bot-1 is routed are its new run's.
    const mine = sessions.filter((s) => rendezvousPick(s, live)!.name === 'bot-1');
    expect(mine.length).toBeGreaterThan(0);
    for (const s of mine) expect(ledger.holding(botHandoffKeys.session(SHOP, s))!.incarnation).toBe('run-1b');
    // An older run showing up late is not the bot.
    expect(ledger.apply(presence(bot1, 1_100, 0))).toEqual([]);
    expect(ledger.liveBots().find((bot) => bot.botId === 'bot-1')!.incarnation).toBe('run-1b');
  });

  it('keeps a dead bot\'s sessions while no bot is live, and gives them to the next bot that appears', () => {
    const ledger = new HandoffLedger({ presenceLeaseMs: LEASE_MS });
    applyAll(ledger, [presence(bot1, 0), held(bot1, 's-1', 10)]);
    // Log time passes (a tombstone of something else) with nobody present: bot-1 dies, nobody to adopt.
    expect(adoptions(ledger.apply(tombstone('s-0', 9_000)))).toEqual([]);
    expect(ledger.holding(botHandoffKeys.session(SHOP, 's-1'))!.botId).toBe('bot-1');
    expect(adoptions(ledger.apply(presence(bot3, 9_500)))).toEqual([{ sessionId: 's-1', to: 'bot-3', from: 'bot-1' }]);
  });

  it('moves a session from its holder to a bot that came back only when the holder hands it over, and back to the holder if the receiver is gone', () => {
    const ledger = new HandoffLedger({ presenceLeaseMs: LEASE_MS });
    const decisions = applyAll(ledger, [presence(bot2, 0), held(bot2, 's-1', 10), held(bot2, 's-2', 10), presence(bot1, 1_000)]);
    // bot-1 appearing is news for the holders, but moves nothing by itself.
    expect(decisions).toContainEqual({ kind: 'live', incarnation: bot1 });
    expect(adoptions(decisions)).toEqual([]);
    const handOver = (sessionId: string, to: BotIncarnation, atMs: number): HandoffLogRecord => {
      const record = held(to, sessionId, atMs);
      return { ...record, value: { ...(record.value as HeldSession), from: bot2 } };
    };
    expect(adoptions(ledger.apply(handOver('s-1', bot1, 1_100)))).toEqual([{ sessionId: 's-1', to: 'bot-1', from: 'bot-2' }]);
    expect(ledger.holding(botHandoffKeys.session(SHOP, 's-1'))).toMatchObject({ botId: 'bot-1', incarnation: 'run-1a' });
    expect(ledger.holding(botHandoffKeys.session(SHOP, 's-1'))).not.toHaveProperty('from');
    // Only the holder hands over: bot-2 no longer holds s-1.
    expect(ledger.apply(handOver('s-1', bot3, 1_200))).toEqual([]);
    // To a bot that is not live, the session goes back to its holder.
    expect(adoptions(ledger.apply(handOver('s-2', bot3, 1_300)))).toEqual([{ sessionId: 's-2', to: 'bot-2', from: 'bot-2' }]);
    expect(ledger.holding(botHandoffKeys.session(SHOP, 's-2'))!.botId).toBe('bot-2');
  });
});
