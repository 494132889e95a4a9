import type { AgentChat, Channel, SimReport, Stage } from '@warroom/contracts';
import { BotRequestError, type AgentDeskApi } from './bot-client';
import { pick, type Rng } from './conversation';
import { clockToMinutes, curveMinuteAt, type Timing } from './curve';
import type { SimAgents } from './profile';

/**
 * Simulated human agents (the profile's `agents`): a roster of teams on shift in the curve's clock, each
 * agent holding up to `concurrency` chats. Every POLL_MS the agents on shift with room read the bot's
 * handoff queue and accept the oldest waiting sessions; each chat gets a first reply and ends after a
 * log-normal handling time (real seconds), sometimes with a flag for the trainers. Handed-off customers of
 * this run wait with an exponential patience and give up through the bot's API when nobody took them.
 * Everything goes through the bot, which records the events: agent_accept, agent_reply, agent_end,
 * agent_flag, abandon.
 *
 * Driven by `tick(now)` from the rehearsal's loop (no timers of its own), so unit tests run it on a
 * virtual clock.
 */

const POLL_MS = 500;
const DAY = 1440;
/** z of the 90th percentile of the standard normal. */
const Z90 = 1.2815515655446004;

const AGENT_REPLIES = ['亲，您好，我是人工客服，马上为您处理', '您好，久等了，请问有什么可以帮您', '亲，这边帮您查一下，请稍等', '非常抱歉让您久等了，我来为您处理'];
const FLAG_NOTES = ['顾客问的活动规则知识库里没有', '新品参数知识库缺失，人工回答的', '这个问题机器人答错了，需要补答案', '顾客多次问到，建议加到知识库'];

interface Agent {
  id: string;
  /** Shift in clock minutes [from, to), wrapping at midnight; from === to: all day. */
  from: number;
  to: number;
  chats: number;
}

interface Timer {
  at: number;
  run: () => void;
}

export interface AgentFloorSettings {
  profile: SimAgents;
  timing: Timing;
  /** Clock minute of curve minute 0. */
  startClockMinute: number;
  /** Shops whose queue these agents serve. */
  shops: readonly string[];
  runId: string;
}

export interface WaitingCustomer {
  shopId: string;
  sessionId: string;
  customerId: string;
  channel: Channel;
  /** The stage the customer is in; null when unknown. */
  stage: Stage | null;
}

/**
 * How a customer's stage scales the agents' order share after a chat: a pre-sale customer a person helped is
 * the one most likely to buy; a customer mid-purchase (paying, changing an order) often completes or adds
 * to it; an after-sale customer rarely buys again in the same session. Unknown stages count as in-sale.
 */
export const AGENT_ORDER_STAGE_FACTOR: Record<Stage, number> = { pre_sale: 1, in_sale: 0.5, after_sale: 0.1 };

/** The chance that a customer orders after an agent's chat. */
export function agentOrderChance(stage: Stage | null, orderShare: number): number {
  return orderShare * AGENT_ORDER_STAGE_FACTOR[stage ?? 'in_sale'];
}

/**
 * The roster as a staffing roster: for each real 15-minute interval from `fromMs` to `toMs`, the mean
 * number of agents on shift during it (sampled every 10 s of real time), rounded. At a compressed speed a
 * real quarter-hour spans hours of the curve, so this is the agent-time the rehearsal really had.
 */
export function rosterByQuarterHour(
  settings: Pick<AgentFloorSettings, 'profile' | 'timing' | 'startClockMinute'>,
  startMs: number,
  fromMs: number,
  toMs: number,
): { intervalStart: string; agents: number }[] {
  const QUARTER = 15 * 60_000;
  const SAMPLE = 10_000;
  const shifts = settings.profile.shifts.map((shift) => ({ agents: shift.agents, from: clockToMinutes(shift.from), to: clockToMinutes(shift.to) }));
  const entries: { intervalStart: string; agents: number }[] = [];
  for (let start = Math.floor(fromMs / QUARTER) * QUARTER; start < toMs; start += QUARTER) {
    let sum = 0;
    let samples = 0;
    for (let at = Math.max(start, fromMs); at < Math.min(start + QUARTER, toMs); at += SAMPLE) {
      const clock = clockAt(settings, startMs, at);
      sum += shifts.reduce((total, shift) => total + (onShiftAtClock(shift, clock) ? shift.agents : 0), 0);
      samples += 1;
    }
    if (samples > 0) entries.push({ intervalStart: new Date(start).toISOString(), agents: Math.round(sum / samples) });
  }
  return entries;
}

function clockAt(settings: Pick<AgentFloorSettings, 'timing' | 'startClockMinute'>, startMs: number, atMs: number): number {
  const curveMinute = curveMinuteAt(settings.timing, atMs - startMs);
  return (((settings.startClockMinute + curveMinute) % DAY) + DAY) % DAY;
}

