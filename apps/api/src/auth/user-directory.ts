import { createHash, randomInt } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { User } from '@warroom/contracts';
import { UsersRepository, type UserRecord } from '../repositories/users.repository';

/** How long a user read for a session check is trusted: a disabled user is locked out within this. */
export const USER_CACHE_MS = 5_000;

/**
 * A user's id, derived from the login: two concurrent creations of one login (ClickHouse has no unique
 * constraint) write the same id and collapse into one user; the first admin (`admin`) gets the same id
 * from every process that creates it.
 */
export function userIdFor(login: string): string {
  return `u-${createHash('sha256').update(`warroom:user:${login}`, 'utf8').digest('hex').slice(0, 24)}`;
}

/** The user as the API shows it: no hash, no version. */
export function publicUser(record: UserRecord): User {
  return {
    userId: record.userId,
    login: record.login,
    displayName: record.displayName,
    role: record.role,
    grade: record.grade,
    disabled: record.disabled,
  };
}

/**
 * Reads users for the session check, cached per user for a few seconds (every request of a signed-in user
 * would otherwise cost a store query); writes go through `save`, which also refreshes this process's cache.
 */
@Injectable()
export class UserDirectory {
  private readonly cache = new Map<string, { record: UserRecord | null; fetchedAt: number }>();
  private readonly inFlight = new Map<string, Promise<UserRecord | null>>();
  private lastVersion = 0n;

  constructor(private readonly users: UsersRepository) {}

  /** The user's newest version; from the cache when it is younger than USER_CACHE_MS, unless `fresh`. */
  async get(userId: string, options: { fresh?: boolean } = {}): Promise<UserRecord | null> {
    const cached = this.cache.get(userId);
    if (!options.fresh && cached && Date.now() - cached.fetchedAt < USER_CACHE_MS) return cached.record;
    // Concurrent requests of one user share one query.
    let pending = this.inFlight.get(userId);
    if (!pending) {
      const fetchedAt = Date.now();
      pending = this.users.get(userId).then((record) => {
        // A save made while this read was on its way is newer than what the read saw.
        const current = this.cache.get(userId);
        if (!current || current.fetchedAt <= fetchedAt) this.cache.set(userId, { record, fetchedAt });
        return record;
      });
      const forget = (): void => {
        this.inFlight.delete(userId);
      };
      pending.then(forget, forget);
      this.inFlight.set(userId, pending);
    }
    return pending;
  }

  list(): Promise<UserRecord[]> {
    return this.users.list();
  }

  anyAdmin(): Promise<boolean> {
    return this.users.anyAdmin();
  }

  /** Stores a new version of the user (version and time stamped here) and returns it. */
  async save(
    change: Omit<UserRecord, 'version' | 'updatedAt'>,
    options: { deduplicationToken?: string } = {},
  ): Promise<UserRecord> {
    const record: UserRecord = { ...change, version: this.nextVersion(), updatedAt: new Date() };
    await this.users.insert(record, options.deduplicationToken);
    this.cache.set(record.userId, { record, fetchedAt: Date.now() });
    return record;
  }

  /**
   * Microseconds since the epoch plus a random few, and above this process's last: a later change wins,
   * and two processes writing in the same millisecond almost never tie (a tie still reads the same
   * everywhere: the repository breaks it by hash).
   */
  private nextVersion(): bigint {
    const candidate = BigInt(Date.now()) * 1000n + BigInt(randomInt(1000));
    this.lastVersion = candidate > this.lastVersion ? candidate : this.lastVersion + 1n;
    return this.lastVersion;
  }
}
