export * from './ledger';
export * from './pack-files';
export * from './patch-rights';
export * from './record-gate';
export * from './signing';
