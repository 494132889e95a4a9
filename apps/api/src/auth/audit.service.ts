import { Injectable } from '@nestjs/common';
import type { Actor, AuditEntry, AuditQuery } from '@warroom/contracts';
import { AuditRepository } from '../repositories/audit.repository';

/** The actor of what the api does by itself (creating the first admin). */
export const SYSTEM_ACTOR: Actor = { userId: 'system', login: 'system' };
/** The actor of a failed sign-in: nobody is signed in yet. */
export const ANONYMOUS_ACTOR: Actor = { userId: 'anonymous', login: 'anonymous' };

/**
 * Who changed what, when: every change is recorded after it is stored, in the append-only `audit_log`.
 * Other modules record their changes here too (import AuthModule, inject AuditService).
 */
@Injectable()
export class AuditService {
  constructor(private readonly audit: AuditRepository) {}

  /** `details` is stored as JSON: never put a password or a hash in it. */
  async record(actor: Actor, action: string, target: string, details: Record<string, unknown> = {}): Promise<void> {
    await this.audit.insert([{ at: new Date().toISOString(), actor, action, target, details }]);
  }

  list(query: AuditQuery): Promise<AuditEntry[]> {
    return this.audit.list(query);
  }
}
