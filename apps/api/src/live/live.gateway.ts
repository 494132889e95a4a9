import type { IncomingMessage } from 'node:http';
import { Inject, Logger } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  SubscribeMessage,
  WebSocketGateway,
  type OnGatewayConnection,
  type OnGatewayDisconnect,
} from '@nestjs/websockets';
import { LIVE_PROTOCOL, canReadLive, clientFrameSchema, issuesText, tokenFromLiveProtocols } from '@warroom/contracts';
import type { WebSocket } from 'ws';
import { SessionAuthenticator } from '../auth/session-authenticator';
import { KioskTokensService } from '../auth/kiosk-tokens.service';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { encodeFrame } from '../push/frames';
import { PushHub, type PushView } from '../push/push-hub';
import type { SocketViewer } from '../push/socket-viewer';
import { refuseOtherOrigins } from '../common/same-origin';

/** How often an open kiosk socket's token is checked again: a lookup in memory, so a revoked wall closes within seconds. */
const LIVE_KIOSK_RECHECK_MS = 2_000;

const POLICY_VIOLATION = 1008;
const INTERNAL_ERROR = 1011;
/**
 * The largest frame a `/live` client may send (a subscription is well under 1 KiB). The ws server enforces it
 * while reading the frame, before any handler or auth sees it, and closes that socket with 1009.
 */
export const LIVE_MAX_CLIENT_FRAME_BYTES = 32 * 1024;

/** A `/live` token's verdict: only session sockets are checked again while open. */
type Admission = { admitted: 'kiosk' | 'session' } | { refused: string };

/** Where a client put its token (see `liveProtocols` in libs/contracts): a session token never goes in a URL. */
type PresentedToken = { token: string; in: 'protocol' | 'url' } | { refused: string };

/**
 * One open `/live` socket: its viewer once admitted, its frames handled one after another (the adapter
 * runs handlers concurrently, and two subscriptions awaited side by side both used to land, one of them
 * never ended), at most one subscription per view, all ended when the socket ends.
 */
class LiveConnection {
  private readonly subscriptions = new Map<PushView, () => void>();
  private queue: Promise<void> = Promise.resolve();
  private ended = false;
  recheck: NodeJS.Timeout | undefined;

  constructor(readonly viewer: Promise<SocketViewer | null>) {}

  get subscriptionCount(): number {
    return this.subscriptions.size;
  }

  /** Runs `task` after every frame received before it; a closed socket's queued frames do nothing. */
  inOrder(task: (viewer: SocketViewer) => Promise<void>): Promise<void> {
    const run = async (): Promise<void> => {
      const viewer = await this.viewer;
      if (viewer && !this.ended) await task(viewer);
    };
    const done = this.queue.then(run);
    // The queue goes on after a failed frame; the failure itself reaches the adapter, which logs it.
    this.queue = done.catch(() => undefined);
    return done;
  }

  /** Ends the view's subscription, if any (before its replacement is asked for, so two never overlap). */
  unsubscribe(view: PushView): void {
    const unsubscribe = this.subscriptions.get(view);
    this.subscriptions.delete(view);
    unsubscribe?.();
  }

  /** Keeps `unsubscribe` as the view's subscription (after `unsubscribe(view)`), or calls it at once if the socket ended meanwhile. */
  hold(view: PushView, unsubscribe: () => void): void {
    if (this.ended) return unsubscribe();
    this.subscriptions.set(view, unsubscribe);
  }

  /** The socket is gone: every subscription and the session recheck end, and queued frames are dropped. */
  end(): void {
    this.ended = true;
    clearInterval(this.recheck);
    for (const view of [...this.subscriptions.keys()]) this.unsubscribe(view);
  }
}

/**
 * `/live` on the api's own port. Authenticates at connection with a wall's kiosk token or a signed-in user's
 * session token (the trainer workstation), presented in the `Sec-WebSocket-Protocol` header (`liveProtocols`
 * in libs/contracts; the kiosk token may also come as `?token=`). Then each `subscribe` frame (checked
 * against its contract) moves the viewer to that shop, window and source and sends a fresh snapshot. A session socket's session is checked again every
 * `LIVE_SESSION_RECHECK_MS`: once it has expired, or its user was disabled or changed, the socket is closed
 * (1008) and the screen asks its user to sign in again; a kiosk socket's token is checked again every
 * LIVE_KIOSK_RECHECK_MS (an in-memory lookup), so a revoked wall closes within seconds. A frame
 * larger than LIVE_MAX_CLIENT_FRAME_BYTES closes its socket (1009) before anything reads it.
 */
