/**
 * Checks the cluster rendering of the migrations against the single-server DDL through ClickHouse's
 * own parser (`formatQuerySingleLine` on any server or the dev store; nothing is created): both
 * statements must parse, the cluster one must run `ON CLUSTER` with a replicated engine, and with those
 * two differences taken back it must format to exactly the single-server statement — same tables,
 * columns, types, codecs, keys, TTLs and settings.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { z } from 'zod';
import { ClusterDdlError, matchingParen } from './cluster-ddl';
import { DEFAULT_MIGRATIONS_DIR, loadMigrations, renderMigration } from './migrations';
import { tokenize, type SqlToken } from './sql-lexer';

export interface ParityMismatch {
  readonly file: string;
  readonly statement: number;
  readonly problem: string;
}

export interface ClusterParityReport {
  readonly statements: number;
  /** CREATE TABLE statements rendered with a replicated engine. */
  readonly clusterTables: number;
  readonly mismatches: readonly ParityMismatch[];
}

const formattedRow = z.object({ formatted: z.string() });

async function formatted(client: ClickHouseClient, sql: string): Promise<string> {
  const result = await client.query({ query: 'SELECT formatQuerySingleLine({sql:String}) AS formatted', query_params: { sql }, format: 'JSONEachRow' });
  const [row] = z.array(formattedRow).length(1).parse(await result.json());
  return (row as { formatted: string }).formatted;
}

function isWord(token: SqlToken | undefined, word: string): boolean {
  return token?.kind === 'word' && token.text.toUpperCase() === word.toUpperCase();
}

/**
 * Takes the cluster rendering back out of a formatted statement: `ON CLUSTER name`, the Replicated
 * engine's Keeper path and replica arguments, and the replicated dedup window's name. Returns null
 * when a part that must be there is not.
 */
export function withoutClusterRendering(sql: string, cluster: string): { sql: string; replicated: boolean } | null {
  const tokens = [...tokenize(sql)];
  const edits: { at: number; length: number; text: string }[] = [];
  const on = tokens.findIndex((token, i) => isWord(token, 'ON') && isWord(tokens[i + 1], 'CLUSTER'));
  const name = tokens[on + 2];
  if (on < 0 || name === undefined || name.text.replace(/^['`"]|['`"]$/g, '') !== cluster) return null;
  const before = tokens[on - 1] as SqlToken;
  edits.push({ at: before.end, length: name.end - before.end, text: '' });
  let replicated = false;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as SqlToken;
    if (isWord(token, 'replicated_deduplication_window')) {
      edits.push({ at: token.start, length: token.end - token.start, text: 'non_replicated_deduplication_window' });
    }
    if (!isWord(token, 'ENGINE')) continue;
    const engine = tokens[tokens[i + 1]?.text === '=' ? i + 2 : i + 1];
    const match = engine === undefined ? null : /^Replicated(\w*MergeTree)$/.exec(engine.text);
    if (engine === undefined || match === null) continue;
    const open = tokens[tokens.indexOf(engine) + 1];
    const path = tokens[tokens.indexOf(engine) + 2];
    const replica = tokens[tokens.indexOf(engine) + 4];
    if (open?.kind !== 'open_paren' || path?.kind !== 'string' || replica?.kind !== 'string') return null;
    let close: SqlToken;
    try {
      close = matchingParen(tokens, tokens.indexOf(open));
    } catch (error) {
      // Unbalanced: not a statement the cluster rendering could have written.
      if (error instanceof ClusterDdlError) return null;
      throw error;
    }
    const afterReplica = tokens[tokens.indexOf(replica) + 1];
    const args = afterReplica?.text === ',' ? sql.slice(afterReplica.end, close.start).trim() : '';
    edits.push({ at: engine.start, length: close.end - engine.start, text: args ? `${match[1]}(${args})` : `${match[1]}` });
    replicated = true;
  }
  edits.sort((a, b) => b.at - a.at);
  let rendered = sql;
  for (const edit of edits) rendered = rendered.slice(0, edit.at) + edit.text + rendered.slice(edit.at + edit.length);
  return { sql: rendered, replicated };
}

/** Compares one single-server statement with its cluster rendering through the server's parser. */
export async function compareClusterStatement(
  client: ClickHouseClient,
  single: string,
  clustered: string,
  cluster: string,
): Promise<{ problem: string | null; createsTable: boolean }> {
  const singleFormatted = await formatted(client, single);
  const clusterFormatted = await formatted(client, clustered);
  const createsTable = /^CREATE TABLE /i.test(singleFormatted);
  const taken = withoutClusterRendering(clusterFormatted, cluster);
  if (taken === null) return { problem: `not ON CLUSTER ${cluster} with a well-formed engine: ${clusterFormatted}`, createsTable };
  if (createsTable && !taken.replicated) return { problem: `no replicated engine: ${clusterFormatted}`, createsTable };
  // Formatting drops comments, so this finds the setting only.
  if (/\bnon_replicated_deduplication_window\b/.test(clusterFormatted)) {
    return { problem: `keeps the non-replicated deduplication window: ${clusterFormatted}`, createsTable };
  }
  if (taken.sql !== singleFormatted) {
    return { problem: `differs from the single-server statement:\n  single:  ${singleFormatted}\n  cluster: ${taken.sql}`, createsTable };
  }
  return { problem: null, createsTable };
}

/** Every statement of every migration in `dir`, single-server against cluster. */
export async function checkClusterParity(
  client: ClickHouseClient,
  options: { database: string; cluster: string; dir?: string },
): Promise<ClusterParityReport> {
  const mismatches: ParityMismatch[] = [];
  let statements = 0;
  let clusterTables = 0;
  for (const file of loadMigrations(options.dir ?? DEFAULT_MIGRATIONS_DIR)) {
    const single = renderMigration(file, options.database);
    const clustered = renderMigration(file, options.database, options.cluster);
    for (const [index, statement] of single.entries()) {
      statements++;
      const result = await compareClusterStatement(client, statement, clustered[index] as string, options.cluster);
      if (result.problem !== null) mismatches.push({ file: file.name, statement: index + 1, problem: result.problem });
      else if (result.createsTable) clusterTables++;
    }
  }
  return { statements, clusterTables, mismatches };
}
