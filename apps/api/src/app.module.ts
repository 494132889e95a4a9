import { Global, Module, type DynamicModule } from '@nestjs/common';
import { ERROR_BODY_FILTER } from '@warroom/nest-common';
import { AgentDeskModule } from './agent-desk/agent-desk.module';
import { BriefingModule } from './briefing/briefing.module';
import { CampaignsModule } from './campaigns/campaigns.module';
import { EventLoopMonitor } from './common/event-loop-monitor';
import { AuthModule } from './auth/auth.module';
import { APP_CONFIG, type AppConfig } from './config/app-config';
import { IngestModule } from './ingest/ingest.module';
import { KbModule } from './kb/kb.module';
import { LiveModule } from './live/live.module';
import { OutreachModule } from './outreach/outreach.module';
import { ReplayModule } from './replay/replay.module';
import { RepositoriesModule } from './repositories/repositories.module';
import { StaffingModule } from './staffing/staffing.module';

@Global()
@Module({})
export class AppModule {
  /** One process runs the roles its configuration names: `ingest`, `api`, or both. */
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        RepositoriesModule,
        ...(config.roles.has('ingest') ? [IngestModule] : []),
        ...(config.roles.has('api') ? [AuthModule, CampaignsModule, LiveModule] : []),
        ...(config.roles.has('api') ? [ReplayModule] : []),
        ...(config.roles.has('api') ? [StaffingModule, KbModule, AgentDeskModule, BriefingModule, OutreachModule] : []),
      ],
      providers: [{ provide: APP_CONFIG, useValue: config }, EventLoopMonitor, ERROR_BODY_FILTER],
      exports: [APP_CONFIG],
    };
  }
}