@WebSocketGateway({
  path: '/live',
  // Passed by WsAdapter to the ws server it creates: ws stops reading a larger frame and closes with 1009.
  maxPayload: LIVE_MAX_CLIENT_FRAME_BYTES,
  // Select `warroom.live`, never echo the token's subprotocol back; a client that offers neither gets none.
  handleProtocols: (offered: Set<string>) => (offered.has(LIVE_PROTOCOL) ? LIVE_PROTOCOL : false),
  verifyClient: refuseOtherOrigins,
})
export class LiveGateway implements OnGatewayConnection<WebSocket>, OnGatewayDisconnect<WebSocket> {
  private readonly logger = new Logger(LiveGateway.name);
  /** Every open socket; a socket leaves when it closes (handleDisconnect), whatever closed it. */
  private readonly connections = new Map<WebSocket, LiveConnection>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly hub: PushHub,
    private readonly sessions: SessionAuthenticator,
    private readonly kioskTokens: KioskTokensService,
  ) {}

  handleConnection(socket: WebSocket, request: IncomingMessage): void {
    const presented = presentedToken(request);
    const connection = new LiveConnection(
      this.admit(presented).then(
        (admission) => {
          if ('refused' in admission) {
            socket.close(POLICY_VIOLATION, admission.refused);
            return null;
          }
          this.recheckAdmission(socket, connection, presented, admission.admitted === 'session' ? this.config.live.sessionRecheckMs : LIVE_KIOSK_RECHECK_MS);
          return this.hub.viewerOn(socket);
        },
        (error: unknown) => {
          this.logger.error(`Could not check a viewer's session: ${(error as Error).message}`);
          socket.close(INTERNAL_ERROR, 'could not check the session, try again');
          return null;
        },
      ),
    );
    this.connections.set(socket, connection);
  }

  /** Runs for every end of a socket: a close from either side, an error, a failed session recheck. */
  handleDisconnect(socket: WebSocket): void {
    this.connections.get(socket)?.end();
    this.connections.delete(socket);
  }

  /** Subscriptions held by open sockets (the metrics and the gaps of each): what every tick serves. */
  subscriptionCount(): number {
    let count = 0;
    for (const connection of this.connections.values()) count += connection.subscriptionCount;
    return count;
  }

  @SubscribeMessage('subscribe')
  subscribe(@ConnectedSocket() socket: WebSocket, @MessageBody() data: unknown): Promise<void> {
    return this.inOrder(socket, async (viewer, connection) => {
      const frame = clientFrameSchema.safeParse({ event: 'subscribe', data });
      if (!frame.success || frame.data.event !== 'subscribe') {
        const message = frame.success ? 'not a metrics subscription' : issuesText(frame.error);
        viewer.send(encodeFrame('error', { message: `invalid subscribe: ${message}` }));
        return;
      }
      // The old view stops at once: the viewer never receives frames of two shops interleaved.
      connection.unsubscribe('metrics');
      try {
        connection.hold('metrics', await this.hub.subscribe('metrics', viewer, frame.data.data));
      } catch (error) {
        viewer.send(encodeFrame('error', { message: (error as Error).message }));
      }
    });
  }

  /** `subscribe_gaps`: the gaps of one source (and shop) now, then every change (a kiosk token may read them). */
  @SubscribeMessage('subscribe_gaps')
  subscribeGaps(@ConnectedSocket() socket: WebSocket, @MessageBody() data: unknown): Promise<void> {
    return this.inOrder(socket, async (viewer, connection) => {
      const frame = clientFrameSchema.safeParse({ event: 'subscribe_gaps', data });
      if (!frame.success || frame.data.event !== 'subscribe_gaps') {
        const message = frame.success ? 'not a gaps subscription' : issuesText(frame.error);
        viewer.send(encodeFrame('error', { message: `invalid subscribe_gaps: ${message}` }));
        return;
      }
      connection.unsubscribe('gaps');
      try {
        connection.hold('gaps', await this.hub.subscribe('gaps', viewer, frame.data.data));
      } catch (error) {
        viewer.send(encodeFrame('error', { message: `gaps unavailable: ${(error as Error).message}` }));
      }
    });
  }

  /** Queues a frame's work behind the socket's earlier frames; a socket unknown or refused does nothing. */
  private inOrder(socket: WebSocket, task: (viewer: SocketViewer, connection: LiveConnection) => Promise<void>): Promise<void> {
    const connection = this.connections.get(socket);
    if (!connection) return Promise.resolve();
    return connection.inOrder((viewer) => task(viewer, connection));
  }

  /** Whether the token admits the socket, as the kiosk's or as a live session's, or why it is refused. */
  private async admit(presented: PresentedToken): Promise<Admission> {
    if ('refused' in presented) return presented;
    const { token } = presented;
    if (this.kioskTokens.admits(token)) return { admitted: 'kiosk' };
    if (presented.in === 'url') {
      return { refused: 'not the kiosk token; a session token goes in the Sec-WebSocket-Protocol header, never in the URL' };
    }
    const session = await this.sessions.authenticate(token);
    if (!session.ok) return { refused: 'a valid kiosk or session token is required' };
    if (session.mustChangePassword) return { refused: 'change your one-time password first' };
    if (!canReadLive(session.auth.user)) return { refused: 'this account may not read live metrics' };
    return { admitted: 'session' };
  }

  /** Closes the socket once its token no longer admits it; a store that cannot answer leaves it open. */
  private recheckAdmission(socket: WebSocket, connection: LiveConnection, presented: PresentedToken, everyMs: number): void {
    // Closed while it was admitted: handleDisconnect has run already and would never stop the timer.
    if (socket.readyState !== socket.OPEN) return;
    const timer = setInterval(() => {
      this.admit(presented).then(
        (admission) => {
          if (!('refused' in admission)) return;
          // Its subscriptions end now, not when the client gets round to acknowledging the close.
          connection.end();
          socket.close(POLICY_VIOLATION, `your session ended: ${admission.refused}`);
        },
        (error: unknown) => this.logger.warn(`Could not recheck a viewer's session (kept open): ${(error as Error).message}`),
      );
    }, everyMs);
    timer.unref();
    connection.recheck = timer;
  }
}


/** The token in the `Sec-WebSocket-Protocol` header, else `?token=` in the URL, or why there is none. */
function presentedToken(request: IncomingMessage): PresentedToken {
  const offered = tokenFromLiveProtocols(request.headers['sec-websocket-protocol']);
  if (offered !== null) return 'error' in offered ? { refused: offered.error } : { token: offered.token, in: 'protocol' };
  const inUrl = new URL(request.url ?? '/', 'http://localhost').searchParams.get('token');
  if (inUrl === null || inUrl === '') {
    return { refused: 'a token is required: a session or kiosk token in the Sec-WebSocket-Protocol header, or the kiosk token as ?token=' };
  }
  return { token: inUrl, in: 'url' };
}
