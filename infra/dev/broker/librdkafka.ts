import { endianness } from 'node:os';
import koffi from 'koffi';
import { INSPECT_LENGTH, inspectMockCluster, patchControllerId, type MockClusterLayout } from './layout';

/** Debian's `librdkafka1` package; the mock cluster API is part of the normal library. */
export const LIBRDKAFKA_SONAME = 'librdkafka.so.1';
/** Versions whose private struct layout was checked by hand; others still go through every check. */
export const KNOWN_VERSIONS: readonly string[] = ['2.0.2'];

// Opaque handles. koffi returns them as external objects; the brands keep them from being mixed up.
interface RdKafkaConf {
  readonly __brand: 'rd_kafka_conf_t';
}
interface RdKafka {
  readonly __brand: 'rd_kafka_t';
}
interface RdKafkaMockCluster {
  readonly __brand: 'rd_kafka_mock_cluster_t';
}
/** `const char *` kept as a pointer, because its address is one of the layout checks. */
interface CString {
  readonly __brand: 'const char *';
}

interface Bindings {
  versionStr(): string;
  confNew(): RdKafkaConf;
  confSet(conf: RdKafkaConf, name: string, value: string, errstr: Buffer, size: number): number;
  kafkaNew(type: number, conf: RdKafkaConf, errstr: Buffer, size: number): RdKafka | null;
  kafkaDestroy(rk: RdKafka): void;
  mockClusterNew(rk: RdKafka, brokerCount: number): RdKafkaMockCluster | null;
  mockClusterDestroy(mc: RdKafkaMockCluster): void;
  mockClusterBootstraps(mc: RdKafkaMockCluster): CString;
  mockTopicCreate(mc: RdKafkaMockCluster, topic: string, partitions: number, replicationFactor: number): number;
  err2str(err: number): string;
}

const RD_KAFKA_PRODUCER = 0;
const RD_KAFKA_CONF_OK = 0;

let bindings: Bindings | undefined;

/** Loads the library once; throws an install hint if it is missing. */
function load(): Bindings {
  if (bindings) return bindings;
  let lib: ReturnType<typeof koffi.load>;
  try {
    lib = koffi.load(LIBRDKAFKA_SONAME);
  } catch (error) {
    throw new Error(
      `Cannot load ${LIBRDKAFKA_SONAME} (${error instanceof Error ? error.message : String(error)}). ` +
        'Install it with: apt-get install -y librdkafka1',
      { cause: error },
    );
  }
  koffi.opaque('rd_kafka_conf_t');
  koffi.opaque('rd_kafka_t');
  koffi.opaque('rd_kafka_mock_cluster_t');
  // koffi types every function as (...any[]) => any; each is pinned to its C signature here, once.
  bindings = {
    versionStr: lib.func('const char *rd_kafka_version_str(void)') as Bindings['versionStr'],
    confNew: lib.func('rd_kafka_conf_t *rd_kafka_conf_new(void)') as Bindings['confNew'],
    confSet: lib.func(
      'int rd_kafka_conf_set(rd_kafka_conf_t *conf, const char *name, const char *value, _Out_ uint8_t *errstr, size_t errstr_size)',
    ) as Bindings['confSet'],
    kafkaNew: lib.func(
      'rd_kafka_t *rd_kafka_new(int type, rd_kafka_conf_t *conf, _Out_ uint8_t *errstr, size_t errstr_size)',
    ) as Bindings['kafkaNew'],
    kafkaDestroy: lib.func('void rd_kafka_destroy(rd_kafka_t *rk)') as Bindings['kafkaDestroy'],
    mockClusterNew: lib.func(
      'rd_kafka_mock_cluster_t *rd_kafka_mock_cluster_new(rd_kafka_t *rk, int broker_cnt)',
    ) as Bindings['mockClusterNew'],
    mockClusterDestroy: lib.func(
      'void rd_kafka_mock_cluster_destroy(rd_kafka_mock_cluster_t *mcluster)',
    ) as Bindings['mockClusterDestroy'],
    // Declared as void* so we get the pointer itself and can compare it with the struct field.
    mockClusterBootstraps: lib.func(
      'void *rd_kafka_mock_cluster_bootstraps(const rd_kafka_mock_cluster_t *mcluster)',
    ) as Bindings['mockClusterBootstraps'],
    mockTopicCreate: lib.func(
      'int rd_kafka_mock_topic_create(rd_kafka_mock_cluster_t *mcluster, const char *topic, int partition_cnt, int replication_factor)',
    ) as Bindings['mockTopicCreate'],
    err2str: lib.func('const char *rd_kafka_err2str(int err)') as Bindings['err2str'],
  };
  return bindings;
}

