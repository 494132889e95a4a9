import { Module, type FactoryProvider } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { AuditRepository } from '../repositories/audit.repository';
import { KioskTokensRepository } from '../repositories/kiosk-tokens.repository';
import { SignInLogRepository } from '../repositories/sign-in-log.repository';
import { UsersRepository } from '../repositories/users.repository';
import { AuditController } from './audit.controller';
import { AuditService } from './audit.service';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { FirstAdminService } from './first-admin.service';
import { KioskTokenGuard } from '../common/kiosk-token.guard';
import { KioskTokensController } from './kiosk-tokens.controller';
import { KioskTokensService } from './kiosk-tokens.service';
import { SessionAuthGuard } from './session-auth.guard';
import { SessionAuthenticator } from './session-authenticator';
import { SessionTokens } from './session-token';
import { SignInThrottleService } from './sign-in-throttle.service';
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
 * authenticates session tokens with `SessionAuthenticator`, kiosk tokens with `KioskTokensService` (REST
 * routes of wall screens with `KioskTokenGuard`).
 */
@Module({
  controllers: [AuthController, UsersController, AuditController, KioskTokensController],
  providers: [
    sessionTokensProvider,
    UsersRepository,
    AuditRepository,
    UserDirectory,
    SessionAuthenticator,
    SessionAuthGuard,
    AuditService,
    SignInLogRepository,
    SignInThrottleService,
    AuthService,
    UsersService,
    FirstAdminService,
    KioskTokensRepository,
    KioskTokensService,
    KioskTokenGuard,
  ],
  exports: [SessionTokens, UserDirectory, SessionAuthenticator, SessionAuthGuard, AuditService, KioskTokensService, KioskTokenGuard],
})
export class AuthModule {}
