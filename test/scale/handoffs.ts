/**
 * Phase 3: customers routed to one of the bots by their session id ask for a person; agents, each signed in
 * on a different api process, read the queue through the api and accept (then end) the customers who have
 * waited a moment; some customers give up once they are in the queue and abandon. Once agents have taken a
 * third of them, the last bot is killed (kill -9) and not restarted: the others adopt its waiting customers
 * (bot.handoffs), and customers are routed as the launcher's router does, over the bots still up. A
 * handed-off customer is lost when no agent's queue ever showed them, or when they ended neither accepted
 * nor abandoned.
 */
import { agentQueueSchema, chatReplySchema } from '@warroom/contracts';
import { eventually, sleep } from '../chaos/checks';
import { BOT_SHOPS, type RestartablePart } from '../chaos/system';
import { call } from '../support/http';
import { rendezvousPick } from '../../apps/bot/src/agent/rendezvous';
import { lostHandoffs } from './report';

const ASK_FOR_A_PERSON = '我要转人工';
/** Every fifth customer abandons as soon as an agent's queue shows them. */
const IMPATIENT_EVERY = 5;
/** Agents take customers who have waited this long, leaving the impatient ones time to abandon first. */
const ACCEPT_AFTER_WAIT_SEC = 1.5;
const POLL_MS = 300;
const ERRORS_KEPT = 5;

export interface HandoffsResult {
  handoffsLost: number;
  /** Bots killed while agents worked (their customers taken over by the others). */
  botsKilled: number;
  failures: string[];
}

interface Customer {
  shopId: string;
  sessionId: string;
  customerId: string;
  impatient: boolean;
}

/** Agents have taken this share of the customers when a bot is killed. */
const KILL_AFTER_ACCEPTED_SHARE = 1 / 3;

