import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import { chatRequestSchema } from '@warroom/contracts';
import { invalidRequestBody } from '../common/zod-validation.pipe';
import { UnknownShopError } from '../knowledge/knowledge-base';
import type { ChatService } from './chat.service';
import { unknownShopBody } from './unknown-shop.filter';

/** body-parser's default limit, which the route had under Express. */
const MAX_BODY_BYTES = 100 * 1024;

export interface RouteLogger {
  error(message: string, stack?: string): void;
}

/**
 * `POST /api/chat` (a customer message) answered by Node's HTTP server itself, ahead of Express and
 * Nest's router; every other request goes on to them. At the bot's peak rate the framework around this
 * one route (Express's router, the json and urlencoded body parsers, Nest's pipes and filters, `res.json`)
 * cost more CPU than the answer itself (profile in issue 6), and the bot is one event loop.
 *
 * The contract is the one the Nest route had: the body is parsed with `chatRequestSchema`, a failure is
 * a 400 `{message: 'Invalid request', issues}` (the ZodValidationPipe's), an unknown shop a 404 (the
 * UnknownShopFilter's body), anything else a logged 500.
 */
export class ChatRoute {
  constructor(
    private readonly chat: ChatService,
    private readonly logger: RouteLogger,
  ) {}

  /** Puts the route in front of the server's current request listener (Nest's Express app). */
  mount(server: Server): void {
    const [framework, ...others] = server.listeners('request') as RequestListener[];
    if (!framework || others.length > 0) throw new Error(`expected one request listener on the HTTP server, found ${server.listenerCount('request')}`);
    server.removeListener('request', framework);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      if (!this.handles(req)) {
        void framework(req, res);
        return;
      }
      this.receive(req, res);
    });
  }

  /** Express matched the route case-insensitively, with or without a trailing slash and a query string. */
  private handles(req: IncomingMessage): boolean {
    if (req.method !== 'POST' || req.url === undefined) return false;
    const query = req.url.indexOf('?');
    const path = (query < 0 ? req.url : req.url.slice(0, query)).toLowerCase();
    return path === '/api/chat' || path === '/api/chat/';
  }

  private receive(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    let bytes = 0;
    let refused = false;
    req.on('data', (chunk: Buffer) => {
      if (refused) return;
      bytes += chunk.length;
      if (bytes > MAX_BODY_BYTES) {
        refused = true;
        // The rest of the body is read and dropped, so the connection stays usable.
        send(res, 413, { statusCode: 413, message: `request body over ${MAX_BODY_BYTES} bytes` });
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!refused) this.answer(req, res, chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks));
    });
    // A client that hangs up mid-request gets no reply; nothing else to clean up.
    req.on('error', () => undefined);
  }

  private answer(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
    let json: unknown;
    // As body-parser did: a body that is not JSON is no body, and the schema says what is missing.
    if (isJson(req.headers['content-type'])) {
      try {
        json = JSON.parse(body.toString('utf8'));
      } catch {
        send(res, 400, { statusCode: 400, message: 'request body is not valid JSON' });
        return;
      }
    }
    const request = chatRequestSchema.safeParse(json);
    if (!request.success) {
      send(res, 400, invalidRequestBody(request.error));
      return;
    }
    try {
      send(res, 200, this.chat.ask(request.data));
    } catch (error) {
      if (error instanceof UnknownShopError) {
        send(res, 404, unknownShopBody(error));
        return;
      }
      this.logger.error(`POST /api/chat failed: ${error instanceof Error ? error.message : String(error)}`, error instanceof Error ? error.stack : undefined);
      send(res, 500, { statusCode: 500, message: 'Internal server error' });
    }
  }
}

function isJson(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const semicolon = contentType.indexOf(';');
  return (semicolon < 0 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase() === 'application/json';
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
