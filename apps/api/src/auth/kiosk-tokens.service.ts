import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { IssuedKioskToken, KioskToken } from '@warroom/contracts';
import { Conflict, NotFound } from '@warroom/nest-common';
import { tokenMatches } from '../common/token-matches';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { KioskTokensRepository, type KioskTokenRecord } from '../repositories/kiosk-tokens.repository';
import { AuditService } from './audit.service';
import type { ActorContext } from './decorators';

/**
 * How often the valid tokens are read again from the store: a token revoked on another api process stops
 * working here within this (and an open wall, rechecked every LIVE_KIOSK_RECHECK_MS, closes soon after).
 */
export const KIOSK_TOKENS_REFRESH_MS = 2_000;

function sha256(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

function publicKioskToken(record: KioskTokenRecord): KioskToken {
  return {
    tokenId: record.tokenId,
    name: record.name,
    createdAt: record.createdAt.toISOString(),
    createdBy: record.createdBy,
    revokedAt: record.revokedAt?.toISOString() ?? null,
    revokedBy: record.revokedBy,
  };
}

/**
 * The wall screens' kiosk tokens: the deployment's bootstrap token (WALL_KIOSK_TOKEN, for the first screen
 * and for `npm start`), and one token per screen issued by an admin, stored by SHA-256 only, revocable
 * without a restart. `admits` is synchronous (guards and the gateway call it at every request) and answers
 * from a copy of the valid tokens read every 2 s; until the first read, only the bootstrap token admits.
 */
@Injectable()
export class KioskTokensService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(KioskTokensService.name);
  /** SHA-256 of every valid issued token. */
  private valid = new Set<string>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly tokens: KioskTokensRepository,
    private readonly audit: AuditService,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => {
      this.refresh().catch((error: unknown) => this.logger.warn(`Cannot read the kiosk tokens (the last ones read stay valid): ${(error as Error).message}`));
    }, KIOSK_TOKENS_REFRESH_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  admits(presented: string | null | undefined): boolean {
    if (!presented) return false;
    return tokenMatches(presented, this.config.live.kioskToken) || this.valid.has(sha256(presented));
  }

  async list(): Promise<KioskToken[]> {
    return (await this.tokens.list()).map(publicKioskToken);
  }

  async issue({ actor }: ActorContext, name: string): Promise<IssuedKioskToken> {
    const token = randomBytes(24).toString('base64url');
    const record: KioskTokenRecord = {
      tokenId: `kt_${randomBytes(9).toString('base64url')}`,
      name,
      tokenSha256: sha256(token),
      createdAt: new Date(),
      createdBy: actor.login,
      revokedAt: null,
      revokedBy: null,
      version: 1n,
    };
    await this.tokens.insert(record);
    await this.audit.record(actor, 'kiosk.issue', record.tokenId, { name });
    this.valid.add(record.tokenSha256);
    return { kioskToken: publicKioskToken(record), token };
  }

  async revoke({ actor }: ActorContext, tokenId: string): Promise<KioskToken> {
    const current = (await this.tokens.list()).find((record) => record.tokenId === tokenId);
    if (current === undefined) throw new NotFound(`No kiosk token ${tokenId}`);
    if (current.revokedAt !== null) throw new Conflict(`The kiosk token ${tokenId} (${current.name}) was revoked already`);
    const revoked: KioskTokenRecord = { ...current, revokedAt: new Date(), revokedBy: actor.login, version: current.version + 1n };
    await this.tokens.insert(revoked);
    this.valid.delete(revoked.tokenSha256);
    await this.audit.record(actor, 'kiosk.revoke', tokenId, { name: current.name });
    return publicKioskToken(revoked);
  }

  private async refresh(): Promise<void> {
    const records = await this.tokens.list();
    this.valid = new Set(records.filter((record) => record.revokedAt === null).map((record) => record.tokenSha256));
  }
}
