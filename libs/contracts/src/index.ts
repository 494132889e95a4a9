export * from './chat-event';
export * from './config';
export * from './dead-letter';
export * from './live';
export * from './bot';
export * from './kb-pack';
export * from './staffing';
export * from './sim';
