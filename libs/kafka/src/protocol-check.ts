/**
 * Which protocol version kafkajs will speak with a broker, API by API: the broker's ApiVersions
 * answer against the versions kafkajs implements. Kafka 4.0 removed old versions (KIP-896); running
 * this against a cluster before an upgrade says whether every API warroom uses still has a version
 * both sides know, without waiting for a consumer group to fail to join on the night.
 *
 * The ApiVersions request is written by hand (v0: a fixed, tiny frame that every broker since 0.10
 * answers, before any SASL exchange); kafkajs's own version tables are read from its request modules.
 */
import { createRequire } from 'node:module';
import { connect as connectTcp, type Socket } from 'node:net';
import { connect as connectTls, type ConnectionOptions } from 'node:tls';

const API_VERSIONS_KEY = 18;

/** The APIs warroom's producers, consumers (groups, offsets) and topic commands call. */
export const APIS_IN_USE = {
  Produce: 0,
  Fetch: 1,
  ListOffsets: 2,
  Metadata: 3,
  OffsetCommit: 8,
  OffsetFetch: 9,
  FindCoordinator: 10,
  JoinGroup: 11,
  Heartbeat: 12,
  LeaveGroup: 13,
  SyncGroup: 14,
  SaslHandshake: 17,
  ApiVersions: 18,
  CreateTopics: 19,
  DescribeConfigs: 32,
  AlterConfigs: 33,
  SaslAuthenticate: 36,
} as const;

export type ApiName = keyof typeof APIS_IN_USE;

/**
 * What every app needs from any broker. The rest is used only in some deployments or commands:
 * SASL when it is configured, CreateTopics/DescribeConfigs/AlterConfigs by the topics command.
 */
export const REQUIRED_APIS: ReadonlySet<ApiName> = new Set<ApiName>([
  'Produce',
  'Fetch',
  'ListOffsets',
  'Metadata',
  'OffsetCommit',
  'OffsetFetch',
  'FindCoordinator',
  'JoinGroup',
  'Heartbeat',
  'LeaveGroup',
  'SyncGroup',
  'ApiVersions',
]);

export interface VersionRange {
  readonly min: number;
  readonly max: number;
}

export interface ApiVerdict {
  readonly api: ApiName;
  readonly client: VersionRange;
  /** null: the broker does not offer this API. */
  readonly broker: VersionRange | null;
  /** The version kafkajs will use (the highest both know), or null when there is none. */
  readonly negotiated: number | null;
  readonly required: boolean;
}

/** kafkajs's module directory names for the APIs above (its request modules are camelCase). */
const KAFKAJS_MODULE: Record<ApiName, string> = {
  Produce: 'produce',
  Fetch: 'fetch',
  ListOffsets: 'listOffsets',
  Metadata: 'metadata',
  OffsetCommit: 'offsetCommit',
  OffsetFetch: 'offsetFetch',
  FindCoordinator: 'findCoordinator',
  JoinGroup: 'joinGroup',
  Heartbeat: 'heartbeat',
  LeaveGroup: 'leaveGroup',
  SyncGroup: 'syncGroup',
  SaslHandshake: 'saslHandshake',
  ApiVersions: 'apiVersions',
  CreateTopics: 'createTopics',
  DescribeConfigs: 'describeConfigs',
  AlterConfigs: 'alterConfigs',
  SaslAuthenticate: 'saslAuthenticate',
};

/** The versions the installed kafkajs implements for each API in use. */
export function kafkajsVersions(): Record<ApiName, VersionRange> {
  const load = createRequire(require.resolve('kafkajs'));
  const entries = (Object.keys(APIS_IN_USE) as ApiName[]).map((api) => {
    const module = load(`./src/protocol/requests/${KAFKAJS_MODULE[api]}`) as { versions: Record<string, unknown> };
    const versions = Object.keys(module.versions).map(Number);
    return [api, { min: Math.min(...versions), max: Math.max(...versions) }] as const;
  });
  return Object.fromEntries(entries) as Record<ApiName, VersionRange>;
}

/** An ApiVersions v0 request frame: size, api key, version, correlation id, client id. */
export function apiVersionsRequest(correlationId: number, clientId = 'warroom-protocol-check'): Buffer {
  const id = Buffer.from(clientId, 'utf8');
  const body = Buffer.alloc(2 + 2 + 4 + 2 + id.length);
  body.writeInt16BE(API_VERSIONS_KEY, 0);
  body.writeInt16BE(0, 2);
  body.writeInt32BE(correlationId, 4);
  body.writeInt16BE(id.length, 8);
  id.copy(body, 10);
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length, 0);
  return Buffer.concat([size, body]);
}

/** The API ranges of an ApiVersions v0 response frame (size prefix included). */
export function parseApiVersionsResponse(frame: Buffer, correlationId: number): Map<number, VersionRange> {
  if (frame.length < 14) throw new Error(`ApiVersions response of ${frame.length} bytes is too short`);
  if (frame.readInt32BE(4) !== correlationId) throw new Error('ApiVersions response answers another request');
  const errorCode = frame.readInt16BE(8);
  if (errorCode !== 0) throw new Error(`the broker answered ApiVersions with error code ${errorCode}`);
  const count = frame.readInt32BE(10);
  if (count < 0 || 14 + count * 6 > frame.length) throw new Error(`ApiVersions response lists ${count} APIs in ${frame.length} bytes`);
  const ranges = new Map<number, VersionRange>();
  for (let i = 0; i < count; i++) {
    const at = 14 + i * 6;
    ranges.set(frame.readInt16BE(at), { min: frame.readInt16BE(at + 2), max: frame.readInt16BE(at + 4) });
  }
  return ranges;
}

/** Asks one broker (`host:port`) for its API versions, over TLS when `tls` is given. */
export function fetchBrokerVersions(broker: string, options: { tls?: ConnectionOptions; timeoutMs?: number } = {}): Promise<Map<number, VersionRange>> {
  const separator = broker.lastIndexOf(':');
  const host = broker.slice(0, separator);
  const port = Number(broker.slice(separator + 1));
  const correlationId = 1;
  return new Promise((resolve, reject) => {
    const socket: Socket = options.tls ? connectTls({ ...options.tls, host, port, servername: host }) : connectTcp({ host, port });
    const chunks: Buffer[] = [];
    const fail = (error: Error): void => {
      socket.destroy();
      reject(new Error(`ApiVersions from ${broker}: ${error.message}`, { cause: error }));
    };
    socket.setTimeout(options.timeoutMs ?? 10_000, () => fail(new Error('no answer in time')));
    socket.once(options.tls ? 'secureConnect' : 'connect', () => socket.write(apiVersionsRequest(correlationId)));
    socket.on('error', fail);
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      const received = Buffer.concat(chunks);
      if (received.length < 4 || received.length < 4 + received.readInt32BE(0)) return;
      socket.end();
      try {
        resolve(parseApiVersionsResponse(received, correlationId));
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  });
}

/** For each API in use: the highest version both sides know, or null. */
export function negotiate(client: Record<ApiName, VersionRange>, broker: Map<number, VersionRange>): ApiVerdict[] {
  return (Object.keys(APIS_IN_USE) as ApiName[]).map((api) => {
    const offered = broker.get(APIS_IN_USE[api]) ?? null;
    const ours = client[api];
    const highest = offered === null ? null : Math.min(ours.max, offered.max);
    const negotiated = highest !== null && offered !== null && highest >= Math.max(ours.min, offered.min) ? highest : null;
    return { api, client: ours, broker: offered, negotiated, required: REQUIRED_APIS.has(api) };
  });
}
