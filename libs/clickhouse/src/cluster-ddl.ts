/**
 * The cluster rendering of a single-server migration statement: one source of DDL, two targets,
 * as langfuse keeps its clustered and unclustered migration sets, but derived instead of copied so
 * the two can never drift.
 *
 * What changes for a cluster (and nothing else):
 * - every CREATE TABLE, CREATE MATERIALIZED VIEW and ALTER TABLE runs `ON CLUSTER '<cluster>'`;
 * - a MergeTree-family engine becomes its Replicated twin, with the table's path in Keeper
 *   (`/clickhouse/tables/{shard}/<database>/<table>`) and `{replica}`, both macros of each server,
 *   followed by the engine's own arguments (the version column of a ReplacingMergeTree, …);
 * - `non_replicated_deduplication_window` becomes `replicated_deduplication_window`, so a batch retried
 *   with its deduplication token is still stored once, whichever replica takes the retry.
 *
 * No Distributed tables: the deployment described in docs/operations.md is one shard with replicas,
 * and ingest writes to the local replicated tables (never through an asynchronous Distributed
 * table), so each partition's batches keep their deduplication token end to end.
 *
 * A statement of any other shape is refused with its first words, so a new kind of migration
 * statement gets a cluster rule before it can reach a cluster.
 */
import { tokenize, type SqlToken } from './sql-lexer';

const CLUSTER_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const MERGE_TREE_ENGINES = new Set([
  'MergeTree',
  'ReplacingMergeTree',
  'SummingMergeTree',
  'AggregatingMergeTree',
  'CollapsingMergeTree',
  'VersionedCollapsingMergeTree',
]);

export class ClusterDdlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClusterDdlError';
  }
}

export function assertClusterName(cluster: string): void {
  if (!CLUSTER_NAME.test(cluster)) {
    throw new ClusterDdlError(`ClickHouse cluster name ${JSON.stringify(cluster)} must match ${String(CLUSTER_NAME)}`);
  }
}

interface Edit {
  readonly at: number;
  /** Characters replaced from `at` on (0: an insertion). */
  readonly length: number;
  readonly text: string;
}

function isWord(token: SqlToken | undefined, word: string): boolean {
  return token?.kind === 'word' && token.text.toUpperCase() === word.toUpperCase();
}

/** The end of a `db.name` (or `name`) that starts at `tokens[i]`, and the table's bare name. */
function qualifiedName(tokens: readonly SqlToken[], i: number): { next: number; table: string; end: number } {
  const first = tokens[i];
  if (first === undefined || (first.kind !== 'word' && first.kind !== 'quoted_identifier')) {
    throw new ClusterDdlError(`expected a table name at offset ${first?.start ?? -1}`);
  }
  if (tokens[i + 1]?.text === '.' && tokens[i + 2] !== undefined) {
    const second = tokens[i + 2] as SqlToken;
    return { next: i + 3, table: second.text, end: second.end };
  }
  return { next: i + 1, table: first.text, end: first.end };
}

/** Where the object's name ends in `CREATE TABLE|MATERIALIZED VIEW [IF NOT EXISTS] name` or `ALTER TABLE name`. */
function objectName(tokens: readonly SqlToken[]): { kind: 'table' | 'view' | 'alter'; next: number; table: string; end: number } {
  let i = 0;
  let kind: 'table' | 'view' | 'alter';
  if (isWord(tokens[0], 'CREATE') && isWord(tokens[1], 'TABLE')) {
    kind = 'table';
    i = 2;
  } else if (isWord(tokens[0], 'CREATE') && isWord(tokens[1], 'MATERIALIZED') && isWord(tokens[2], 'VIEW')) {
    kind = 'view';
    i = 3;
  } else if (isWord(tokens[0], 'ALTER') && isWord(tokens[1], 'TABLE')) {
    kind = 'alter';
    i = 2;
  } else {
    const words = tokens.slice(0, 3).map((token) => token.text).join(' ');
    throw new ClusterDdlError(`no cluster rendering for a statement that starts "${words}"`);
  }
  if (isWord(tokens[i], 'IF') && isWord(tokens[i + 1], 'NOT') && isWord(tokens[i + 2], 'EXISTS')) i += 3;
  return { kind, ...qualifiedName(tokens, i) };
}

/** The engine clause of a CREATE TABLE: `ENGINE = Name[(args)]` at top level. */
function engineEdit(statement: string, tokens: readonly SqlToken[], from: number, database: string, table: string): Edit {
  let depth = 0;
  for (let i = from; i < tokens.length; i++) {
    const token = tokens[i] as SqlToken;
    if (token.kind === 'open_paren') depth++;
    else if (token.kind === 'close_paren') depth--;
    else if (depth === 0 && isWord(token, 'ENGINE')) {
      const name = tokens[tokens[i + 1]?.text === '=' ? i + 2 : i + 1];
      if (name === undefined || !MERGE_TREE_ENGINES.has(name.text)) {
        throw new ClusterDdlError(`table ${table}: engine ${name?.text ?? '(none)'} has no replicated twin here`);
      }
      const keeperPath = `'/clickhouse/tables/{shard}/${database}/${unquote(table)}'`;
      const open = tokens[tokens.indexOf(name) + 1];
      if (open?.kind === 'open_paren') {
        const close = matchingParen(tokens, tokens.indexOf(open));
        const args = statement.slice(open.end, close.start).trim();
        const text = `Replicated${name.text}(${keeperPath}, '{replica}'${args ? `, ${args}` : ''})`;
        return { at: name.start, length: close.end - name.start, text };
      }
      return { at: name.start, length: name.end - name.start, text: `Replicated${name.text}(${keeperPath}, '{replica}')` };
    }
  }
  throw new ClusterDdlError(`table ${table}: no ENGINE clause`);
}

/** The close paren that matches the open paren at `tokens[openIndex]`. */
export function matchingParen(tokens: readonly SqlToken[], openIndex: number): SqlToken {
  let depth = 0;
  for (let i = openIndex; i < tokens.length; i++) {
    const token = tokens[i] as SqlToken;
    if (token.kind === 'open_paren') depth++;
    else if (token.kind === 'close_paren' && --depth === 0) return token;
  }
  throw new ClusterDdlError(`unbalanced parentheses at offset ${tokens[openIndex]?.start ?? -1}`);
}

function unquote(name: string): string {
  return /^[`"]/.test(name) ? name.slice(1, -1) : name;
}

/** One single-server statement (database already substituted) rendered for `cluster`. */
export function renderForCluster(statement: string, options: { cluster: string; database: string }): string {
  assertClusterName(options.cluster);
  const tokens = [...tokenize(statement)];
  const name = objectName(tokens);
  const edits: Edit[] = [{ at: name.end, length: 0, text: ` ON CLUSTER '${options.cluster}'` }];
  if (name.kind === 'table') edits.push(engineEdit(statement, tokens, name.next, options.database, name.table));
  for (const token of tokens) {
    if (isWord(token, 'non_replicated_deduplication_window')) {
      edits.push({ at: token.start, length: token.end - token.start, text: 'replicated_deduplication_window' });
    }
  }
  edits.sort((a, b) => b.at - a.at);
  let rendered = statement;
  for (const edit of edits) rendered = rendered.slice(0, edit.at) + edit.text + rendered.slice(edit.at + edit.length);
  return rendered;
}
