import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { encodeFrame } from './frames';
import { SocketViewer, type ViewerSocket } from './socket-viewer';

class FakeSocket implements ViewerSocket {
  readonly OPEN = 1 as const;
  readyState: ViewerSocket['readyState'] = 1;
  bufferedAmount = 0;
  sent: string[] = [];
  /** Completes pending sends when the client reads; a stuck client never does. */
  private readonly callbacks: (() => void)[] = [];
  closedWith: [number, string] | null = null;
  terminated = false;

  send: ViewerSocket['send'] = (data: unknown, callback?: unknown) => {
    this.sent.push(String(data));
    if (typeof callback === 'function') this.callbacks.push(callback as () => void);
  };
  close: ViewerSocket['close'] = (code?: number, reason?: string | Buffer) => {
    this.closedWith = [code ?? 0, String(reason)];
  };
  terminate: ViewerSocket['terminate'] = () => {
    this.terminated = true;
  };
  flush(): void {
    for (const callback of this.callbacks.splice(0)) callback();
  }
}

const heartbeat = (n: number) => encodeFrame('heartbeat', { asOf: new Date(n).toISOString(), serverTime: new Date(n).toISOString() });

describe('SocketViewer', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('keeps a viewer that reads its frames', () => {
    const socket = new FakeSocket();
    const dropped: string[] = [];
    const viewer = new SocketViewer(socket, (reason) => dropped.push(reason));
    for (let i = 0; i < 20; i += 1) {
      viewer.send(heartbeat(i));
      vi.advanceTimersByTime(500);
      socket.flush();
    }
    expect(socket.sent).toHaveLength(20);
    expect(dropped).toEqual([]);
  });

  it('drops a viewer more than 2 s behind, with close code 1013, and terminates it if it does not close', () => {
    const socket = new FakeSocket();
    const dropped: string[] = [];
    const viewer = new SocketViewer(socket, (reason) => dropped.push(reason));
    viewer.send(heartbeat(1));
    vi.advanceTimersByTime(1_500);
    viewer.send(heartbeat(2));
    expect(dropped).toEqual([]);
    vi.advanceTimersByTime(600);
    viewer.send(heartbeat(3));
    expect(dropped).toEqual(['more than 2 s behind']);
    expect(socket.closedWith).toEqual([1013, 'more than 2 s behind']);
    expect(socket.sent).toHaveLength(2);
    viewer.send(heartbeat(4));
    expect(socket.sent).toHaveLength(2);
    vi.advanceTimersByTime(1_000);
    expect(socket.terminated).toBe(true);
  });

  it('drops a viewer with more than 1 MB unsent', () => {
    const socket = new FakeSocket();
    const dropped: string[] = [];
    const viewer = new SocketViewer(socket, (reason) => dropped.push(reason));
    socket.bufferedAmount = 1024 * 1024 + 1;
    viewer.send(heartbeat(1));
    expect(dropped).toEqual(['more than 1 MB behind']);
    expect(socket.sent).toHaveLength(0);
  });
});
