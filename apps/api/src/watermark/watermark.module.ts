import { Module } from '@nestjs/common';
import { Clock } from '../common/clock';
import { StatusModule } from '../status/status.module';
import { WatermarkObserver } from './watermark-observer';

/** The api's one `WatermarkObserver` (`api` role), for the live metrics and the staffing reports. */
@Module({ imports: [StatusModule], providers: [WatermarkObserver, Clock], exports: [WatermarkObserver] })
export class WatermarkModule {}
