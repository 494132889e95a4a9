import { Controller, Get } from '@nestjs/common';
import type { BotHealth } from '@warroom/contracts';
import { BotHealthService } from './bot-health.service';

@Controller('health')
export class HealthController {
  constructor(private readonly health: BotHealthService) {}

  @Get()
  report(): BotHealth {
    return this.health.report();
  }
}
