import { Injectable } from '@nestjs/common';
import type { OutreachDelivery } from '@warroom/contracts';
import type { OutreachChannel } from './outreach-channel';

/**
 * The rehearsal's simulated inbox. Every delivery is recorded on `outreach.contacts` by the outreach
 * service whatever the channel, and any bot lists those at `GET /api/outreach/inbox`, where the simulator
 * reads them with its service credential (whichever bot the balancer picks): there is nothing more to
 * carry. The app's message box, the production channel, is the adapter still to write.
 */
@Injectable()
export class InboxChannel implements OutreachChannel {
  deliver(_deliveries: readonly OutreachDelivery[]): Promise<void> {
    return Promise.resolve();
  }
}
