import { Inject, Injectable } from '@nestjs/common';
import type { ClickHouseClient } from '@warroom/clickhouse';
import { botHealthSchema, ingestHealthProbeSchema, type BotHealth, type IngestHealthProbe } from '@warroom/contracts';
import type { z } from 'zod';
import { CLICKHOUSE } from './clickhouse.provider';

/**
 * How the other parts are, asked the way each can answer: ingest and the bot over their health endpoints,
 * the store with the cheapest query it can answer. Every failure is thrown with a short reason (the status
 * strip shows it).
 */
@Injectable()
export class PartHealthRepository {
  constructor(@Inject(CLICKHOUSE) private readonly clickhouse: ClickHouseClient) {}

  /** Ingest's `GET /health/ingest`: its 503 (consumer failed) carries the same body, so it is read, not thrown. */
  ingest(url: string, timeoutMs: number): Promise<IngestHealthProbe> {
    return this.health(url, timeoutMs, ingestHealthProbeSchema, [200, 503]);
  }

  /** The bot's `GET /health`. */
  bot(url: string, timeoutMs: number): Promise<BotHealth> {
    return this.health(url, timeoutMs, botHealthSchema, [200]);
  }

  /** Resolves once the store answered `SELECT 1`. */
  async store(timeoutMs: number): Promise<void> {
    const deadline = AbortSignal.timeout(timeoutMs);
    try {
      const result = await this.clickhouse.query({ query: 'SELECT 1 AS alive', format: 'JSONEachRow', abort_signal: deadline });
      await result.json<unknown>();
    } catch (error) {
      // The client reports its abort in its own words; a wall should read what it means.
      if (deadline.aborted) throw new Error(noAnswerWithin(timeoutMs), { cause: error });
      throw error;
    }
  }

  private async health<S extends z.ZodType>(url: string, timeoutMs: number, schema: S, statuses: number[]): Promise<z.infer<S>> {
    let response: Response;
    try {
      response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      throw new Error(notAnswering(error, timeoutMs), { cause: error });
    }
    if (!statuses.includes(response.status)) {
      await response.body?.cancel();
      throw new Error(`health answered ${response.status}`);
    }
    const parsed = schema.safeParse(await response.json().catch(() => null));
    if (!parsed.success) throw new Error('health answer not understood');
    return parsed.data;
  }
}

/** "not answering (ECONNREFUSED)", "no answer within 2.0 s": what a failed fetch means, in a few words. */
function notAnswering(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return noAnswerWithin(timeoutMs);
  const cause = error instanceof Error ? error.cause : undefined;
  const code = typeof cause === 'object' && cause !== null && 'code' in cause && typeof cause.code === 'string' ? cause.code : null;
  return code ? `not answering (${code})` : `not answering (${error instanceof Error ? error.message : String(error)})`;
}

function noAnswerWithin(timeoutMs: number): string {
  return `no answer within ${(timeoutMs / 1000).toFixed(1)} s`;
}
