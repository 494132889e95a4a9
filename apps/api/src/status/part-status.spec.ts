import { PART_PROBLEM_MAX_CHARS, partStatusSchema, type BotHealth } from '@warroom/contracts';
import { describe, expect, it } from 'vitest';
import { botObservation, downBecause, FAILED_LOOKS_TO_DOWN, ingestObservation, nextPartStatus, shorten, UP } from './part-status';

const at = (time: string) => new Date(`2026-11-11T${time}Z`);

function botHealth(events: Partial<BotHealth['events']>, status: BotHealth['status'] = 'degraded'): BotHealth {
  return {
    status,
    shops: [],
    events: { queued: 0, spooled: 0, spoolBytes: 0, delivered: 0, dropped: 0, lastError: null, ...events },
    sessions: 0,
  };
}

describe('nextPartStatus', () => {
  it('dates a state from the first look that saw it, however many looks follow', () => {
    const first = nextPartStatus('bot', undefined, UP, at('20:00:00'));
    expect(first).toEqual({ part: 'bot', state: 'up', since: '2026-11-11T20:00:00.000Z', problem: null });
    const down = nextPartStatus('bot', first, downBecause(new Error('fetch failed (ECONNREFUSED)')), at('20:00:02'));
    const stillDown = nextPartStatus('bot', down, downBecause(new Error('no answer within 2 s')), at('20:00:04'));
    expect(stillDown).toEqual({ part: 'bot', state: 'down', since: '2026-11-11T20:00:02.000Z', problem: 'no answer within 2 s' });
    const back = nextPartStatus('bot', stillDown, UP, at('20:00:06'));
    expect(back).toEqual({ part: 'bot', state: 'up', since: '2026-11-11T20:00:06.000Z', problem: null });
    expect(partStatusSchema.parse(back)).toEqual(back);
  });

  it('starts a new "since" when a degraded part goes down', () => {
    const degraded = nextPartStatus('ingest', undefined, ingestObservation({ status: 'catching_up' }), at('20:00:00'));
    const down = nextPartStatus('ingest', degraded, ingestObservation({ status: 'failed' }), at('20:00:05'));
    expect(down).toEqual({ part: 'ingest', state: 'down', since: '2026-11-11T20:00:05.000Z', problem: 'consumer failed' });
  });

  it('shows a part seen up as down only once its looks failed twice in a row; a part never seen is down at once', () => {
    const up = nextPartStatus('store', undefined, UP, at('20:00:00'));
    const slow = downBecause(new Error('no answer within 2 s'));
    expect(nextPartStatus('store', up, slow, at('20:00:02'), 1)).toBe(up);
    expect(nextPartStatus('store', up, slow, at('20:00:04'), FAILED_LOOKS_TO_DOWN)).toMatchObject({ state: 'down', since: '2026-11-11T20:00:04.000Z' });
    expect(nextPartStatus('bot', undefined, slow, at('20:00:02'), 1)).toMatchObject({ state: 'down' });
  });
});

describe('observations', () => {
  it('reads ingest: ok is up, catching up and a missing store degraded, failed down', () => {
    expect(ingestObservation({ status: 'ok' })).toEqual(UP);
    expect(ingestObservation({ status: 'catching_up' }).state).toBe('degraded');
    expect(ingestObservation({ status: 'store_unavailable' })).toEqual({ state: 'degraded', problem: 'cannot write to the store' });
    expect(ingestObservation({ status: 'failed' }).state).toBe('down');
  });

  it('reads the bot: events stuck in the spool or dropped are degraded, with the count', () => {
    expect(botObservation(botHealth({}, 'ok'), null)).toEqual(UP);
    // Nothing delivered between two looks while events wait: the broker is away.
    const before = botHealth({ spooled: 40, delivered: 1_000 });
    expect(botObservation(botHealth({ spooled: 42, delivered: 1_000 }), before.events)).toEqual({
      state: 'degraded',
      problem: '42 events waiting in the spool',
    });
    expect(botObservation(botHealth({ spooled: 42, dropped: 3 }), null)).toEqual({ state: 'degraded', problem: '3 events dropped' });
  });

  it('does not call a bot degraded for the events passing through its spool under load', () => {
    // Every event is spooled before its reply: a few always wait while deliveries go on.
    const before = botHealth({ spooled: 3, delivered: 1_000 });
    expect(botObservation(botHealth({ spooled: 2, delivered: 1_024 }), before.events)).toEqual(UP);
    // The first look has nothing to compare with; the one after an empty spool neither.
    expect(botObservation(botHealth({ spooled: 5, delivered: 0 }), null)).toEqual(UP);
    expect(botObservation(botHealth({ spooled: 5, delivered: 7 }), botHealth({ spooled: 0, delivered: 7 }).events)).toEqual(UP);
  });

  it('keeps a problem to one short line', () => {
    const long = `connect ECONNREFUSED ${'x'.repeat(500)}\n    at TCPConnectWrap.afterConnect`;
    const problem = shorten(long);
    expect(problem.length).toBe(PART_PROBLEM_MAX_CHARS);
    expect(problem.endsWith('…')).toBe(true);
    expect(problem).not.toContain('TCPConnectWrap');
    expect(shorten('')).toBe('unknown error');
  });
});
