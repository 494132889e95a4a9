import { Module, type FactoryProvider } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { SessionAuthGuard } from './session-auth.guard';
import { SessionTokens } from './session-token';

const sessionTokensProvider: FactoryProvider<SessionTokens> = {
  provide: SessionTokens,
  inject: [APP_CONFIG],
  useFactory: (config: AppConfig) => new SessionTokens(config.session.secret, config.session.ttlMinutes),
};

/**
 * Users and access. Import it into a module whose controllers use `@UseGuards(SessionAuthGuard)` with
 * `@Allow(...)` and `@CurrentActor()` (see decorators.ts, permissions.ts).
 */
@Module({
  providers: [sessionTokensProvider, SessionAuthGuard],
  exports: [SessionTokens, SessionAuthGuard],
})
export class AuthModule {}
