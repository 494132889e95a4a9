export * from './chat-event';
export * from './config';
export * from './dead-letter';
export * from './live';
