export { ClickHouseError, ClickHouseLogLevel, type ClickHouseClient, type ClickHouseSettings } from '@clickhouse/client';
export { createClickHouseClient, type ClickHouseClientOptions } from './client';
export { clickhouseConnectionEnvShape, clickhouseSecurityEnvShape, clickhouseSecurityProblems, clickhouseTlsFrom, type ClickHouseTls } from './env';
export {
  checksumOf,
  DEFAULT_MIGRATIONS_DIR,
  loadMigrations,
  MigrationError,
  planMigrations,
  renderMigration,
  runMigrations,
  verifyMigrations,
  type AppliedMigration,
  type MigrationFile,
  type MigrationPlan,
  type MigrationResult,
  type RunMigrationsOptions,
} from './migrations';
export { lineAndColumn, splitStatements, SqlLexError, tokenize, type SqlToken, type SqlTokenKind } from './sql-lexer';
export { assertClusterName, ClusterDdlError, renderForCluster } from './cluster-ddl';
export { checkClusterParity, compareClusterStatement, type ClusterParityReport, type ParityMismatch } from './cluster-parity';
