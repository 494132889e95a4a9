import { describe, expect, it } from 'vitest';
import { AssignmentLedger, assignmentIn } from './assignments';

describe('assignmentIn', () => {
  const joined = (groupId: string, assignment: Record<string, number[]>): string =>
    JSON.stringify({ level: 'INFO', logger: 'kafkajs', message: '[ConsumerGroup] Consumer has joined the group', groupId, memberId: 'm-1', memberAssignment: assignment });

  it("reads the partitions of the topic a member of the group was assigned, from kafkajs' join line", () => {
    expect(assignmentIn(joined('warroom-ingest', { 'chat.events': [0, 3, 17] }), 'warroom-ingest', 'chat.events')).toEqual([0, 3, 17]);
    expect(assignmentIn(joined('warroom-ingest', {}), 'warroom-ingest', 'chat.events')).toEqual([]);
  });

  it('reads nothing from another group, another kind of line or a line that is not JSON', () => {
    expect(assignmentIn(joined('kb-follower', { 'chat.events': [1] }), 'warroom-ingest', 'chat.events')).toBeNull();
    expect(assignmentIn(JSON.stringify({ level: 'INFO', message: '[Consumer] Starting', groupId: 'warroom-ingest' }), 'warroom-ingest', 'chat.events')).toBeNull();
    expect(assignmentIn('Consumer has joined the group (not JSON)', 'warroom-ingest', 'chat.events')).toBeNull();
  });
});

describe('AssignmentLedger', () => {
  it('counts a rebalance each time the live processes hold every partition once in a new way', () => {
    const ledger = new AssignmentLedger(4);
    ledger.assigned('a', [0, 1]);
    ledger.assigned('b', [2, 3]);
    expect(ledger.complete()).toBe(true);
    expect(ledger.rebalances).toBe(0);
    // b dies: a alone takes everything once the group notices.
    ledger.gone('b');
    expect(ledger.complete()).toBe(false);
    ledger.assigned('a', [0, 1, 2, 3]);
    expect(ledger.rebalances).toBe(1);
    // b comes back; a's new assignment arrives first, leaving a moment with partitions held by nobody.
    ledger.assigned('a', [1, 0]);
    expect(ledger.complete()).toBe(false);
    ledger.assigned('b', [3, 2]);
    expect(ledger.rebalances).toBe(2);
    expect(ledger.holders()).toEqual(['a', 'b']);
    expect(ledger.describe()).toBe('a: 0,1; b: 2,3');
  });

  it('counts the group settling again after a process died, even in the same arrangement as before', () => {
    const ledger = new AssignmentLedger(2);
    ledger.assigned('a', [0]);
    ledger.assigned('b', [1]);
    ledger.gone('b');
    ledger.assigned('a', [0]);
    ledger.assigned('b', [1]);
    expect(ledger.rebalances).toBe(1);
  });

  it('does not count an assignment announced again unchanged, nor an overlap as complete', () => {
    const ledger = new AssignmentLedger(2);
    ledger.assigned('a', [0]);
    ledger.assigned('b', [1]);
    ledger.assigned('b', [1]);
    expect(ledger.rebalances).toBe(0);
    ledger.assigned('c', [1]);
    expect(ledger.complete()).toBe(false);
  });
});