/** Why the dev broker cannot run on this machine, or undefined when librdkafka loads. */
export function librdkafkaMissingReason(): string | undefined {
  try {
    load();
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

export function librdkafkaVersion(): string {
  return load().versionStr();
}

export interface MockCluster {
  readonly bootstraps: string;
  readonly layout: MockClusterLayout;
  createTopic(name: string, partitions: number, replicationFactor?: number): void;
  /** Stops the mock's thread and closes its sockets; safe to call twice. */
  destroy(): void;
}

/**
 * Creates a mock cluster of `brokerCount` brokers with its controller id patched to 1, or throws
 * without patching when the struct does not look exactly as expected.
 */
export function createMockCluster(brokerCount: number): MockCluster {
  const lib = load();
  const version = lib.versionStr();
  if (koffi.sizeof('void *') !== 8) {
    throw new Error(`librdkafka ${version}: the mock cluster patch assumes 64-bit pointers`);
  }

  const errstr = Buffer.alloc(512);
  const conf = lib.confNew();
  // The owning handle has no bootstrap.servers on purpose (it never connects); level 4 hides
  // the notice librdkafka logs about that, which would read like an error in test output.
  if (lib.confSet(conf, 'log_level', '4', errstr, errstr.length) !== RD_KAFKA_CONF_OK) {
    throw new Error(`librdkafka ${version}: rd_kafka_conf_set(log_level) failed: ${cString(errstr)}`);
  }
  // rd_kafka_new takes ownership of conf on success.
  const rk = lib.kafkaNew(RD_KAFKA_PRODUCER, conf, errstr, errstr.length);
  if (!rk) throw new Error(`librdkafka ${version}: rd_kafka_new failed: ${cString(errstr)}`);

  const mc = lib.mockClusterNew(rk, brokerCount);
  if (!mc) {
    lib.kafkaDestroy(rk);
    throw new Error(`librdkafka ${version}: rd_kafka_mock_cluster_new(${brokerCount}) returned NULL`);
  }

  let destroyed = false;
  const destroy = (): void => {
    if (destroyed) return;
    destroyed = true;
    lib.mockClusterDestroy(mc);
    lib.kafkaDestroy(rk);
  };

  try {
    const bootstrapsPtr = lib.mockClusterBootstraps(mc);
    const bootstraps = koffi.decode.string(bootstrapsPtr);
    const littleEndian = endianness() === 'LE';
    // A no-copy window on the struct: reads see the live memory and the patch writes into it.
    const memory = new DataView(koffi.view(mc, INSPECT_LENGTH));
    const check = inspectMockCluster({
      memory,
      rkAddress: koffi.address(rk),
      bootstrapsAddress: koffi.address(bootstrapsPtr),
      brokerCount,
      littleEndian,
    });
    if (!check.ok) {
      throw new Error(
        `Refusing to patch the mock cluster of librdkafka ${version} (${LIBRDKAFKA_SONAME}): its private ` +
          `struct rd_kafka_mock_cluster_s does not match the layout checked for ${KNOWN_VERSIONS.join(', ')}:\n` +
          check.problems.map((problem) => `  - ${problem}`).join('\n') +
          '\nWithout the patch kafkajs admin calls and the idempotent producer fail ("Broker 0 not found"). ' +
          'Install librdkafka1 2.0.2 (Debian bookworm) or update infra/dev/broker/layout.ts for this version.',
      );
    }
    // Broker ids are 1..N; any of them works as controller for a single-process cluster. This runs
    // before the ready line, so no client has seen controller 0 yet.
    patchControllerId(memory, check.layout, 1, littleEndian);

    return {
      bootstraps,
      layout: check.layout,
      createTopic(name: string, partitions: number, replicationFactor = 1): void {
        const err = lib.mockTopicCreate(mc, name, partitions, replicationFactor);
        if (err !== 0) {
          throw new Error(`rd_kafka_mock_topic_create(${name}, ${partitions}) failed: ${lib.err2str(err)}`);
        }
      },
      destroy,
    };
  } catch (error) {
    destroy();
    throw error;
  }
}

function cString(buffer: Buffer): string {
  const end = buffer.indexOf(0);
  return buffer.subarray(0, end === -1 ? buffer.length : end).toString('utf8');
}
