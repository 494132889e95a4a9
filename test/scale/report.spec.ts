import { describe, expect, it } from 'vitest';
import {
  claimConflict,
  countClaimConflicts,
  lostHandoffs,
  reportFailures,
  viewComputationsPerTick,
  type ClaimRace,
  type ScaleReport,
} from './report';

const passing: ScaleReport = {
  ingestProcesses: 3,
  rebalances: 10,
  eventsProduced: 12_000,
  lost: 0,
  duplicated: 0,
  rollupMismatches: 0,
  apiProcesses: 3,
  clients: 3_000,
  droppedClients: 0,
  viewComputationsPerTick: 3,
  gapClaimConflicts: 0,
  botProcesses: 2,
  handoffsLost: 0,
};
const expected = { distinctViews: 3, kills: 5 };

describe('reportFailures', () => {
  it('passes a run where every count is 0 and each view was computed once per tick', () => {
    expect(reportFailures(passing, expected)).toEqual([]);
  });

  it.each(['lost', 'duplicated', 'rollupMismatches', 'droppedClients', 'gapClaimConflicts', 'handoffsLost'] as const)('fails on %s above 0', (field) => {
    expect(reportFailures({ ...passing, [field]: 1 }, expected)).toEqual([`${field} is 1, not 0`]);
  });

  it('fails when every process computes every view', () => {
    expect(reportFailures({ ...passing, viewComputationsPerTick: 9 }, expected)).toEqual(['viewComputationsPerTick is 9, not the 3 distinct views']);
  });

  it('fails on what was not measured instead of calling it fine', () => {
    const failures = reportFailures({ ...passing, viewComputationsPerTick: null, handoffsLost: null, rebalances: null }, expected);
    expect(failures).toEqual(['handoffsLost was not measured', 'viewComputationsPerTick was not measured', 'rebalances were not measured']);
  });

  it('fails a run whose kills caused no rebalance or that produced nothing', () => {
    expect(reportFailures({ ...passing, rebalances: 2, eventsProduced: 0 }, expected)).toEqual([
      '5 kills of an ingest process caused only 2 rebalances',
      'no events were produced: the ingest checks proved nothing',
    ]);
  });
});

describe('viewComputationsPerTick', () => {
  it('divides the deployment-wide computations by the deployment-wide ticks over the window', () => {
    // A leader ticked 10 times computing 3 views; the two others neither ticked nor computed.
    const before = [{ ticks: 100, viewComputations: 300 }, { ticks: 0, viewComputations: 0 }, { ticks: 0, viewComputations: 0 }];
    const after = [{ ticks: 110, viewComputations: 330 }, { ticks: 0, viewComputations: 0 }, { ticks: 0, viewComputations: 0 }];
    expect(viewComputationsPerTick(before, after)).toBe(3);
  });

  it('shows every process computing every view for its own viewers', () => {
    const before = [0, 0, 0].map(() => ({ ticks: 0, viewComputations: 0 }));
    const after = [0, 0, 0].map(() => ({ ticks: 10, viewComputations: 90 }));
    expect(viewComputationsPerTick(before, after)).toBe(9);
  });

  it('measures nothing when no process ticked, a counter went backwards or a process is missing', () => {
    const idle = [{ ticks: 5, viewComputations: 15 }];
    expect(viewComputationsPerTick(idle, idle)).toBeNull();
    expect(viewComputationsPerTick([{ ticks: 50, viewComputations: 150 }], [{ ticks: 10, viewComputations: 30 }])).toBeNull();
    expect(viewComputationsPerTick(idle, [])).toBeNull();
  });
});

describe('claim conflicts', () => {
  const race = (patch: Partial<ClaimRace>): ClaimRace => ({ gapId: 'g1', statuses: [200, 409], ownersSeen: ['tina', 'tina', 'tina'], winner: 'tina', ...patch });

  it('counts a race decided once, with every process showing the winner, as no conflict', () => {
    expect(claimConflict(race({}))).toBeNull();
    expect(countClaimConflicts([race({}), race({ statuses: [409, 200], winner: 'theo', ownersSeen: ['theo', 'theo', 'theo'] })])).toBe(0);
  });

  it('counts both winning, neither winning, and processes disagreeing on the owner', () => {
    const races = [
      race({ statuses: [200, 200], winner: null }),
      race({ statuses: [409, 503], winner: null, ownersSeen: [null, null, null] }),
      race({ ownersSeen: ['tina', 'theo', 'tina'] }),
      race({ ownersSeen: ['tina', null, 'tina'] }),
    ];
    expect(races.map(claimConflict)).toEqual([
      'gap g1: 2 claims succeeded (200, 200)',
      'gap g1: no claim succeeded (409, 503)',
      'gap g1: tina won, the processes show tina, theo, tina',
      'gap g1: tina won, the processes show tina, nobody, tina',
    ]);
    expect(countClaimConflicts(races)).toBe(4);
  });
});

describe('lostHandoffs', () => {
  it('names customers no queue showed, and customers shown but left neither accepted nor abandoned', () => {
    const lost = lostHandoffs({
      handedOff: new Set(['accepted', 'abandoned', 'never-shown', 'left-waiting', 'accepted-unseen']),
      shownToAgents: new Set(['accepted', 'abandoned', 'left-waiting']),
      accepted: new Set(['accepted', 'accepted-unseen']),
      abandoned: new Set(['abandoned']),
    });
    expect(lost).toEqual(['never-shown', 'left-waiting', 'accepted-unseen']);
  });
});
