/**
 * One chdb Session on one data directory, run one statement at a time.
 *
 * chdb's connection is a single ClickHouse session: `SET` and `USE` stick to it, whereas over HTTP
 * every request starts from the server's defaults. So the engine keeps track of which settings
 * and which current database the session holds, and before each statement moves the session to
 * exactly what that request asked for: it sets the request's settings, puts every setting an
 * earlier request changed back to its start-up value, and switches the database. Requests
 * that ask for the same settings as the previous one cost nothing extra. A statement that is
 * itself a `SET` (or `USE`) is undone afterwards, as a server would forget it with the request.
 */
import { Session } from 'chdb';
import { Codes, fromEngineError, StoreError } from './errors';
import { quoteIdentifier, quoteString } from './literals';
import type { Plan } from './plan';

export interface Summary {
  readonly read_rows: string;
  readonly read_bytes: string;
  readonly written_rows: string;
  readonly written_bytes: string;
  readonly total_rows_to_read: string;
  readonly result_rows: string;
  readonly result_bytes: string;
  readonly elapsed_ns: string;
}

export interface EngineResult {
  readonly body: Uint8Array;
  readonly format: string;
  readonly summary: Summary;
}

export interface EngineRequest {
  readonly plan: Plan;
  /** Validated setting names with their values, exactly as sent in the URL. */
  readonly settings: ReadonlyMap<string, string>;
  readonly database: string;
}

const emptySummary = (elapsedSeconds: number): Summary => ({
  read_rows: '0',
  read_bytes: '0',
  written_rows: '0',
  written_bytes: '0',
  total_rows_to_read: '0',
  result_rows: '0',
  result_bytes: '0',
  elapsed_ns: String(Math.round(elapsedSeconds * 1e9)),
});