/** A shift [from, to) in clock minutes, wrapping at midnight; from === to: all day. */
function onShiftAtClock(shift: { from: number; to: number }, clock: number): boolean {
  if (shift.from === shift.to) return true;
  return shift.from < shift.to ? clock >= shift.from && clock < shift.to : clock >= shift.from || clock < shift.to;
}

export class AgentFloor {
  private readonly agents: Agent[];
  private readonly shops: ReadonlySet<string>;
  private timers: Timer[] = [];
  private nextTimerAt = Infinity;
  private nextPollAt = 0;
  private polling = false;
  private accepting = true;
  private inFlight = 0;
  /** Customers of this run waiting, by session: who they are and their give-up timer. */
  private readonly patience = new Map<string, { customer: WaitingCustomer; timer: Timer }>();
  /** Chats held by our agents, by session: the agent, when its end is due, and the customer if of this run. */
  private readonly held = new Map<string, { agent: Agent; endAt: number; customer: WaitingCustomer | null }>();
  private waitSecSum = 0;
  private handleSecSum = 0;
  readonly stats: NonNullable<SimReport['agents']>;

  constructor(
    private readonly settings: AgentFloorSettings,
    private readonly desk: AgentDeskApi,
    private readonly rng: Rng,
    private readonly clock: { now(): number },
    /** Real time of curve position `timing.fromMinute`: the rehearsal's start. */
    private readonly startMs: number,
    /** A chat an agent ended (the customer may order now). */
    private readonly onChatEnded: (customer: WaitingCustomer) => void,
  ) {
    this.agents = settings.profile.shifts.flatMap((shift) =>
      Array.from({ length: shift.agents }, (_, i) => ({
        id: `${settings.runId}-${shift.team}-${i + 1}`,
        from: clockToMinutes(shift.from),
        to: clockToMinutes(shift.to),
        chats: 0,
      })),
    );
    this.shops = new Set(settings.shops);
    this.stats = {
      roster: this.agents.length,
      peakOnShift: 0,
      waited: 0,
      accepted: 0,
      ended: 0,
      openAtEnd: 0,
      abandoned: 0,
      flagged: 0,
      orders: 0,
      meanWaitSec: null,
      meanHandleSec: null,
      errors: 0,
    };
  }

  /** Agents on shift at a real time. */
  onShift(nowMs: number): number {
    return this.agentsOnShift(nowMs).length;
  }

  /** Chats our agents hold. */
  get busyChats(): number {
    return this.held.size;
  }

  /** Customers of this run waiting for a person. */
  get waiting(): number {
    return this.patience.size;
  }

  /** A customer of this run was handed off: they wait, and give up after their patience. */
  customerWaiting(customer: WaitingCustomer, nowMs: number): void {
    if (!this.accepting) return;
    this.stats.waited += 1;
    const patienceMs = -Math.log(1 - this.rng()) * this.settings.profile.patienceSeconds * 1000;
    const key = sessionKey(customer.shopId, customer.sessionId);
    const timer = this.schedule(nowMs + patienceMs, () => {
      if (this.patience.get(key)?.timer !== timer) return;
      this.patience.delete(key);
      const { shopId, sessionId, customerId } = customer;
      this.request(this.desk.abandon({ shopId, sessionId, customerId }), () => {
        this.stats.abandoned += 1;
      });
    });
    this.patience.set(key, { customer, timer });
  }

  /** Runs what is due; reads the queue when it is time and someone on shift has room. */
  tick(nowMs: number): void {
    this.stats.peakOnShift = Math.max(this.stats.peakOnShift, this.onShift(nowMs));
    if (nowMs >= this.nextTimerAt) this.runTimers(nowMs);
    if (this.accepting && !this.polling && nowMs >= this.nextPollAt) {
      this.nextPollAt = nowMs + POLL_MS;
      this.poll(nowMs);
    }
  }

  /** The run is over: no more accepts, and waiting customers of this run stop counting their patience. */
  stopAccepting(): void {
    this.accepting = false;
    this.patience.clear();
  }

  /** Requests in flight, or chats whose end is due by `untilMs`: what a stopping run waits for. */
  busyUntil(untilMs: number): boolean {
    if (this.inFlight > 0) return true;
    for (const chat of this.held.values()) if (chat.endAt <= untilMs) return true;
    return false;
  }

  /** Closes the figures at the end of the run. */
  finish(): NonNullable<SimReport['agents']> {
    this.stats.openAtEnd = this.held.size;
    const round = (value: number): number => Math.round(value * 10) / 10;
    this.stats.meanWaitSec = this.stats.accepted > 0 ? round(this.waitSecSum / this.stats.accepted) : null;
    this.stats.meanHandleSec = this.stats.ended > 0 ? round(this.handleSecSum / this.stats.ended) : null;
    return { ...this.stats };
  }

