import type { ApiConfig } from './api-config';

/** DI token of the parsed, validated configuration (see `parseApiConfig`). */
export const APP_CONFIG = Symbol('APP_CONFIG');
export type AppConfig = ApiConfig;