export class ChdbEngine {
  /** Settings that differ from the engine's defaults when the session opens (name -> value). */
  private readonly baseline: ReadonlyMap<string, string>;
  /** Settings a request put on the session that are still there (name -> value). */
  private applied = new Map<string, string>();
  /** Current database of the session; undefined when unknown (after a USE or a failure). */
  private currentDatabase: string | undefined = 'default';
  /** The settings state is unknown (a reset failed): resynchronise before the next statement. */
  private dirty = false;
  private tail: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly session: Session,
    /** ClickHouse version of the embedded engine, e.g. 26.7.2.1. */
    readonly version: string,
    /** The engine's time zone (the process's TZ). */
    readonly timezone: string,
    baseline: ReadonlyMap<string, string>,
  ) {
    this.baseline = baseline;
  }

  /** Opens the data directory (creating it if needed). Fails if another process holds it. */
  static async open(dataDir: string): Promise<ChdbEngine> {
    // Match a server's parsing: a bare expression is not a query.
    const session = new Session(dataDir, { connectionArgs: ['--implicit_select=0'] });
    try {
      const about = await session.queryAsync('SELECT version(), timezone()', { format: 'TabSeparated' });
      const [version = '', timezone = ''] = about.text().trim().split('\t');
      const baseline = await changedSettings(session);
      return new ChdbEngine(session, version, timezone, baseline);
    } catch (error) {
      session.close();
      throw error;
    }
  }

  run(request: EngineRequest): Promise<EngineResult> {
    if (this.closed) {
      const [code, type] = Codes.STD_EXCEPTION;
      return Promise.reject(new StoreError(code, type, 'The dev store is shutting down'));
    }
    return this.enqueue(() => this.execute(request));
  }

  /** Waits for queued statements, then closes the session. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.tail.catch(() => undefined);
    this.session.close();
  }

  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task);
    this.tail = result.catch(() => undefined);
    return result;
  }

  private async execute(request: EngineRequest): Promise<EngineResult> {
    try {
      if (this.dirty) {
        await this.resync();
        if (this.dirty) {
          const [code, type] = Codes.STD_EXCEPTION;
          throw new StoreError(code, type, 'The dev store could not reset the session settings; see its stderr');
        }
      }
      await this.prepare(request.database, request.settings);
      const { plan } = request;
      if (plan.kind === 'raw_insert') {
        const summary = await this.session.insert({
          table: plan.table,
          ...(plan.columns ? { columns: plan.columns } : {}),
          values: plan.body,
          format: plan.format,
        });
        return {
          body: new Uint8Array(0),
          format: plan.format,
          summary: {
            ...emptySummary(summary.elapsed),
            read_rows: String(summary.rowsSent ?? summary.rowsWritten),
            read_bytes: String(summary.bytesSent),
            written_rows: String(summary.rowsWritten),
            written_bytes: String(summary.bytesWritten),
          },
        };
      }
      try {
        const opts = { format: plan.requestedFormat };
        const result = plan.params
          ? await this.session.queryBindAsync(plan.sql, plan.params, opts)
          : await this.session.queryAsync(plan.sql, opts);
        const body = result.bytes();
        const writes = plan.statement === 'INSERT';
        return {
          body,
          format: plan.responseFormat,
          summary: {
            ...emptySummary(result.elapsed),
            read_rows: String(result.rowsRead),
            read_bytes: String(result.bytesRead),
            written_rows: writes ? String(result.rowsRead) : '0',
            written_bytes: writes ? String(result.bytesRead) : '0',
            result_rows: writes ? '0' : String(result.rowsRead),
            result_bytes: String(body.byteLength),
          },
        };
      } finally {
        // Over HTTP a SET or USE lasts for its own request only.
        if (plan.statement === 'SET') await this.resync();
        if (plan.statement === 'USE') this.currentDatabase = undefined;
      }
    } catch (error) {
      throw fromEngineError(error);
    }
  }

  /** Moves the session to the request's database and settings. */
  private async prepare(database: string, desired: ReadonlyMap<string, string>): Promise<void> {
    const statements: string[] = [];
    if (this.currentDatabase !== database) statements.push(`USE ${quoteIdentifier(database)}`);
    const assignments: string[] = [];
    for (const [name, value] of desired) {
      if (this.applied.get(name) !== value) assignments.push(`${name} = ${quoteString(value)}`);
    }
    for (const name of this.applied.keys()) {
      if (!desired.has(name)) assignments.push(this.restore(name));
    }
    if (assignments.length > 0) statements.push(`SET ${assignments.join(', ')}`);
    if (statements.length === 0) return;
    try {
      await this.session.queryAsync(statements.join('; '), { format: 'TabSeparated' });
    } catch (error) {
      // The USE may have failed (unknown database) or the SET (unknown setting, bad value): either
      // way the session's state is no longer known, so put everything back.
      this.currentDatabase = undefined;
      await this.resync();
      throw error;
    }
    this.currentDatabase = database;
    this.applied = new Map(desired);
  }

  private restore(name: string): string {
    const value = this.baseline.get(name);
    return value === undefined ? `${name} = DEFAULT` : `${name} = ${quoteString(value)}`;
  }

  /** Puts every setting back to its start-up value, reading what the session holds now. */
  private async resync(): Promise<void> {
    try {
      const now = await changedSettings(this.session);
      const assignments: string[] = [];
      for (const [name, value] of now) {
        if (this.baseline.get(name) !== value) assignments.push(this.restore(name));
      }
      for (const [name, value] of this.baseline) {
        if (!now.has(name)) assignments.push(`${name} = ${quoteString(value)}`);
      }
      if (assignments.length > 0) {
        await this.session.queryAsync(`SET ${assignments.join(', ')}`, { format: 'TabSeparated' });
      }
      this.applied = new Map();
      this.dirty = false;
    } catch (error) {
      this.dirty = true;
      process.stderr.write(`dev store: could not reset session settings: ${String(error)}\n`);
    }
  }
}

async function changedSettings(session: Session): Promise<Map<string, string>> {
  const result = await session.queryAsync('SELECT name, value FROM system.settings WHERE changed', {
    format: 'JSONCompactEachRow',
  });
  const settings = new Map<string, string>();
  for (const line of result.text().split('\n')) {
    if (line.trim() === '') continue;
    const row: unknown = JSON.parse(line);
    if (Array.isArray(row) && typeof row[0] === 'string' && typeof row[1] === 'string') settings.set(row[0], row[1]);
  }
  return settings;
}