  private agentsOnShift(nowMs: number): Agent[] {
    const clock = clockAt(this.settings, this.startMs, nowMs);
    return this.agents.filter((agent) => onShiftAtClock(agent, clock));
  }

  private poll(nowMs: number): void {
    const concurrency = this.settings.profile.concurrency;
    const available = this.agentsOnShift(nowMs).filter((agent) => agent.chats < concurrency);
    const room = available.reduce((sum, agent) => sum + concurrency - agent.chats, 0);
    if (room === 0) return;
    this.polling = true;
    this.inFlight += 1;
    this.desk
      .queue({ limit: Math.min(room, 1000) })
      .then((queue) => {
        for (const session of queue.waiting) {
          if (!this.shops.has(session.shopId)) continue;
          // The least busy agent on shift with room: work spreads over the team.
          const agent = available.filter((candidate) => candidate.chats < concurrency).sort((a, b) => a.chats - b.chats)[0];
          if (!agent) break;
          agent.chats += 1;
          this.request(
            this.desk.accept({ shopId: session.shopId, sessionId: session.sessionId, agentId: agent.id }),
            (chat) => this.accepted(agent, chat),
            () => {
              agent.chats -= 1;
            },
          );
        }
      })
      .catch(() => {
        this.stats.errors += 1;
      })
      .finally(() => {
        this.inFlight -= 1;
        this.polling = false;
      });
  }

  private accepted(agent: Agent, chat: AgentChat): void {
    const nowMs = this.clock.now();
    const key = sessionKey(chat.shopId, chat.sessionId);
    const customer = this.patience.get(key)?.customer ?? null;
    this.patience.delete(key);
    this.stats.accepted += 1;
    this.waitSecSum += chat.waitedSec;
    const profile = this.settings.profile;
    const firstReplyMs = (profile.firstReplySeconds.min + this.rng() * (profile.firstReplySeconds.max - profile.firstReplySeconds.min)) * 1000;
    const handleMs = Math.max(firstReplyMs + 500, this.handleSeconds() * 1000);
    const endAt = nowMs + handleMs;
    this.held.set(key, { agent, endAt, customer });
    const ref = { shopId: chat.shopId, sessionId: chat.sessionId, agentId: agent.id };
    this.schedule(nowMs + firstReplyMs, () => this.request(this.desk.reply({ ...ref, text: pick(this.rng, AGENT_REPLIES) }), () => undefined));
    this.schedule(endAt, () =>
      this.request(
        this.desk.end(ref),
        () => {
          this.stats.ended += 1;
          this.handleSecSum += handleMs / 1000;
          if (this.rng() < profile.flagShare) {
            this.request(this.desk.flag({ ...ref, text: pick(this.rng, FLAG_NOTES) }), () => {
              this.stats.flagged += 1;
            });
          }
          if (customer) this.onChatEnded(customer);
        },
        undefined,
        () => {
          this.held.delete(key);
          agent.chats -= 1;
        },
      ),
    );
  }

  /** Log-normal with the profile's median and 90th percentile (Box–Muller for the normal draw). */
  private handleSeconds(): number {
    const { median, p90 } = this.settings.profile.handleSeconds;
    const sigma = Math.log(p90 / median) / Z90;
    const z = Math.sqrt(-2 * Math.log(1 - this.rng())) * Math.cos(2 * Math.PI * this.rng());
    return median * Math.exp(sigma * z);
  }

  /**
   * One call to the bot. A 404 or 409 is the race every real desk has (the customer left as the agent
   * clicked, another agent was faster): not an error, just `refused`. Anything else counts as an error.
   */
  private request<T>(call: Promise<T>, done: (value: T) => void, refused?: () => void, always?: () => void): void {
    this.inFlight += 1;
    call
      .then(done, (error: unknown) => {
        if (!(error instanceof BotRequestError && (error.status === 404 || error.status === 409))) this.stats.errors += 1;
        refused?.();
      })
      .finally(() => {
        this.inFlight -= 1;
        always?.();
      });
  }

  private schedule(at: number, run: () => void): Timer {
    const timer = { at, run };
    this.timers.push(timer);
    this.nextTimerAt = Math.min(this.nextTimerAt, at);
    return timer;
  }

  private runTimers(nowMs: number): void {
    const due = this.timers.filter((timer) => timer.at <= nowMs);
    this.timers = this.timers.filter((timer) => timer.at > nowMs);
    this.nextTimerAt = this.timers.reduce((min, timer) => Math.min(min, timer.at), Infinity);
    for (const timer of due) timer.run();
  }
}

function sessionKey(shopId: string, sessionId: string): string {
  return `${shopId}\u0000${sessionId}`;
}
