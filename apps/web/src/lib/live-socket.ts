import { liveProtocols, serverFrameSchema, type ClientFrame, type ServerFrame, type SnapshotQuery } from '@warroom/contracts';

export interface LiveSocketState {
  connected: boolean;
  /** When the socket was last lost; null while connected or before the first attempt fails. */
  disconnectedSince: Date | null;
  /** Frames that failed their contract: counted, never allowed to crash the screen. */
  badFrames: number;
}

type Listener = (frame: ServerFrame) => void;
type StateListener = (state: LiveSocketState) => void;

const MIN_BACKOFF_MS = 500;
/**
 * The longest wait between attempts (jittered between half of it and all of it): a wall must show fresh
 * data within 5 s of the api being back, however long it was away. Tens of walls retrying every few
 * seconds cost the api nothing.
 */
const MAX_BACKOFF_MS = 3_000;

/**
 * One WebSocket to the api's live gateway that survives server restarts and network loss: it reconnects
 * with jittered exponential backoff and re-subscribes, so the server sends a fresh snapshot (or gap list) each time.
 */
export class LiveSocket {
  private socket: WebSocket | null = null;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private closed = false;
  private state: LiveSocketState = { connected: false, disconnectedSince: null, badFrames: 0 };

  constructor(
    private readonly url: string,
    /** A kiosk or session token, sent in the handshake's subprotocols (never in the URL). */
    private readonly token: string,
    /** A snapshot query (sent as `subscribe`), or any client frame, e.g. `subscribe_gaps`. */
    private readonly subscription: SnapshotQuery | ClientFrame,
    private readonly onFrame: Listener,
    private readonly onState: StateListener,
  ) {}

  open(): void {
    this.closed = false;
    this.connect();
  }

  close(): void {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.socket?.close();
    this.socket = null;
  }

  private connect(): void {
    const socket = new WebSocket(this.url, liveProtocols(this.token));
    this.socket = socket;
    socket.onopen = () => {
      this.attempt = 0;
      const frame: ClientFrame = 'event' in this.subscription ? this.subscription : { event: 'subscribe', data: this.subscription };
      socket.send(JSON.stringify(frame));
      this.setState({ connected: true, disconnectedSince: null });
    };
    socket.onmessage = (message: MessageEvent<unknown>) => {
      if (typeof message.data !== 'string') return this.countBadFrame();
      let json: unknown;
      try {
        json = JSON.parse(message.data);
      } catch {
        return this.countBadFrame();
      }
      const frame = serverFrameSchema.safeParse(json);
      if (!frame.success) return this.countBadFrame();
      this.onFrame(frame.data);
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      if (!this.state.disconnectedSince) this.setState({ connected: false, disconnectedSince: new Date() });
      if (!this.closed) this.scheduleReconnect();
    };
  }

  private scheduleReconnect(): void {
    const ceiling = Math.min(MAX_BACKOFF_MS, MIN_BACKOFF_MS * 2 ** this.attempt);
    this.attempt += 1;
    const delay = ceiling / 2 + Math.random() * (ceiling / 2);
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  private countBadFrame(): void {
    this.setState({ badFrames: this.state.badFrames + 1 });
  }

  private setState(patch: Partial<LiveSocketState>): void {
    this.state = { ...this.state, ...patch };
    this.onState(this.state);
  }
}

/** The gateway's URL on the page's own origin (the api serves the web app and the socket on one port). */
export function liveSocketUrl(): string {
  const protocol = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${protocol}//${window.location.host}/live`;
}
