/**
 * The viewers of bench:live, in a process of their own: N real WebSocket clients of the api's `/live`
 * gateway, each subscribed like a wall, recording for every snapshot it receives the latency
 * receive time − asOf.
 *
 *   node -r @swc-node/register test/bench/live-clients.ts --url http://127.0.0.1:PORT --token T --clients 1000
 *        [--views all/5m,shop-a/5m]
 *
 * stdin, one command a line: `measure` starts counting snapshots afresh, `report` prints the result so far,
 * `stop` prints it and exits.
 * stdout: `{"event":"ready",…}` once every client has its first snapshot, then the result line
 * `{"event":"result","snapshots","heartbeats","latencies":{p50,p99,max},"frameGaps":{p50,p99,max},"dropped","closed","badFrames"}`,
 * where a frame gap is the time between two frames (snapshot or heartbeat) a client received: every tick
 * sends one, so a gap far above the tick is a stall a viewer saw.
 *
 * Frames are read cheaply (the snapshot's asOf is its first field: the server encodes the contract's field
 * order), and one frame in 500 is also parsed in full against the contract, so a broken frame is noticed
 * without the parsing of 4,000 frames a second becoming what is measured.
 */
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { serverFrameSchema, snapshotQuerySchema, type SnapshotQuery } from '@warroom/contracts';
import WebSocket from 'ws';

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    token: { type: 'string' },
    clients: { type: 'string', default: '100' },
    views: { type: 'string', default: 'all/5m' },
  },
});
if (!values.url || !values.token) throw new Error('--url and --token are required');
const BASE_URL = values.url.replace(/^http/, 'ws');
const TOKEN = values.token;
const CLIENTS = Number(values.clients);
const VIEWS: SnapshotQuery[] = values.views.split(',').map((view) => {
  const [shop, window] = view.split('/');
  return snapshotQuerySchema.parse({ shop, window, source: 'live' });
});
const TRY_AGAIN_LATER = 1013;
const SNAPSHOT_PREFIX = '{"event":"snapshot","data":{"asOf":"';
const HEARTBEAT_PREFIX = '{"event":"heartbeat"';
/** The parts' health, sent at subscribe and when it changes: not a figure, so neither counted nor timed. */
const SYSTEM_STATUS_PREFIX = '{"event":"system_status"';
const FULL_PARSE_EVERY = 500;

const out = (line: object): void => void process.stdout.write(`${JSON.stringify(line)}\n`);

let measuring = false;
let stopping = false;
const latencies: number[] = [];
const frameGaps: number[] = [];
/** When each client received its last frame. */
const lastFrameAt = new Map<number, number>();
let snapshots = 0;
let heartbeats = 0;
let badFrames = 0;
let dropped = 0;
let closed = 0;
let framesSeen = 0;
const greeted = new Set<number>();

function onFrame(index: number, text: string): void {
  if (text.startsWith(SYSTEM_STATUS_PREFIX)) return;
  framesSeen += 1;
  const now = Date.now();
  const previous = lastFrameAt.get(index);
  lastFrameAt.set(index, now);
  if (measuring && previous !== undefined) frameGaps.push(now - previous);
  if (framesSeen % FULL_PARSE_EVERY === 0 && !serverFrameSchema.safeParse(JSON.parse(text)).success) badFrames += 1;
  if (text.startsWith(SNAPSHOT_PREFIX)) {
    greeted.add(index);
    if (!measuring) return;
    const asOf = Date.parse(text.slice(SNAPSHOT_PREFIX.length, text.indexOf('"', SNAPSHOT_PREFIX.length)));
    if (Number.isNaN(asOf)) {
      badFrames += 1;
      return;
    }
    snapshots += 1;
    latencies.push(Date.now() - asOf);
  } else if (text.startsWith(HEARTBEAT_PREFIX)) {
    if (measuring) heartbeats += 1;
  } else {
    badFrames += 1;
  }
}

function connect(index: number): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${BASE_URL}/live?token=${encodeURIComponent(TOKEN)}`);
    socket.on('message', (data: WebSocket.RawData) => {
      const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
      onFrame(index, bytes.toString('utf8'));
    });
    socket.on('close', (code: number) => {
      if (stopping) return;
      closed += 1;
      if (code === TRY_AGAIN_LATER) dropped += 1;
    });
    socket.once('open', () => {
      socket.send(JSON.stringify({ event: 'subscribe', data: VIEWS[index % VIEWS.length] }));
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

function percentile(sorted: number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

async function main(): Promise<void> {
  const sockets: WebSocket[] = [];
  // In waves, so that the connect storm itself is not a thousand simultaneous handshakes.
  for (let i = 0; i < CLIENTS; i += 50) {
    const wave = await Promise.all(Array.from({ length: Math.min(50, CLIENTS - i) }, (_, j) => connect(i + j)));
    sockets.push(...wave);
  }
  const deadline = Date.now() + 60_000;
  while (greeted.size < CLIENTS && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  out({ event: 'ready', clients: sockets.length, greeted: greeted.size });

  for await (const line of createInterface({ input: process.stdin })) {
    const command = line.trim();
    if (command === 'measure') startMeasuring();
    if (command === 'report') out(result());
    if (command !== 'stop') continue;
    stopping = true;
    measuring = false;
    out(result());
    for (const socket of sockets) socket.terminate();
    break;
  }
}

/** Counting starts afresh: a bench can measure a baseline, then the same viewers under its load. */
function startMeasuring(): void {
  measuring = true;
  latencies.length = 0;
  frameGaps.length = 0;
  snapshots = 0;
  heartbeats = 0;
}

function result(): object {
  latencies.sort((a, b) => a - b);
  frameGaps.sort((a, b) => a - b);
  return {
    event: 'result',
    snapshots,
    heartbeats,
    latencies: { p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99), max: latencies.at(-1) ?? null },
    frameGaps: { p50: percentile(frameGaps, 0.5), p99: percentile(frameGaps, 0.99), max: frameGaps.at(-1) ?? null },
    dropped,
    closed,
    badFrames,
  };
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
