/**
 * Where the fields we patch live inside librdkafka's private `struct rd_kafka_mock_cluster_s`
 * (src/rdkafka_mock_int.h), and the checks that must all pass before we write anything.
 *
 * Why patch at all: the mock cluster reports ControllerId 0 while its brokers are 1..N, so
 * kafkajs admin calls and the idempotent producer fail with "Broker 0 not found in the cached
 * metadata". The struct is private API and its layout changes between librdkafka versions, so we
 * never trust offsets blindly: each one is checked against a value we know from the outside
 * (the handle we passed in, the bootstraps pointer the public API returned, documented defaults).
 *
 * Pure functions over a DataView, so the refusal logic is unit-tested without the native library.
 */

/** `char id[32]`, generated as "mockCluster" followed by hex digits. */
export const CLUSTER_ID_PREFIX = 'mockCluster';
export const CLUSTER_ID_LENGTH = 32;
/** `rd_kafka_t *rk`, right after the id. */
export const RK_OFFSET = 32;
/** `int32_t controller_id`, right after the handle. */
export const CONTROLLER_ID_OFFSET = 40;
/** `int broker_cnt`, after the 16-byte TAILQ_HEAD of brokers. */
export const BROKER_CNT_OFFSET = 64;
/** `defaults.partition_cnt` / `defaults.replication_factor`, relative to the `char *bootstraps` field. */
export const PARTITION_CNT_AFTER_BOOTSTRAPS = 64;
export const REPLICATION_FACTOR_AFTER_BOOTSTRAPS = 68;
/** librdkafka's default partition count for auto-created topics on the mock. */
export const EXPECTED_DEFAULT_PARTITIONS = 4;
/** The mock's controller id before patching: the bug this patch exists for. */
export const UNPATCHED_CONTROLLER_ID = 0;
/** Range searched for the bootstraps pointer (it is at 168 in 2.0.2, at 128 in 1.x). */
export const SCAN_FROM = 48;
export const SCAN_TO = 384;
/** Bytes of the struct the checks read; the real struct is over 1 KiB (request handler table). */
export const INSPECT_LENGTH = SCAN_TO + REPLICATION_FACTOR_AFTER_BOOTSTRAPS + 4;

export interface MockClusterMemory {
  /** A view of the first INSPECT_LENGTH bytes of the struct. */
  readonly memory: DataView;
  /** Address of the rd_kafka_t handle passed to rd_kafka_mock_cluster_new. */
  readonly rkAddress: bigint;
  /** Address returned by rd_kafka_mock_cluster_bootstraps (the struct's own pointer). */
  readonly bootstrapsAddress: bigint;
  readonly brokerCount: number;
  readonly littleEndian: boolean;
}

export interface MockClusterLayout {
  readonly clusterId: string;
  readonly controllerIdOffset: number;
  readonly bootstrapsOffset: number;
  readonly partitionCntOffset: number;
  readonly replicationFactorOffset: number;
}

export type LayoutCheck =
  | { readonly ok: true; readonly layout: MockClusterLayout }
  | { readonly ok: false; readonly problems: readonly string[] };