export async function handOff(
  apis: readonly RestartablePart[],
  bots: readonly RestartablePart[],
  agents: readonly { login: string; token: string }[],
  options: { customers: number; timeoutMs: number; runId: string; log: (line: string) => void },
): Promise<HandoffsResult> {
  const failures: string[] = [];
  const handedOff = new Set<string>();
  const shownToAgents = new Set<string>();
  const accepted = new Set<string>();
  const abandoned = new Set<string>();
  const errors: string[] = [];
  const noteError = (what: string): void => {
    if (errors.length < ERRORS_KEPT) errors.push(what);
  };

  const customers: Customer[] = Array.from({ length: options.customers }, (_, n) => ({
    shopId: BOT_SHOPS[n % BOT_SHOPS.length]!,
    sessionId: `scale-${options.runId}-customer-${n}`,
    customerId: `scale-customer-${n}`,
    impatient: n % IMPATIENT_EVERY === 0,
  }));
  const killed = new Set<RestartablePart>();
  // The launcher's bot router's rule: one session, one live bot.
  const botOf = (customer: Customer): RestartablePart => rendezvousPick(customer.sessionId, bots.filter((bot) => !killed.has(bot)))!;
  const perBot = bots.map((bot) => `${bot.name} ${customers.filter((customer) => botOf(customer) === bot).length}`).join(', ');
  options.log(`${customers.length} customers ask for a person (${perBot}); ${agents.length} agents on ${Math.min(agents.length, apis.length)} api processes`);

  let running = true;
  const agentLoops = agents.map(async (agent, n) => {
    const api = apis[n % apis.length]!;
    while (running) {
      await serveQueue(api, agent).catch((error: unknown) => noteError(`${agent.login} on ${api.name}: ${(error as Error).message}`));
      await sleep(POLL_MS);
    }
  });
  const customerLoop = (async () => {
    while (running) {
      for (const customer of customers) {
        if (!customer.impatient || !shownToAgents.has(customer.sessionId) || accepted.has(customer.sessionId) || abandoned.has(customer.sessionId)) continue;
        const bot = botOf(customer);
        const reply = await call(bot.url, 'POST', '/api/chat/abandon', null, { shopId: customer.shopId, sessionId: customer.sessionId, customerId: customer.customerId }).catch(
          (error: unknown) => ({ status: 0, body: (error as Error).message }),
        );
        // 409: an agent accepted first, which ends the wait too. 404 (or no answer): the bot it is routed to
        // has not adopted it yet after the kill; the customer tries again.
        if (reply.status === 200) abandoned.add(customer.sessionId);
        else if (reply.status !== 409) noteError(`abandon ${customer.sessionId} on ${bot.name}: ${reply.status} ${JSON.stringify(reply.body)}`);
      }
      await sleep(POLL_MS);
    }
  })().catch((error: unknown) => noteError(`customers: ${(error as Error).message}`));

  async function serveQueue(api: RestartablePart, { login, token }: { login: string; token: string }): Promise<void> {
    const reply = await call(api.url, 'GET', '/api/agent/queue?limit=100', token);
    if (reply.status !== 200) throw new Error(`queue ${reply.status} ${JSON.stringify(reply.body)}`);
    const queue = agentQueueSchema.parse(reply.body);
    for (const waiting of queue.waiting) shownToAgents.add(waiting.sessionId);
    // A chat the console shows this agent holds though the accept's answer never came (its bot died after
    // recording it): the agent talks to that customer and ends the chat, as the console lets them.
    const unanswered = queue.active.find((chat) => chat.agentId === login && !accepted.has(chat.sessionId));
    if (unanswered) {
      accepted.add(unanswered.sessionId);
      const end = await call(api.url, 'POST', '/api/agent/end', token, { shopId: unanswered.shopId, sessionId: unanswered.sessionId });
      if (end.status !== 200) throw new Error(`end ${unanswered.sessionId} (held, its accept unanswered): ${end.status} ${JSON.stringify(end.body)}`);
      return;
    }
    const next = queue.waiting.find((waiting) => waiting.waitSec >= ACCEPT_AFTER_WAIT_SEC && !accepted.has(waiting.sessionId));
    if (!next) return;
    const ref = { shopId: next.shopId, sessionId: next.sessionId };
    const accept = await call(api.url, 'POST', '/api/agent/accept', token, ref);
    // 409: another agent or the customer's abandon came first; 404: and the session already left the queue.
    if (accept.status === 409 || accept.status === 404) return;
    if (accept.status !== 200) throw new Error(`accept ${next.sessionId}: ${accept.status} ${JSON.stringify(accept.body)}`);
    accepted.add(next.sessionId);
    const end = await call(api.url, 'POST', '/api/agent/end', token, ref);
    if (end.status !== 200) throw new Error(`end ${next.sessionId}: ${end.status} ${JSON.stringify(end.body)}`);
  }

  try {
    await Promise.all(
      customers.map(async (customer) => {
        const reply = await call(botOf(customer).url, 'POST', '/api/chat', null, { shopId: customer.shopId, sessionId: customer.sessionId, customerId: customer.customerId, text: ASK_FOR_A_PERSON });
        if (reply.status !== 200) return void failures.push(`${customer.sessionId}: the bot answered ${reply.status} ${JSON.stringify(reply.body)}`);
        const answer = chatReplySchema.parse(reply.body);
        if (answer.outcome === 'handoff') handedOff.add(customer.sessionId);
        else failures.push(`${customer.sessionId}: asking for a person ended ${answer.outcome}, not in a handoff`);
      }),
    );
    // While agents work: the last bot dies, holding customers who wait and chats its agents hold.
    const killer = (async () => {
      if (bots.length < 2 || !(await eventually(() => Promise.resolve(accepted.size >= handedOff.size * KILL_AFTER_ACCEPTED_SHARE), options.timeoutMs, 100))) return;
      const victim = bots.at(-1)!;
      const holding = [...handedOff].filter((session) => !accepted.has(session) && !abandoned.has(session) && botOf(customers.find((c) => c.sessionId === session)!) === victim);
      killed.add(victim);
      await victim.crash();
      options.log(`killed ${victim.name} (kill -9) with ${holding.length} customer(s) neither accepted nor abandoned routed to it`);
    })();
    const settled = await eventually(
      () => Promise.resolve([...handedOff].every((session) => accepted.has(session) || abandoned.has(session))),
      options.timeoutMs,
      POLL_MS,
    );
    if (!settled) options.log(`after ${options.timeoutMs} ms some handed-off customers were neither accepted nor abandoned`);
    await killer;
  } finally {
    running = false;
    await Promise.all([...agentLoops, customerLoop]);
  }
  const lost = lostHandoffs({ handedOff, shownToAgents, accepted, abandoned });
  options.log(
    `handed off ${handedOff.size}, shown to agents ${shownToAgents.size}, accepted ${accepted.size}, abandoned ${abandoned.size}, lost ${lost.length}` +
      (lost.length > 0 ? ` (e.g. ${lost.slice(0, 3).join(', ')})` : ''),
  );
  if (errors.length > 0) options.log(`agent and customer errors, e.g.:\n  ${errors.join('\n  ')}`);
  return { handoffsLost: lost.length, botsKilled: killed.size, failures };
}
