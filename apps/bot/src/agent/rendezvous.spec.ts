import { describe, expect, it } from 'vitest';
import { rendezvousPick } from './rendezvous';

const bots = ['bot-1', 'bot-2', 'bot-3'].map((name) => ({ name }));
const sessions = Array.from({ length: 3_000 }, (_, i) => `s-${i}`);
const owner = (session: string, candidates: readonly { name: string }[]): string | undefined => rendezvousPick(session, candidates)?.name;

describe('rendezvousPick', () => {
  it('gives a key the same candidate every time, whatever their order, and spreads keys over all of them', () => {
    const counts = new Map<string, number>();
    for (const session of sessions) {
      const name = owner(session, bots);
      expect(owner(session, [...bots].reverse())).toBe(name);
      counts.set(name!, (counts.get(name!) ?? 0) + 1);
    }
    for (const bot of bots) expect(counts.get(bot.name)).toBeGreaterThan(sessions.length / 3 - 300);
  });

  it('moves only the keys of a candidate that leaves, and gives them back when it returns', () => {
    const before = new Map(sessions.map((session) => [session, owner(session, bots)]));
    const without = bots.filter((bot) => bot.name !== 'bot-2');
    for (const session of sessions) {
      const now = owner(session, without);
      if (before.get(session) === 'bot-2') expect(now).not.toBe('bot-2');
      else expect(now).toBe(before.get(session));
      expect(owner(session, bots)).toBe(before.get(session));
    }
  });

  it('has no candidate for an empty set', () => {
    expect(rendezvousPick('s-1', [])).toBeNull();
  });
});