/** Runs every check; returns all problems found, not just the first, so a refusal is diagnosable. */
export function inspectMockCluster(input: MockClusterMemory): LayoutCheck {
  const { memory, littleEndian } = input;
  const problems: string[] = [];
  if (memory.byteLength < INSPECT_LENGTH) {
    return { ok: false, problems: [`only ${memory.byteLength} bytes readable, need ${INSPECT_LENGTH}`] };
  }

  const idBytes = new Uint8Array(memory.buffer, memory.byteOffset, CLUSTER_ID_LENGTH);
  const nul = idBytes.indexOf(0);
  const clusterId = Buffer.from(idBytes.subarray(0, nul === -1 ? CLUSTER_ID_LENGTH : nul)).toString('latin1');
  if (!clusterId.startsWith(CLUSTER_ID_PREFIX) || nul === -1) {
    problems.push(`cluster id at byte 0 is ${JSON.stringify(clusterId)}, expected a NUL-terminated "${CLUSTER_ID_PREFIX}…"`);
  }

  const rk = memory.getBigUint64(RK_OFFSET, littleEndian);
  if (rk !== input.rkAddress) {
    problems.push(`pointer at byte ${RK_OFFSET} is ${hex(rk)}, expected the rd_kafka_t handle ${hex(input.rkAddress)}`);
  }

  const controllerId = memory.getInt32(CONTROLLER_ID_OFFSET, littleEndian);
  if (controllerId !== UNPATCHED_CONTROLLER_ID) {
    problems.push(`controller_id at byte ${CONTROLLER_ID_OFFSET} is ${controllerId}, expected ${UNPATCHED_CONTROLLER_ID}`);
  }

  const brokerCnt = memory.getInt32(BROKER_CNT_OFFSET, littleEndian);
  if (brokerCnt !== input.brokerCount) {
    problems.push(`broker_cnt at byte ${BROKER_CNT_OFFSET} is ${brokerCnt}, expected ${input.brokerCount}`);
  }

  const hits: number[] = [];
  for (let offset = SCAN_FROM; offset <= SCAN_TO; offset += 8) {
    if (memory.getBigUint64(offset, littleEndian) === input.bootstrapsAddress) hits.push(offset);
  }
  const [bootstrapsOffset] = hits;
  if (bootstrapsOffset === undefined || hits.length !== 1) {
    problems.push(
      `the bootstraps pointer ${hex(input.bootstrapsAddress)} occurs ${hits.length} times in bytes ` +
        `${SCAN_FROM}..${SCAN_TO}${hits.length > 1 ? ` (at ${hits.join(', ')})` : ''}, expected exactly once`,
    );
    return { ok: false, problems };
  }

  const partitionCntOffset = bootstrapsOffset + PARTITION_CNT_AFTER_BOOTSTRAPS;
  const replicationFactorOffset = bootstrapsOffset + REPLICATION_FACTOR_AFTER_BOOTSTRAPS;
  const partitionCnt = memory.getInt32(partitionCntOffset, littleEndian);
  if (partitionCnt !== EXPECTED_DEFAULT_PARTITIONS) {
    problems.push(
      `defaults.partition_cnt at byte ${partitionCntOffset} (bootstraps + ${PARTITION_CNT_AFTER_BOOTSTRAPS}) ` +
        `is ${partitionCnt}, expected ${EXPECTED_DEFAULT_PARTITIONS}`,
    );
  }
  // librdkafka sets it to RD_MIN(3, broker_cnt).
  const expectedReplication = Math.min(3, input.brokerCount);
  const replicationFactor = memory.getInt32(replicationFactorOffset, littleEndian);
  if (replicationFactor !== expectedReplication) {
    problems.push(
      `defaults.replication_factor at byte ${replicationFactorOffset} (bootstraps + ${REPLICATION_FACTOR_AFTER_BOOTSTRAPS}) ` +
        `is ${replicationFactor}, expected ${expectedReplication}`,
    );
  }

  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    layout: {
      clusterId,
      controllerIdOffset: CONTROLLER_ID_OFFSET,
      bootstrapsOffset,
      partitionCntOffset,
      replicationFactorOffset,
    },
  };
}

/** Writes the controller id and reads it back; throws if the write did not stick. */
export function patchControllerId(
  memory: DataView,
  layout: MockClusterLayout,
  controllerId: number,
  littleEndian: boolean,
): void {
  memory.setInt32(layout.controllerIdOffset, controllerId, littleEndian);
  const readBack = memory.getInt32(layout.controllerIdOffset, littleEndian);
  if (readBack !== controllerId) {
    throw new Error(`controller_id reads back as ${readBack} after writing ${controllerId}`);
  }
}

function hex(value: bigint): string {
  return `0x${value.toString(16)}`;
}
