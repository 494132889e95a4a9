import type { Channel, EventSource } from '@warroom/contracts';

export const CHAT_SETTINGS = Symbol('CHAT_SETTINGS');

/** What every event the bot records carries, from its configuration. */
export interface ChatSettings {
  campaignId: string;
  /** Defaults for requests that do not name them. */
  source: EventSource;
  channel: Channel;
  angryHandoffIntensity: number;
}
