/**
 * Every REST route of the api, and its `/live` WebSocket, tried by every kind of caller (issue 17): nobody,
 * a wall's kiosk token, each service's own credential (two for the bot, as during a rotation), and a
 * signed-in user of each role and trainer grade.
 *
 * The routes come from the framework itself (the api's "Mapped {path, METHOD} route" lines at start), so a
 * route added without a row in EXPECTED fails here. EXPECTED is written from DESIGN.md's roles, not read
 * from the decorators under test: who may call each route. What follows from it, for each caller:
 * - a caller the route admits gets anything but 401/403 (200, or 400 for the empty body sent, 404 for the
 *   made-up id, 503 with no bot: the guard let it through, which is what is tested here);
 * - a signed-in user of another role gets 403;
 * - everyone else (nobody, or a token of the wrong kind) gets 401.
 * Grades within the trainer role are checked by the services, on the change itself (kb.service.spec.ts).
 */
import { liveProtocols, type Role } from '@warroom/contracts';
import { beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { AppProcess } from '../../infra/dev/app-process';
import { call, oneTimePasswordCatcher, setUpUsers } from '../support/http';
import { KIOSK_TOKEN, usePipeline } from '../support/pipeline';

type Service = 'bot' | 'simulator' | 'order_feed' | 'replay';
/** Each service's credential on the api; the bot has two, as while one is rotated. */
const SERVICE_CALLERS = {
  'service.bot': { service: 'bot', token: 'route-roles-bot-token-0123456789' },
  'service.bot.rotated': { service: 'bot', token: 'route-roles-bot-token-next-0123456789' },
  'service.simulator': { service: 'simulator', token: 'route-roles-sim-token-0123456789' },
  'service.order_feed': { service: 'order_feed', token: 'route-roles-orders-token-0123456789' },
  'service.replay': { service: 'replay', token: 'route-roles-replay-token-0123456789' },
} as const satisfies Record<string, { service: Service; token: string }>;
type ServiceCaller = keyof typeof SERVICE_CALLERS;
const SERVICE_CREDENTIALS = Object.values(SERVICE_CALLERS).map(({ service, token }) => `${service}=${token}`).join(',');

type Caller = 'anonymous' | 'kiosk' | ServiceCaller | 'trainer.assistant' | 'trainer.junior' | 'trainer.mid' | 'trainer.senior' | 'lead' | 'agent' | 'manager' | 'admin';
const SESSION_CALLERS = ['trainer.assistant', 'trainer.junior', 'trainer.mid', 'trainer.senior', 'lead', 'agent', 'manager', 'admin'] as const;
const CALLERS: Caller[] = ['anonymous', 'kiosk', ...(Object.keys(SERVICE_CALLERS) as ServiceCaller[]), ...SESSION_CALLERS];
const serviceOf = (caller: Caller): Service | null => (caller in SERVICE_CALLERS ? SERVICE_CALLERS[caller as ServiceCaller].service : null);
const roleOf = (caller: (typeof SESSION_CALLERS)[number]): Role => (caller.startsWith('trainer.') ? 'trainer' : (caller as Role));

/** Who may call a route: anyone, the kiosk token, these services' credentials, and/or signed-in users of these roles. */
interface Access {
  anyone?: true;
  kiosk?: true;
  services?: Service[];
  roles?: Role[];
}

const EVERY_ROLE: Role[] = ['agent', 'trainer', 'lead', 'manager', 'admin'];
const TRAINER_DESK: Role[] = ['trainer', 'lead'];
const HANDOFFS: Role[] = ['agent', 'lead'];

/** DESIGN.md "Roles", route by route. */
const EXPECTED: Record<string, Access> = {
  // Signing in, and one's own account.
  'POST /api/auth/login': { anyone: true },
  'POST /api/auth/password': { roles: EVERY_ROLE },
  'GET /api/auth/me': { roles: EVERY_ROLE },
  // admin: users, tokens, audit log.
  'GET /api/users': { roles: ['admin'] },
  'POST /api/users': { roles: ['admin'] },
  'PATCH /api/users/:id': { roles: ['admin'] },
  'POST /api/users/:id/unlock': { roles: ['admin'] },
  'POST /api/users/:id/password-reset': { roles: ['admin'] },
  'GET /api/audit': { roles: ['admin'] },
  'GET /api/kiosk-tokens': { roles: ['admin'] },
  'POST /api/kiosk-tokens': { roles: ['admin'] },
  'POST /api/kiosk-tokens/:id/revoke': { roles: ['admin'] },
  // wall viewer: live metrics, gaps and campaigns; campaigns are written by a service.
  'GET /api/metrics/snapshot': { kiosk: true },
  'GET /api/campaigns': { kiosk: true },
  'GET /api/campaigns/:id': { kiosk: true },
  // The simulator registers its rehearsal's campaign.
  'PUT /api/campaigns/:id': { services: ['simulator'] },
  'GET /api/gaps': { kiosk: true, roles: EVERY_ROLE },
  'GET /api/gaps/:id': { kiosk: true, roles: EVERY_ROLE },
  'GET /api/gaps/:id/answered': { kiosk: true, roles: EVERY_ROLE },
  'GET /api/briefing': { kiosk: true, roles: EVERY_ROLE },
  // trainers (and leads, who may do all a senior may): claim gaps, patch the knowledge base.
  'POST /api/gaps/:id/claim': { roles: TRAINER_DESK },
  'POST /api/gaps/:id/release': { roles: TRAINER_DESK },
  'POST /api/gaps/:id/dismiss': { roles: ['lead'] },
  'POST /api/kb/patches': { roles: TRAINER_DESK },
  'POST /api/kb/preview': { roles: TRAINER_DESK },
  'GET /api/kb/nearest': { roles: TRAINER_DESK },
  'GET /api/kb/history': { roles: TRAINER_DESK },
  // Agents see the answers the bot suggests.
  'GET /api/kb/answers': { roles: ['trainer', 'lead', 'agent'] },
  // The bot loads the knowledge base with its service credential.
  'GET /api/kb/state': { services: ['bot'] },
  // agents (and leads): the handoff queue.
  'GET /api/agent/queue': { roles: HANDOFFS },
  'POST /api/agent/accept': { roles: HANDOFFS },
  'POST /api/agent/reply': { roles: HANDOFFS },
  'POST /api/agent/end': { roles: HANDOFFS },
  'POST /api/agent/flag': { roles: HANDOFFS },
  'GET /api/agent/conversation': { roles: HANDOFFS },
  'GET /api/agent/suggestions': { roles: HANDOFFS },
  // managers: staffing reports; the simulator stores its roster as a service.
  'GET /api/reports/staffing': { roles: ['manager'] },
  'POST /api/reports/staffing': { roles: ['manager'] },
  'GET /api/reports/staffing.csv': { roles: ['manager'] },
  'POST /api/reports/staffing.csv': { roles: ['manager'] },
  'PUT /api/reports/roster': { services: ['simulator'] },
  // managers: what outreach earns; agents (and leads): the follow-up list (issue 22).
  'GET /api/reports/outreach': { roles: ['manager'] },
  'GET /api/reports/outreach.csv': { roles: ['manager'] },
  'GET /api/follow-ups': { roles: HANDOFFS },
  'POST /api/follow-ups/:id/done': { roles: HANDOFFS },
  // Replays read past questions as a service.
  'GET /api/replay/questions': { services: ['replay'] },
  // Operations' health probes (no customer text, no figures of the business).
  'GET /health/ingest': { anyone: true },
  'GET /health/live': { anyone: true },
  'GET /health/live-views': { anyone: true },
  'GET /health/ready': { anyone: true },
  // Prometheus scrapes the pod: counts, times and statuses only (libs/observability).
  'GET /metrics': { anyone: true },
};

function admits(access: Access, caller: Caller): boolean {
  if (access.anyone) return true;
  if (caller === 'kiosk') return access.kiosk === true;
  if (caller === 'anonymous') return false;
  if (caller in SERVICE_CALLERS) return access.services?.includes(SERVICE_CALLERS[caller as ServiceCaller].service) ?? false;
  return access.roles?.includes(roleOf(caller as (typeof SESSION_CALLERS)[number])) ?? false;
}

/**
 * What a refused caller gets: 403 for a signed-in user the route does not admit, or another service's
 * credential on a service route; 401 for the rest.
 */
function refusal(access: Access, caller: Caller): 401 | 403 {
  if (serviceOf(caller) !== null) return access.services !== undefined ? 403 : 401;
  return (SESSION_CALLERS as readonly string[]).includes(caller) && access.roles !== undefined ? 403 : 401;
}

const MAPPED_ROUTE = /Mapped \{([^,]+), (GET|POST|PUT|PATCH|DELETE)\} route/;

describe('every route and the live socket, tried by every kind of caller', () => {
  const pipeline = usePipeline();
  let api: AppProcess;
  const routes = new Set<string>();
  const tokens = new Map<Caller, string | null>();
  const firstAdmin = oneTimePasswordCatcher();

  beforeAll(async () => {
    api = await pipeline().startApp(
      'ingest,api',
      { WARROOM_SERVICE_CREDENTIALS: SERVICE_CREDENTIALS, LOG_LEVEL: 'log' },
      {
        onLog: (line) => {
          firstAdmin.onLog(line);
          const mapped = MAPPED_ROUTE.exec(line);
          if (mapped) routes.add(`${mapped[2]} ${mapped[1]}`);
        },
      },
    );
    const sessions = await setUpUsers(api.url!, firstAdmin.password(), [
      ...(['assistant', 'junior', 'mid', 'senior'] as const).map((grade) => ({ login: `trainer.${grade}`, displayName: grade, role: 'trainer' as const, grade })),
      ...(['lead', 'agent', 'manager'] as const).map((role) => ({ login: role, displayName: role, role })),
    ]);
    tokens.set('anonymous', null).set('kiosk', KIOSK_TOKEN);
    for (const [caller, { token }] of Object.entries(SERVICE_CALLERS)) tokens.set(caller as ServiceCaller, token);
    for (const caller of SESSION_CALLERS) tokens.set(caller, sessions[caller]!);
  }, 120_000);

  it('has a row for every route the api maps, and no row for a route it does not', () => {
    expect(routes.size).toBeGreaterThan(30);
    expect([...routes].filter((route) => !(route in EXPECTED)).sort(), 'routes without a row in EXPECTED').toEqual([]);
    expect(Object.keys(EXPECTED).filter((route) => !routes.has(route)).sort(), 'rows of routes that do not exist').toEqual([]);
  });

  it('answers each caller of each route as DESIGN.md says', async () => {
    const wrong: string[] = [];
    for (const route of [...routes].sort()) {
      const access = EXPECTED[route];
      if (access === undefined) continue;
      const [method, template] = route.split(' ') as [string, string];
      // A made-up id for every path parameter: the guard answers before anything looks it up.
      const path = template.replace(/:[A-Za-z]+/g, 'x-1');
      for (const caller of CALLERS) {
        const reply = await call(api.url!, method, path, tokens.get(caller) ?? null, method === 'GET' ? undefined : {});
        const allowed = admits(access, caller);
        const ok = allowed ? reply.status !== 401 && reply.status !== 403 : reply.status === refusal(access, caller);
        if (!ok) wrong.push(`${route} as ${caller}: ${reply.status}, expected ${allowed ? 'admitted' : refusal(access, caller)}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('admits to /live the kiosk token and every signed-in user, and nobody else', async () => {
    const outcome = (token: string | null) =>
      new Promise<'admitted' | number>((resolve, reject) => {
        const url = `${api.url!.replace(/^http/, 'ws')}/live`;
        const socket = token === null ? new WebSocket(url, ['warroom.live']) : new WebSocket(url, liveProtocols(token));
        const timer = setTimeout(() => reject(new Error('no frame and no close within 15 s')), 15_000);
        socket.once('open', () => socket.send(JSON.stringify({ event: 'subscribe', data: { shop: 'all', window: '5m', source: 'live' } })));
        socket.once('message', () => {
          clearTimeout(timer);
          socket.close();
          resolve('admitted');
        });
        socket.once('close', (code: number) => {
          clearTimeout(timer);
          resolve(code);
        });
        socket.once('error', reject);
      });
    const wrong: string[] = [];
    for (const caller of CALLERS) {
      const expected = caller === 'anonymous' || serviceOf(caller) !== null ? 1008 : 'admitted';
      const got = await outcome(tokens.get(caller) ?? null);
      if (got !== expected) wrong.push(`/live as ${caller}: ${got}, expected ${expected}`);
    }
    expect(wrong).toEqual([]);
  });
});
