import { randomUUID } from 'node:crypto';
import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { signInLogEntrySchema, type SignInLogEntry } from '@warroom/contracts';
import type { LogRecord } from '@warroom/kafka';
import { Unavailable } from '@warroom/nest-common';
import { SignInLogRepository } from '../repositories/sign-in-log.repository';
import { SignInLedger, type AttemptDecision, type LedgerOutcome } from './sign-in-throttle';

/** How long an attempt waits for this process to read its decision back from the log. */
const DECISION_TIMEOUT_MS = 10_000;

type Scope = Extract<SignInLogEntry, { kind: 'attempt' }>['scope'];

/**
 * The sign-in throttle shared by every api process: attempts, successes and unlocks go through the
 * `auth.sign-ins` log, every process applies it in order with `SignInLedger`, and an attempt is decided
 * (reserved, or told to wait) only once this process applied it from the log. So 40 parallel guesses spread
 * over processes get as many checks as against one process. A start replays the log (what its retention
 * keeps, far more than the throttle's window), so a restarted process counts what the others count.
 */
@Injectable()
export class SignInThrottleService implements OnApplicationBootstrap {
  private readonly logger = new Logger(SignInThrottleService.name);
  private readonly ledger = new SignInLedger();
  private nextOffset = 0n;
  private readonly waiters = new Map<string, (outcome: LedgerOutcome) => void>();

  constructor(private readonly log: SignInLogRepository) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.log.follow(0n, (records) => Promise.resolve(this.onRecords(records)));
  }

  /** Reserves an attempt of `login` from `address` before its password is checked, or says how long to wait. */
  async reserve(scope: Scope, login: string, address: string): Promise<AttemptDecision> {
    const outcome = await this.decide({ v: 1, kind: 'attempt', entryId: randomUUID(), scope, login, address });
    if (outcome.kind !== 'attempt') throw new Error(`the sign-in log answered an attempt with ${outcome.kind}`);
    return outcome.decision;
  }

  /** The attempt reserved at `attemptAt` succeeded: the login's failures from the address are forgotten. */
  async succeeded(scope: Scope, login: string, address: string, attemptAt: number): Promise<void> {
    await this.log.propose({ v: 1, kind: 'success', entryId: randomUUID(), scope, login, address, attemptAt });
  }

  /** Lifts the login's locks from every address on every process; how many this process's ledger held. */
  async unlock(login: string): Promise<number> {
    const outcome = await this.decide({ v: 1, kind: 'unlock', entryId: randomUUID(), login });
    return outcome.kind === 'unlock' ? outcome.locksLifted : 0;
  }

  /** Failures of the login from the address in the window now (for the answer's delay). */
  failures(login: string, address: string): number {
    return this.ledger.failures(login, address, Date.now());
  }

  private async decide(entry: SignInLogEntry): Promise<LedgerOutcome> {
    const decided = new Promise<LedgerOutcome>((resolve) => this.waiters.set(entry.entryId, resolve));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), DECISION_TIMEOUT_MS);
    });
    try {
      await this.log.propose(entry);
      const outcome = await Promise.race([decided, timeout]);
      if (outcome === 'timeout') throw new Unavailable(`signing in is unavailable: the sign-in log did not answer within ${DECISION_TIMEOUT_MS} ms`);
      return outcome;
    } catch (error) {
      if (error instanceof Unavailable) throw error;
      throw new Unavailable(`signing in is unavailable: ${(error as Error).message}`);
    } finally {
      clearTimeout(timer);
      this.waiters.delete(entry.entryId);
    }
  }

  private onRecords(records: LogRecord[]): void {
    for (const record of records) {
      if (record.offset < this.nextOffset) continue;
      this.nextOffset = record.offset + 1n;
      const entry = parseEntry(record.value);
      if (!entry) {
        // Only the api writes this topic; a bad record is a writer's bug. Every process skips it alike.
        this.logger.error(`auth.sign-ins offset ${record.offset} is not a sign-in log entry; skipped`);
        continue;
      }
      const outcome = this.ledger.apply(entry, record.timestampMs);
      this.waiters.get(entry.entryId)?.(outcome);
    }
  }
}

function parseEntry(value: Buffer | null): SignInLogEntry | null {
  if (!value) return null;
  try {
    const parsed = signInLogEntrySchema.safeParse(JSON.parse(value.toString('utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
