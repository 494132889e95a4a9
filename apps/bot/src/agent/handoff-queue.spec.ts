import { Conflict, NotFound } from '@warroom/nest-common';
import { describe, expect, it } from 'vitest';
import { HandoffQueue, type HandedOffSession } from './handoff-queue';

function session(sessionId: string, shopId = 'shop-a'): HandedOffSession {
  return {
    shopId,
    sessionId,
    customerId: `c-${sessionId}`,
    channel: 'app',
    source: 'live',
    mode: 'bot',
    stage: 'pre_sale',
    sku: null,
    handoffReason: 'no_match',
    lastQuestion: { eventId: `q-${sessionId}`, text: '问题', atMs: 0 },
    emotion: { name: 'neutral', intensity: 0 },
    questions: 1,
  };
}

describe('HandoffQueue', () => {
  it('lists waiting sessions oldest first, by shop, with a limit and the total', () => {
    const queue = new HandoffQueue({ max: 100, activeIdleMs: 60_000 });
    queue.handOff(session('a'), 0);
    queue.handOff(session('b', 'shop-b'), 1);
    queue.handOff(session('c'), 2);
    // Handed off again: keeps its place and its first reason.
    queue.handOff({ ...session('a'), handoffReason: 'customer_request' }, 3);
    expect(queue.listWaiting(undefined, 2)).toMatchObject({ total: 3, entries: [{ sessionId: 'a', handoffReason: 'no_match' }, { sessionId: 'b' }] });
    expect(queue.listWaiting('shop-a', 10).entries.map((entry) => entry.sessionId)).toEqual(['a', 'c']);
    queue.accept('shop-a', 'c', 'agent-1', 'e-1', 5);
    queue.accept('shop-a', 'a', 'agent-2', 'e-2', 6);
    expect([queue.waiting, queue.active]).toEqual([1, 2]);
    expect(queue.listActive(undefined).map((entry) => entry.sessionId)).toEqual(['c', 'a']);
  });

  it('beyond its bound, the oldest waiting session goes (to be recorded as abandoned), never a held chat', () => {
    const queue = new HandoffQueue({ max: 2, activeIdleMs: 60_000 });
    queue.handOff(session('a'), 0);
    queue.accept('shop-a', 'a', 'agent-1', 'e-1', 1);
    queue.handOff(session('b'), 2);
    const { evicted } = queue.handOff(session('c'), 3);
    expect(evicted.map((entry) => entry.sessionId)).toEqual(['b']);
    expect([queue.waiting, queue.active]).toEqual([1, 1]);
  });

  it('expires waiting sessions past the wait limit and forgets chats held idle too long', () => {
    const queue = new HandoffQueue({ max: 10, activeIdleMs: 1_000 });
    queue.handOff(session('a'), 0);
    queue.handOff(session('b'), 0);
    queue.accept('shop-a', 'b', 'agent-1', 'e-1', 100);
    queue.handOff(session('c'), 900);
    const { abandoned, forgotten } = queue.expire(1_200, 1_000);
    expect(abandoned.map((entry) => entry.sessionId)).toEqual(['a']);
    expect(forgotten).toBe(1);
    expect(queue.listWaiting(undefined, 10).entries.map((entry) => entry.sessionId)).toEqual(['c']);
  });

  it('only the agent holding a chat may reply or end it (a conflict naming the state); not found for unknown sessions', () => {
    const queue = new HandoffQueue({ max: 10, activeIdleMs: 1_000 });
    queue.handOff(session('a'), 0);
    expect(() => queue.end('shop-a', 'a', 'agent-1', 1)).toThrow(expect.objectContaining({ constructor: Conflict, details: expect.objectContaining({ state: 'waiting' }) as unknown }));
    queue.accept('shop-a', 'a', 'agent-1', 'e-1', 1);
    expect(() => queue.held('shop-a', 'a', 'agent-2', 2)).toThrow(expect.objectContaining({ constructor: Conflict, details: expect.objectContaining({ state: 'active' }) as unknown }));
    expect(queue.end('shop-a', 'a', 'agent-1', 3).agentId).toBe('agent-1');
    expect(() => queue.end('shop-a', 'a', 'agent-1', 4)).toThrow(NotFound);
  });

  it('tells its listener every change and every departure, so other bots can take the queue over', () => {
    const queue = new HandoffQueue({ max: 2, activeIdleMs: 60_000 });
    const seen: string[] = [];
    queue.watch((entry, present) => seen.push(`${entry.sessionId} ${present ? entry.state : 'gone'}`));
    queue.handOff(session('a'), 0);
    queue.noteQuestion('shop-a', 'a', { lastQuestion: { eventId: 'q-2', text: '还在吗', atMs: 1 }, emotion: { name: 'neutral', intensity: 0 }, stage: 'pre_sale', sku: null }, 1);
    queue.accept('shop-a', 'a', 'agent-1', 'e-1', 2);
    queue.handOff(session('b'), 3);
    queue.handOff(session('c'), 4);
    queue.end('shop-a', 'a', 'agent-1', 5);
    queue.abandon('shop-a', 'c');
    queue.handOff(session('d'), 6);
    queue.expire(10_000_000, 1);
    // b is pushed out by the bound as c arrives; d waits past the limit.
    expect(seen).toEqual(['a waiting', 'a waiting', 'a active', 'b waiting', 'b gone', 'c waiting', 'a gone', 'c gone', 'd waiting', 'd gone']);
  });

  it('adopts a dead bot\'s sessions with their place, state and agent, keeps its own copy of one it has, and drops one silently', () => {
    const queue = new HandoffQueue({ max: 100, activeIdleMs: 60_000 });
    queue.handOff(session('mine'), 50);
    const told: string[] = [];
    queue.watch((entry, present) => told.push(`${entry.sessionId} ${present}`));
    const orphan = { ...session('orphan'), handedOffAtMs: 10, state: 'waiting' as const, agentId: null, acceptedAtMs: null, acceptEventId: null, lastActivityMs: 10 };
    const held = { ...session('held'), handedOffAtMs: 20, state: 'active' as const, agentId: 'agent-1', acceptedAtMs: 30, acceptEventId: 'e-1', lastActivityMs: 30 };
    const mineElsewhere = { ...orphan, sessionId: 'mine', handedOffAtMs: 1 };
    expect(queue.adopt([orphan, held, mineElsewhere]).map((entry) => entry.sessionId)).toEqual(['orphan', 'held']);
    // Oldest first across adopted and own sessions; the adopted chat is still the agent's.
    expect(queue.listWaiting(undefined, 10).entries.map((entry) => `${entry.sessionId}@${entry.handedOffAtMs}`)).toEqual(['orphan@10', 'mine@50']);
    expect(queue.held('shop-a', 'held', 'agent-1', 40).acceptEventId).toBe('e-1');
    expect([queue.waiting, queue.active]).toEqual([2, 1]);
    expect(told).toEqual(['orphan true', 'held true']);
    queue.drop('shop-a', 'orphan');
    expect([queue.waiting, queue.active, told.length]).toEqual([1, 1, 2]);
  });
});
