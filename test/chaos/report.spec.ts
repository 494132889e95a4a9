import { describe, expect, it } from 'vitest';
import { ledgerFailures, summarise, type ScenarioResult } from './report';

const result = (name: string, patch: Partial<ScenarioResult> = {}): ScenarioResult => ({
  name,
  eventsProduced: 100,
  lost: 0,
  duplicated: 0,
  rollupMismatches: 0,
  badDataStallMs: null,
  failures: [],
  durationMs: 1_000,
  ...patch,
});

describe('summarise', () => {
  it('adds up the counts, names the failed scenarios and keeps the worst stall', () => {
    const summary = summarise([
      result('ingest-kills', { lost: 2, failures: ['2 produced valid events are not stored'] }),
      result('hostile-input', { duplicated: 1, badDataStallMs: 1_200, failures: ['x'] }),
      result('store-pause'),
    ]);
    expect(summary).toEqual({
      scenarios: 3,
      eventsProduced: 300,
      lost: 2,
      duplicated: 1,
      rollupMismatches: 0,
      failedScenarios: ['ingest-kills', 'hostile-input'],
      maxBadDataStallMs: 1_200,
    });
  });

  it('reports no stall when scenario 6 did not run', () => {
    expect(summarise([result('store-pause')]).maxBadDataStallMs).toBeNull();
  });
});

describe('ledgerFailures', () => {
  it('says nothing when nothing was lost, doubled or miscounted', () => {
    expect(ledgerFailures({ lost: 0, duplicated: 0, rollupMismatches: 0 })).toEqual([]);
  });

  it('names each broken expectation', () => {
    expect(ledgerFailures({ lost: 1, duplicated: 2, rollupMismatches: 3 })).toHaveLength(3);
  });
});
