import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { AgentDeskService } from './agent-desk.service';

/** Once a second: customers who waited past the limit are recorded as abandoned. */
const SWEEP_EVERY_MS = 1_000;

@Injectable()
export class QueueSweeper implements OnModuleInit, OnApplicationShutdown {
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly desk: AgentDeskService) {}

  onModuleInit(): void {
    this.timer = setInterval(() => this.desk.expire(), SWEEP_EVERY_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
