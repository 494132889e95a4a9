/**
 * A wall, as far as the chaos run needs one: a WebSocket to the api's `/live` that reconnects by itself
 * with the wall's own rule (apps/web/src/lib/live-socket.ts: jittered exponential backoff from 500 ms to
 * 3 s, re-subscribe on every open) and records the asOf of every frame it receives, parsed with the contract.
 */
import { liveProtocols, serverFrameSchema, type SnapshotQuery } from '@warroom/contracts';
import { WebSocket } from 'ws';
import type { WatermarkSample } from './stall';

const MIN_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 3_000;
const SUBSCRIPTION: SnapshotQuery = { shop: 'all', window: '5m', source: 'live' };

export class WallClient {
  readonly samples: WatermarkSample[] = [];
  /** Times the socket opened (the first open and every reconnect). */
  opens: number[] = [];
  closes: number[] = [];
  badFrames = 0;
  /** The last connection error (the close that follows it schedules the retry). */
  lastError: string | null = null;
  private socket: WebSocket | null = null;
  private attempt = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly apiUrl: string,
    private readonly token: string,
    /** The view this wall watches (test:scale spreads its viewers over several). */
    private readonly subscription: SnapshotQuery = SUBSCRIPTION,
  ) {}

  open(): void {
    this.closed = false;
    this.connect();
  }

  close(): void {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.socket?.terminate();
    this.socket = null;
  }

  /** The newest asOf received, or null before the first frame. */
  latestAsOfMs(): number | null {
    return this.samples.reduce<number | null>((newest, sample) => (newest === null ? sample.asOfMs : Math.max(newest, sample.asOfMs)), null);
  }

  private connect(): void {
    const socket = new WebSocket(`${this.apiUrl.replace(/^http/, 'ws')}/live`, liveProtocols(this.token));
    this.socket = socket;
    socket.on('open', () => {
      this.attempt = 0;
      this.opens.push(Date.now());
      socket.send(JSON.stringify({ event: 'subscribe', data: this.subscription }));
    });
    socket.on('message', (data, isBinary) => {
      if (isBinary) return void (this.badFrames += 1);
      const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(new Uint8Array(data)).toString('utf8');
      const frame = serverFrameSchema.safeParse(jsonOrUndefined(text));
      if (!frame.success) return void (this.badFrames += 1);
      if (frame.data.event === 'snapshot' || frame.data.event === 'heartbeat') {
        this.samples.push({ receivedAtMs: Date.now(), asOfMs: Date.parse(frame.data.data.asOf) });
      }
    });
    // A failed handshake emits 'error' then 'close'; the close schedules the retry.
    socket.on('error', (error) => {
      this.lastError = error.message;
    });
    socket.on('close', () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.closes.push(Date.now());
      if (!this.closed) this.scheduleReconnect();
    });
  }

  private scheduleReconnect(): void {
    const ceiling = Math.min(MAX_BACKOFF_MS, MIN_BACKOFF_MS * 2 ** this.attempt);
    this.attempt += 1;
    this.retryTimer = setTimeout(() => this.connect(), ceiling / 2 + Math.random() * (ceiling / 2));
  }
}

function jsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
