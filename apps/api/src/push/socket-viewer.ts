import type { WebSocket } from 'ws';
import type { EncodedFrame } from './frames';
import type { PushViewer } from './push-rooms';

/** A viewer this far behind is dropped so that it cannot slow the others or grow our memory. */
const MAX_BUFFERED_BYTES = 1024 * 1024;
const MAX_BEHIND_MS = 2_000;
const TRY_AGAIN_LATER = 1013;

/** What a viewer needs of its socket (a `ws` WebSocket; a fake in unit tests). */
export type ViewerSocket = Pick<WebSocket, 'readyState' | 'OPEN' | 'bufferedAmount' | 'send' | 'close' | 'terminate'>;

/**
 * One connected viewer. Sends are asynchronous; a viewer whose socket has not flushed a frame for more
 * than 2 s, or holds more than 1 MB unsent, is dropped (close 1013, "try again later") and reconnects.
 */
export class SocketViewer implements PushViewer {
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
