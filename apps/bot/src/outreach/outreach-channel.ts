import type { OutreachDelivery } from '@warroom/contracts';

/**
 * How an outreach reaches a customer whose chat has ended: the app's message box in production (its
 * adapter is not built yet), in rehearsals the simulated inbox (`InboxChannel`). Called once a touch was
 * granted, with the deliveries of one sweep.
 */
export interface OutreachChannel {
  deliver(deliveries: readonly OutreachDelivery[]): Promise<void>;
}

export const OUTREACH_CHANNEL = Symbol('OUTREACH_CHANNEL');
