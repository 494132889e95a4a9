import { describe, expect, it } from 'vitest';
import { INSPECT_LENGTH, inspectMockCluster, patchControllerId, type MockClusterMemory } from './layout';

const RK = 0x8d1f950n;
const BOOTSTRAPS = 0x8d22e70n;

/** A copy of the first bytes of a real librdkafka 2.0.2 mock cluster, reduced to what is checked. */
function memory2_0_2(edit?: (view: DataView) => void): MockClusterMemory {
  const view = new DataView(new ArrayBuffer(INSPECT_LENGTH));
  new Uint8Array(view.buffer).set(Buffer.from('mockCluster23486dc\0', 'latin1'), 0);
  view.setBigUint64(32, RK, true);
  view.setInt32(40, 0, true); // controller_id: the bug
  view.setBigUint64(48, 0x8d0fe70n, true); // brokers TAILQ head
  view.setInt32(64, 1, true); // broker_cnt
  view.setBigUint64(168, BOOTSTRAPS, true); // char *bootstraps
  view.setInt32(232, 4, true); // defaults.partition_cnt
  view.setInt32(236, 1, true); // defaults.replication_factor
  edit?.(view);
  return { memory: view, rkAddress: RK, bootstrapsAddress: BOOTSTRAPS, brokerCount: 1, littleEndian: true };
}

function problemsOf(input: MockClusterMemory): readonly string[] {
  const check = inspectMockCluster(input);
  return check.ok ? [] : check.problems;
}

describe('inspectMockCluster', () => {
  it('accepts the 2.0.2 layout and finds the bootstraps field by its pointer', () => {
    const check = inspectMockCluster(memory2_0_2());
    expect(check).toEqual({
      ok: true,
      layout: {
        clusterId: 'mockCluster23486dc',
        controllerIdOffset: 40,
        bootstrapsOffset: 168,
        partitionCntOffset: 232,
        replicationFactorOffset: 236,
      },
    });
  });

  it.each([
    ['a different cluster id', (v: DataView) => v.setUint8(0, 'X'.charCodeAt(0)), /cluster id at byte 0/],
    ['another handle at byte 32', (v: DataView) => v.setBigUint64(32, 0x1234n, true), /pointer at byte 32 is 0x1234/],
    ['a controller id that is not 0', (v: DataView) => v.setInt32(40, 1, true), /controller_id at byte 40 is 1, expected 0/],
    ['a different broker count', (v: DataView) => v.setInt32(64, 3, true), /broker_cnt at byte 64 is 3/],
    ['the bootstraps pointer twice', (v: DataView) => v.setBigUint64(176, BOOTSTRAPS, true), /occurs 2 times .*\(at 168, 176\)/],
    ['no bootstraps pointer', (v: DataView) => v.setBigUint64(168, 0n, true), /occurs 0 times/],
    ['another default partition count', (v: DataView) => v.setInt32(232, 8, true), /defaults.partition_cnt at byte 232 .* is 8, expected 4/],
    ['another replication factor', (v: DataView) => v.setInt32(236, 2, true), /defaults.replication_factor at byte 236 .* is 2, expected 1/],
  ])('refuses %s', (_name, edit, message) => {
    const problems = problemsOf(memory2_0_2(edit));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(message);
  });

  it('reports every problem at once', () => {
    const problems = problemsOf(
      memory2_0_2((v) => {
        v.setInt32(40, 7, true);
        v.setInt32(232, 0, true);
      }),
    );
    expect(problems).toHaveLength(2);
  });

  it('refuses a view too short to hold the checked fields', () => {
    const input = { ...memory2_0_2(), memory: new DataView(new ArrayBuffer(64)) };
    expect(problemsOf(input)[0]).toMatch(/only 64 bytes readable/);
  });
});

describe('patchControllerId', () => {
  it('writes the controller id in place', () => {
    const input = memory2_0_2();
    const check = inspectMockCluster(input);
    if (!check.ok) throw new Error(check.problems.join('; '));
    patchControllerId(input.memory, check.layout, 1, true);
    expect(input.memory.getInt32(40, true)).toBe(1);
  });
});
