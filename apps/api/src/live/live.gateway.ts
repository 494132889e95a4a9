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
import { clientFrameSchema } from '@warroom/contracts';
import type { WebSocket } from 'ws';
import { tokenMatches } from '../common/kiosk-token.guard';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { encodeFrame, type EncodedFrame } from './frames';
import { LiveMetricsService, type LiveSubscriber } from './live-metrics.service';

/** A viewer this far behind is dropped so that it cannot slow the others or grow our memory. */
const MAX_BUFFERED_BYTES = 1024 * 1024;
const MAX_BEHIND_MS = 2_000;
const POLICY_VIOLATION = 1008;
const TRY_AGAIN_LATER = 1013;

/** What a viewer needs of its socket (a `ws` WebSocket; a fake in unit tests). */
export type ViewerSocket = Pick<WebSocket, 'readyState' | 'OPEN' | 'bufferedAmount' | 'send' | 'close' | 'terminate'>;

/**
 * One connected viewer. Sends are asynchronous; a viewer whose socket has not flushed a frame for more
 * than 2 s, or holds more than 1 MB unsent, is dropped (close 1013, "try again later") and reconnects.
 */
export class Viewer implements LiveSubscriber {
  unsubscribe: (() => void) | null = null;
  /** When the oldest send still in flight was queued; null when the socket has flushed everything. */
  private oldestPendingAt: number | null = null;
  private pending = 0;
  private dropped = false;

  constructor(
    private readonly socket: ViewerSocket,
    private readonly onDropped: (reason: string) => void,
  ) {}

  send(frame: EncodedFrame): void {
    if (this.dropped || this.socket.readyState !== this.socket.OPEN) return;
    const now = Date.now();
    if (this.socket.bufferedAmount > MAX_BUFFERED_BYTES) return this.drop('more than 1 MB behind');
    if (this.oldestPendingAt !== null && now - this.oldestPendingAt > MAX_BEHIND_MS) return this.drop('more than 2 s behind');
    this.pending += 1;
    this.oldestPendingAt ??= now;
    this.socket.send(frame, () => {
      this.pending -= 1;
      if (this.pending === 0) this.oldestPendingAt = null;
    });
  }

  private drop(reason: string): void {
    this.dropped = true;
    this.onDropped(reason);
    this.socket.close(TRY_AGAIN_LATER, reason);
    // A client too slow to read its close frame must still go.
    setTimeout(() => this.socket.terminate(), 1_000).unref();
  }
}

/**
 * `/live` on the api's own port. Authenticates at connection (kiosk token in the URL, since browsers
 * cannot set headers on a WebSocket), then each `subscribe` frame (checked against its contract) moves the
 * viewer to that shop, window and source and sends a fresh snapshot.
 */
@WebSocketGateway({ path: '/live' })
export class LiveGateway implements OnGatewayConnection<WebSocket>, OnGatewayDisconnect<WebSocket> {
  private readonly logger = new Logger(LiveGateway.name);
  private readonly viewers = new WeakMap<WebSocket, Viewer>();
  droppedViewers = 0;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly live: LiveMetricsService,
  ) {}

  handleConnection(socket: WebSocket, request: IncomingMessage): void {
    const token = new URL(request.url ?? '/', 'http://localhost').searchParams.get('token');
    if (!tokenMatches(token, this.config.live.kioskToken)) {
      socket.close(POLICY_VIOLATION, 'a valid kiosk token is required');
      return;
    }
    this.viewers.set(
      socket,
      new Viewer(socket, (reason) => {
        this.droppedViewers += 1;
        this.logger.warn(`Dropped a viewer: ${reason}`);
      }),
    );
  }

  handleDisconnect(socket: WebSocket): void {
    this.viewers.get(socket)?.unsubscribe?.();
    this.viewers.delete(socket);
  }

  @SubscribeMessage('subscribe')
  async subscribe(@ConnectedSocket() socket: WebSocket, @MessageBody() data: unknown): Promise<void> {
    const viewer = this.viewers.get(socket);
    if (!viewer) return;
    const frame = clientFrameSchema.safeParse({ event: 'subscribe', data });
    if (!frame.success) {
      const message = frame.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
      viewer.send(encodeFrame('error', { message: `invalid subscribe: ${message}` }));
      return;
    }
    viewer.unsubscribe?.();
    viewer.unsubscribe = null;
    try {
      viewer.unsubscribe = await this.live.subscribe(viewer, frame.data.data);
    } catch (error) {
      viewer.send(encodeFrame('error', { message: (error as Error).message }));
    }
  }
}
