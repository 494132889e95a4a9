/**
 * Dev Kafka broker: librdkafka's in-memory mock cluster in its own process, reachable by kafkajs
 * over TCP. No container engine is needed and it is ready in well under a second.
 *
 *   node -r @swc-node/register infra/dev/broker/main.ts [--topic NAME:PARTITIONS]...
 *        [--without-topic NAME]... [--bootstrap-file PATH] [--broker-count N] [--exit-on-stdin-eof]
 *
 * Prints one line to stdout when ready: {"event":"ready","brokers":"127.0.0.1:PORT"}. Everything
 * else goes to stderr. Runs until SIGTERM or SIGINT, then destroys the cluster and exits 0.
 * Memory only: stopping it loses every topic, message and offset, and the next one gets new ports.
 * To simulate an outage, SIGSTOP and SIGCONT it instead (see launch.ts).
 */
import { renameSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ALL_TOPICS, type TopicSpec } from '@warroom/kafka';
import { createMockCluster, KNOWN_VERSIONS, librdkafkaVersion, type MockCluster } from './librdkafka';

interface BrokerArgs {
  readonly topics: readonly TopicSpec[];
  readonly bootstrapFile: string | undefined;
  readonly brokerCount: number;
  readonly exitOnStdinEof: boolean;
}

const USAGE =
  'usage: main.ts [--topic NAME:PARTITIONS]... [--without-topic NAME]... [--bootstrap-file PATH] [--broker-count N] [--exit-on-stdin-eof]';

export function parseBrokerArgs(argv: readonly string[]): BrokerArgs {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      topic: { type: 'string', multiple: true },
      // Leaves one of warroom's topics out: how a test sees an app refuse to start without it.
      'without-topic': { type: 'string', multiple: true },
      'bootstrap-file': { type: 'string' },
      'broker-count': { type: 'string' },
      'exit-on-stdin-eof': { type: 'boolean' },
    },
    strict: true,
    allowPositionals: false,
  });
  const extra = (values.topic ?? []).map(parseTopicArg);
  const topics = new Map<string, TopicSpec>();
  for (const topic of [...ALL_TOPICS, ...extra]) {
    const seen = topics.get(topic.name);
    if (seen && seen.partitions !== topic.partitions) {
      throw new Error(`--topic ${topic.name}:${topic.partitions} conflicts with ${seen.name}:${seen.partitions}`);
    }
    topics.set(topic.name, topic);
  }
  for (const name of values['without-topic'] ?? []) topics.delete(name);
  const brokerCount = values['broker-count'] === undefined ? 1 : Number(values['broker-count']);
  if (!Number.isInteger(brokerCount) || brokerCount < 1 || brokerCount > 16) {
    throw new Error(`--broker-count must be a whole number from 1 to 16, got ${values['broker-count']}`);
  }
  return {
    topics: [...topics.values()],
    bootstrapFile: values['bootstrap-file'],
    brokerCount,
    exitOnStdinEof: values['exit-on-stdin-eof'] ?? false,
  };
}

function parseTopicArg(arg: string): TopicSpec {
  const match = /^([A-Za-z0-9._-]{1,249}):(\d{1,4})$/.exec(arg);
  const partitions = Number(match?.[2]);
  if (!match?.[1] || partitions < 1) {
    throw new Error(`--topic expects NAME:PARTITIONS (e.g. test.events:8), got ${JSON.stringify(arg)}`);
  }
  return { name: match[1], partitions };
}

/** Write-then-rename, so a script polling the file never reads half an address. */
function writeBootstrapFile(path: string, bootstraps: string): void {
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${bootstraps}\n`);
  renameSync(temp, path);
}

/** Removes the file only if it still names this broker: a newer broker may have replaced it. */
function removeBootstrapFile(path: string, bootstraps: string): void {
  try {
    if (readFileSync(path, 'utf8').trim() === bootstraps) rmSync(path);
  } catch {
    // Already gone: nothing to clean up.
  }
}

function main(): void {
  let args: BrokerArgs;
  try {
    args = parseBrokerArgs(process.argv.slice(2));
  } catch (error) {
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  }
  const version = librdkafkaVersion();
  if (!KNOWN_VERSIONS.includes(version)) {
    process.stderr.write(
      `dev broker: librdkafka ${version} is not one of ${KNOWN_VERSIONS.join(', ')}; checking its struct layout before patching\n`,
    );
  }

  const cluster: MockCluster = createMockCluster(args.brokerCount);
  try {
    for (const topic of args.topics) cluster.createTopic(topic.name, topic.partitions);
    if (args.bootstrapFile) writeBootstrapFile(args.bootstrapFile, cluster.bootstraps);
  } catch (error) {
    cluster.destroy();
    throw error;
  }

  // Keeps the event loop alive: the mock's sockets live on a native thread Node cannot see.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  let stopping = false;
  const shutdown = (reason: string): void => {
    if (stopping) return;
    stopping = true;
    clearInterval(keepAlive);
    cluster.destroy();
    if (args.bootstrapFile) removeBootstrapFile(args.bootstrapFile, cluster.bootstraps);
    process.stderr.write(`dev broker: stopped (${reason})\n`);
    process.exit(0);
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  if (args.exitOnStdinEof) {
    // The launcher keeps our stdin open; EOF means it died, even by SIGKILL, so we do not linger.
    process.stdin.on('end', () => shutdown('stdin closed'));
    process.stdin.resume();
  }

  process.stdout.write(`${JSON.stringify({ event: 'ready', brokers: cluster.bootstraps })}\n`);
  process.stderr.write(
    `dev broker: librdkafka ${version}, ${args.brokerCount} broker(s) at ${cluster.bootstraps}, ` +
      `controller patched at byte ${cluster.layout.controllerIdOffset}, topics ` +
      `${args.topics.map((topic) => `${topic.name}:${topic.partitions}`).join(' ')}\n`,
  );
}

if (require.main === module) {
  try {
    main();
  } catch (error) {
    process.stderr.write(`dev broker: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
