import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { CampaignsController } from './campaigns.controller';
import { CampaignsService } from './campaigns.service';

// AuthModule: the wall's reads are kiosk-token guarded (KioskTokenGuard needs KioskTokensService).
@Module({ imports: [AuthModule], controllers: [CampaignsController], providers: [CampaignsService], exports: [CampaignsService] })
export class CampaignsModule {}
