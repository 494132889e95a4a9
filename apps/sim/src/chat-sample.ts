import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { Catalog } from './catalog';
import { intBetween, pick, type Conversation, type ConversationSettings, type ConversationSource, type Message, type OrderPlan, type ReplySeen, type Rng } from './conversation';

/**
 * `--corpus FILE`: real customer messages replayed instead of the built-in corpus, from a file in the
 * chat-sample.tsv format (UTF-8, tab-separated, no header): session id, user id, sender (0 customer,
 * 1 agent), transfer flag, repeat flag, sku or nan, text. Each simulated conversation asks the customer
 * messages of one recorded session in order (agent lines are skipped), and stops at a handoff as a
 * real customer would; the sessions are used in a seeded random order, again and again.
 */

const MAX_TURNS = 8;
const MAX_TEXT = 4000;

const rowSchema = z.tuple([
  z.string().min(1),
  z.string(),
  z.enum(['0', '1']),
  z.string(),
  z.string(),
  z.string(),
  z.string(),
]);

export interface RecordedSession {
  id: string;
  messages: string[];
}

export class CorpusError extends Error {}

/** Customer messages per session, in file order; malformed lines are counted, not fatal. */
export function parseChatSample(text: string): { sessions: RecordedSession[]; skippedLines: number } {
  const sessions = new Map<string, string[]>();
  let skippedLines = 0;
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    const parsed = rowSchema.safeParse(line.split('\t'));
    if (!parsed.success) {
      skippedLines += 1;
      continue;
    }
    const [sessionId, , sender, , , , message] = parsed.data;
    if (sender !== '0') continue;
    const cleaned = message.trim().slice(0, MAX_TEXT);
    if (!/\S/.test(cleaned)) continue;
    const messages = sessions.get(sessionId) ?? [];
    if (messages.length < MAX_TURNS) messages.push(cleaned);
    sessions.set(sessionId, messages);
  }
  return { sessions: [...sessions].map(([id, messages]) => ({ id, messages })).filter((session) => session.messages.length > 0), skippedLines };
}

export function loadChatSample(path: string): { sessions: RecordedSession[]; skippedLines: number } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new CorpusError(`--corpus ${path}: ${(error as Error).message}`);
  }
  const result = parseChatSample(text);
  if (result.sessions.length === 0) {
    throw new CorpusError(`--corpus ${path}: no customer messages (expected chat-sample.tsv lines: session, user, sender 0/1, transfer, repeat, sku, text)`);
  }
  return result;
}

export class ReplayConversations implements ConversationSource {
  private order: RecordedSession[] = [];
  private position = 0;

  constructor(
    private readonly sessions: readonly RecordedSession[],
    readonly settings: Pick<ConversationSettings, 'orders'>,
    readonly catalog: Catalog,
    readonly rng: Rng,
  ) {}

  start(shopId: string): Conversation {
    if (this.position >= this.order.length) {
      this.order = shuffle([...this.sessions], this.rng);
      this.position = 0;
    }
    const session = this.order[this.position]!;
    this.position += 1;
    return new ReplayConversation(this, shopId, session.messages);
  }
}

class ReplayConversation implements Conversation {
  readonly stage = null;
  private index = 0;
  private answeredAny = false;
  private handedOff = false;

  constructor(
    private readonly source: ReplayConversations,
    readonly shopId: string,
    private readonly messages: readonly string[],
  ) {}

  next(previous: ReplySeen | null): Message | null {
    if (previous?.outcome === 'answered') this.answeredAny = true;
    if (previous?.outcome === 'handoff') this.handedOff = true;
    if (this.handedOff) return null;
    const text = this.messages[this.index];
    if (text === undefined) return null;
    this.index += 1;
    return { text, intent: 'replay', known: null, emotion: 'neutral' };
  }

  order(): OrderPlan | null {
    const { rng, settings, catalog } = this.source;
    if (!this.answeredAny || this.handedOff || rng() >= settings.orders.share) return null;
    const products = (catalog.get(this.shopId) ?? []).filter((product) => product.launchAtMs === null);
    const product = products.length > 0 ? pick(rng, products) : null;
    const amountCents = product?.priceCents ?? intBetween(rng, settings.orders.amountCents.min, settings.orders.amountCents.max);
    return product ? { sku: product.sku, amountCents } : { amountCents };
  }
}

function shuffle<T>(items: T[], rng: Rng): T[] {
  for (let i = items.length - 1; i > 0; i -= 1) {
    const j = Math.floor(rng() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}
