export * from './ledger';
export * from './pack-files';
