import { Inject, Injectable } from '@nestjs/common';
import type { OutreachDelivery } from '@warroom/contracts';
import type { OutreachChannel } from './outreach-channel';
import { OUTREACH_LOG, type OutreachLog } from '../repositories/outreach-log';

/**
 * The rehearsal's inbox: a delivery is appended to `outreach.contacts`, so every bot's ledger holds it and
 * any bot serves it at `GET /api/outreach/inbox` (the simulator reads it there with its service
 * credential, whichever bot the balancer picks) and accepts the customer's reply to it.
 */
@Injectable()
export class InboxChannel implements OutreachChannel {
  constructor(@Inject(OUTREACH_LOG) private readonly log: OutreachLog) {}

  deliver(deliveries: readonly OutreachDelivery[]): Promise<void> {
    return this.log.append(deliveries.map((delivery) => ({ type: 'delivery' as const, delivery })));
  }
}
