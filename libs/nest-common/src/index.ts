export * from './domain-errors';
export * from './error-body.filter';
export * from './zod-validation.pipe';
