import { randomBytes } from 'node:crypto';
import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { AuditService, SYSTEM_ACTOR } from './audit.service';
import { FIRST_ADMIN_LOGIN, firstAdminBanner } from './first-admin';
import { hashPassword } from './passwords';
import { UserDirectory, userIdFor } from './user-directory';

/** Insert token of the first admin's row: the store drops a second insert carrying it. */
const FIRST_ADMIN_TOKEN = 'warroom-first-admin';

export type FirstAdminOutcome = 'exists' | 'created' | 'created-elsewhere' | 'login-taken';

/**
 * No default password: at start, when no admin exists, creates `admin` with a random one-time password,
 * prints it once and makes it replace the password before anything else.
 *
 * Several api processes may start at once on an empty store. Each writes the same user id (derived from
 * the login) with the same insert deduplication token, so the store keeps exactly one row; each then reads
 * the row back, and only the process whose hash was kept prints its password.
 */
@Injectable()
export class FirstAdminService implements OnApplicationBootstrap {
  private readonly logger = new Logger(FirstAdminService.name);

  constructor(
    private readonly directory: UserDirectory,
    private readonly audit: AuditService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.ensureFirstAdmin((line) => console.log(line));
  }

  async ensureFirstAdmin(print: (line: string) => void): Promise<FirstAdminOutcome> {
    if (await this.directory.anyAdmin()) return 'exists';
    const userId = userIdFor(FIRST_ADMIN_LOGIN);
    const holder = await this.directory.get(userId, { fresh: true });
    if (holder !== null) {
      this.logger.error(
        `No user has the admin role, and the login ${FIRST_ADMIN_LOGIN} belongs to a ${holder.role}: not creating a first admin`,
      );
      return 'login-taken';
    }
    const password = randomBytes(18).toString('base64url');
    const passwordHash = await hashPassword(password);
    await this.directory.save(
      {
        userId,
        login: FIRST_ADMIN_LOGIN,
        displayName: 'Administrator',
        role: 'admin',
        grade: null,
        disabled: false,
        passwordHash,
        mustChangePassword: true,
        updatedBy: SYSTEM_ACTOR.userId,
      },
      { deduplicationToken: FIRST_ADMIN_TOKEN },
    );
    const kept = await this.directory.get(userId, { fresh: true });
    if (kept?.passwordHash !== passwordHash) {
      this.logger.log('The first admin was created by another api process; its one-time password is in that one\'s output');
      return 'created-elsewhere';
    }
    // Printed before anything else can fail: a password never shown would lock everyone out.
    for (const line of firstAdminBanner(password)) print(line);
    await this.audit.record(SYSTEM_ACTOR, 'user.first_admin', userId, { login: FIRST_ADMIN_LOGIN });
    return 'created';
  }
}
