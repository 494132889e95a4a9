/**
 * A lean keep-alive HTTP/1.1 client for the benches that load the bot. The client shares the machine with
 * the bot, and node:http's client cost about half as much CPU per question as the bot itself, CPU taken
 * from the bot being measured (issue 6); this one costs a fraction of that.
 */
import { connect, type Socket } from 'node:net';

const HEADER_END = Buffer.from('\r\n\r\n');

export interface BenchReply {
  status: number;
  body: string;
}

/**
 * One connection with one request in flight: a POST of JSON to one URL, written in one piece, the reply read
 * by its Content-Length (what the bot's JSON replies carry, errors included). A reply without a length, a
 * chunked body or a closed connection rejects rather than being guessed at; the connection is then done.
 */
export class BenchConnection {
  private buffered: Buffer = Buffer.alloc(0);
  private waiting: { resolve: (reply: BenchReply) => void; reject: (error: Error) => void } | null = null;

  private constructor(
    private readonly socket: Socket,
    private readonly head: string,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.received(chunk));
    socket.on('error', (error) => this.fail(error));
    socket.on('close', () => this.fail(new Error('the server closed the connection')));
  }

  static open(url: URL): Promise<BenchConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect(Number(url.port), url.hostname, () => {
        socket.off('error', reject);
        resolve(new BenchConnection(socket, `POST ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\n`));
      });
      socket.once('error', reject);
    });
  }

  post(body: string): Promise<BenchReply> {
    if (this.waiting) return Promise.reject(new Error('one request at a time per connection'));
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.socket.write(`${this.head}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    });
  }

  close(): void {
    this.socket.removeAllListeners('close');
    this.socket.destroy();
  }

  private received(chunk: Buffer): void {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    const end = this.buffered.indexOf(HEADER_END);
    if (end < 0) return;
    const head = this.buffered.toString('latin1', 0, end);
    const length = /\r\ncontent-length: *(\d+)/i.exec(head);
    if (!length || /\r\ntransfer-encoding:/i.test(head)) {
      this.fail(new Error(`unexpected reply: ${head.split('\r\n')[0]}`));
      return;
    }
    const bodyEnd = end + HEADER_END.length + Number(length[1]);
    if (this.buffered.length < bodyEnd) return;
    const reply = { status: Number(head.slice(9, 12)), body: this.buffered.toString('utf8', end + HEADER_END.length, bodyEnd) };
    this.buffered = this.buffered.subarray(bodyEnd);
    const waiting = this.waiting;
    this.waiting = null;
    waiting?.resolve(reply);
  }

  private fail(error: Error): void {
    const waiting = this.waiting;
    this.waiting = null;
    waiting?.reject(error);
  }
}
