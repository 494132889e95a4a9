/**
 * The small load balancers of `npm start -- --api N --bot N` (http-proxy-3), in front of processes that the
 * supervisor keeps restarting: each asks, at every request, which processes are up right now.
 *
 * - The api proxy listens where the wall's URL points and spreads requests and `/live` WebSocket upgrades
 *   over the api processes in turn (any api process serves any viewer).
 * - The bot router routes a customer by session id (`BOT_SESSION_HEADER`, or `?session=` on a `/chat`
 *   upgrade) with rendezvous hashing over the bots that are up: the same session always reaches the same
 *   live bot, and a bot that dies moves only its own sessions. A request that names no session goes to any
 *   bot, except the agents' queue (`GET /api/agent/queue`), which is every bot's queue merged, as the api
 *   merges it (the simulator's agents read it through here).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { agentQueueSchema, BOT_SESSION_HEADER, BOT_SESSION_QUERY_PARAM, type AgentQueue } from '@warroom/contracts';
import { createProxyServer } from 'http-proxy-3';
import { mergeAgentQueues } from '../../apps/api/src/agent-desk/merged-queue';
import { rendezvousPick } from '../../apps/bot/src/agent/rendezvous';

export interface DevProxy {
  readonly name: string;
  readonly url: string;
  stop(): Promise<void>;
}

/** A process behind a proxy: its base URL while it is up, null while it is down. */
export interface Upstream {
  name: string;
  url: string | null;
}

interface ProxyOptions {
  host: string;
  port: number;
  upstreams: () => Upstream[];
  log?: (line: string) => void;
}

type LiveUpstream = Upstream & { url: string };

const live = (upstreams: Upstream[]): LiveUpstream[] => upstreams.filter((upstream): upstream is LiveUpstream => upstream.url !== null);

/** Spreads HTTP requests and WebSocket upgrades over the api processes that are up, in turn. */
export function startApiProxy(options: ProxyOptions): Promise<DevProxy> {
  let turn = 0;
  const next = (): LiveUpstream | null => {
    const up = live(options.upstreams());
    return up.length === 0 ? null : up[turn++ % up.length]!;
  };
  return listen('api proxy', options, { web: next, ws: next });
}

/** Routes by session id over the bots that are up; merges the agents' queue of every bot. */
export function startBotRouter(options: ProxyOptions): Promise<DevProxy> {
  let turn = 0;
  const route = (req: IncomingMessage): LiveUpstream | null => {
    const up = live(options.upstreams());
    const session = sessionOf(req);
    if (session !== null) return rendezvousPick(session, up);
    return up.length === 0 ? null : up[turn++ % up.length]!;
  };
  return listen('bot router', options, {
    web: route,
    ws: route,
    intercept: (req, res) => {
      if (req.method !== 'GET' || !req.url?.startsWith('/api/agent/queue') || sessionOf(req) !== null) return false;
      void mergedQueue(req, res, live(options.upstreams()));
      return true;
    },
  });
}

/** The session a request names for routing, or null. */
function sessionOf(req: IncomingMessage): string | null {
  const header = req.headers[BOT_SESSION_HEADER];
  if (typeof header === 'string' && header.length > 0) return header;
  const fromQuery = new URL(req.url ?? '/', 'http://router').searchParams.get(BOT_SESSION_QUERY_PARAM);
  return fromQuery !== null && fromQuery.length > 0 ? fromQuery : null;
}

/** Every bot's queue, asked with the caller's credential; the first refusal (401, 400…) is relayed as it is. */
async function mergedQueue(req: IncomingMessage, res: ServerResponse, bots: LiveUpstream[]): Promise<void> {
  const authorization = req.headers.authorization;
  const answers = await Promise.allSettled(
    bots.map(async (bot) => {
      const response = await fetch(new URL(req.url ?? '/', bot.url), {
        headers: authorization === undefined ? {} : { authorization },
        signal: AbortSignal.timeout(10_000),
      });
      return { status: response.status, text: await response.text() };
    }),
  );
  const queues: AgentQueue[] = [];
  for (const answer of answers) {
    if (answer.status === 'rejected') continue;
    if (answer.value.status !== 200) return reply(res, answer.value.status, answer.value.text);
    const parsed = agentQueueSchema.safeParse(jsonOrNull(answer.value.text));
    if (!parsed.success) return reply(res, 502, JSON.stringify({ statusCode: 502, message: 'a bot answered a queue that breaks its contract' }));
    queues.push(parsed.data);
  }
  const [first, ...rest] = queues;
  if (first === undefined) return reply(res, 502, JSON.stringify({ statusCode: 502, message: 'no bot answered' }));
  const limit = Number(new URL(req.url ?? '/', 'http://router').searchParams.get('limit') ?? 100);
  reply(res, 200, JSON.stringify(mergeAgentQueues([first, ...rest], { limit })));
}

function jsonOrNull(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function reply(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(body);
}

interface Routing {
  web: (req: IncomingMessage) => LiveUpstream | null;
  ws: (req: IncomingMessage) => LiveUpstream | null;
  /** Answers a request itself instead of proxying it; true when it did. */
  intercept?: (req: IncomingMessage, res: ServerResponse) => boolean;
}

function listen(name: string, options: ProxyOptions, routing: Routing): Promise<DevProxy> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const proxy = createProxyServer({ ws: true, xfwd: true });
  const unavailable = (res: ServerResponse, message: string): void => {
    if (!res.headersSent) reply(res, 502, JSON.stringify({ statusCode: 502, message }));
    else res.destroy();
  };
  // A process that died under a request: that request fails (the client retries), the next goes elsewhere.
  proxy.on('error', (error, req, res) => {
    log(`${name}: ${req.method ?? ''} ${req.url ?? ''}: ${error.message}`);
    if ('writeHead' in res) unavailable(res, `${name}: ${error.message}`);
    else res.destroy();
  });
  const server: Server = createServer((req, res) => {
    if (routing.intercept?.(req, res)) return;
    const target = routing.web(req);
    if (target === null) return unavailable(res, `${name}: no process is up`);
    proxy.web(req, res, { target: target.url });
  });
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const target = routing.ws(req);
    if (target === null) return void socket.destroy();
    proxy.ws(req, socket, head, { target: target.url });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve({
        name,
        url: `http://${options.host}:${options.port}`,
        stop: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
