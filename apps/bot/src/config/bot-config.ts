import type { BotConfig } from '@warroom/contracts';

/** DI token of the parsed, validated configuration (see `parseBotConfig`). */
export const BOT_CONFIG = Symbol('BOT_CONFIG');
export type { BotConfig };
