import { describe, expect, it } from 'vitest';
import { AssignmentLedger, assignmentIn } from './assignments';

describe('assignmentIn', () => {
  it('reads the partitions a process was assigned for the topic, and nothing from other lines', () => {
    expect(assignmentIn('{"level":30,"msg":"Assigned partitions 0,3,17 of chat.events"}', 'chat.events')).toEqual([0, 3, 17]);
    expect(assignmentIn('Assigned partitions (none) of chat.events', 'chat.events')).toEqual([]);
    expect(assignmentIn('Assigned partitions 1,2 of kb.patches', 'chat.events')).toBeNull();
    expect(assignmentIn('event-loop: p99 12 ms', 'chat.events')).toBeNull();
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
