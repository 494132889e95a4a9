export * from './evaluate';
export * from './normalize';
export * from './matcher';
export * from './cluster';
