import { Module, type FactoryProvider } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { AuditRepository } from '../repositories/audit.repository';
import { UsersRepository } from '../repositories/users.repository';
import { AuditController } from './audit.controller';
import { AuditService } from './audit.service';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { FirstAdminService } from './first-admin.service';
import { SessionAuthGuard } from './session-auth.guard';
import { SessionAuthenticator } from './session-authenticator';
import { SessionTokens } from './session-token';
import { UserDirectory } from './user-directory';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';

const sessionTokensProvider: FactoryProvider<SessionTokens> = {
  provide: SessionTokens,
  inject: [APP_CONFIG],
  useFactory: (config: AppConfig) => new SessionTokens(config.session.secret, config.session.ttlMinutes),
};

/**
 * Users and access (api role). Import it into a module whose controllers use
 * `@UseGuards(SessionAuthGuard)` with `@Allow(...)` and `@CurrentActor()` (decorators.ts; grades with
 * libs/contracts permissions.ts), or that records changes with `AuditService`. The WebSocket gateway
 * authenticates session tokens with `SessionAuthenticator`.
 */
@Module({
  controllers: [AuthController, UsersController, AuditController],
  providers: [
    sessionTokensProvider,
    UsersRepository,
    AuditRepository,
    UserDirectory,
    SessionAuthenticator,
    SessionAuthGuard,
    AuditService,
    AuthService,
    UsersService,
    FirstAdminService,
  ],
  exports: [SessionTokens, UserDirectory, SessionAuthenticator, SessionAuthGuard, AuditService],
})
export class AuthModule {}
