/**
 * Dev store: embedded ClickHouse (chdb) behind the subset of ClickHouse's HTTP interface that
 * @clickhouse/client uses, so apps reach it through CLICKHOUSE_URL exactly as they reach a server.
 *
 *   node -r @swc-node/register infra/dev/store/main.ts [--data-dir .data/store] [--port 8123]
 *        [--host 127.0.0.1] [--port-file PATH] [--timezone UTC] [--exit-on-stdin-eof]
 *
 * Prints one line to stdout when listening: {"event":"ready","url":"http://127.0.0.1:PORT"}.
 * Everything else goes to stderr. chdb locks its data directory, so one store per directory.
 * SIGTERM or SIGINT: stops accepting, finishes the requests in flight, closes chdb, exits 0.
 * To simulate an outage, SIGSTOP and SIGCONT it (see launch.ts).
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ChdbEngine } from './engine';
import { createStoreServer } from './http';

interface StoreArgs {
  readonly dataDir: string;
  readonly host: string;
  readonly port: number;
  readonly portFile: string | undefined;
  readonly timezone: string;
  readonly exitOnStdinEof: boolean;
}

const USAGE =
  'usage: main.ts [--data-dir .data/store] [--port 8123] [--host 127.0.0.1] [--port-file PATH] [--timezone UTC] [--exit-on-stdin-eof]';

export function parseStoreArgs(argv: readonly string[]): StoreArgs {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      'data-dir': { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      'port-file': { type: 'string' },
      timezone: { type: 'string' },
      'exit-on-stdin-eof': { type: 'boolean' },
    },
    strict: true,
    allowPositionals: false,
  });
  const dataDir = values['data-dir'] ?? '.data/store';
  if (dataDir === '') throw new Error('--data-dir must not be empty');
  const port = values.port === undefined ? 8123 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`--port must be a whole number from 0 to 65535, got ${values.port}`);
  }
  return {
    dataDir: resolve(dataDir),
    host: values.host ?? '127.0.0.1',
    port,
    portFile: values['port-file'],
    timezone: values.timezone ?? 'UTC',
    exitOnStdinEof: values['exit-on-stdin-eof'] ?? false,
  };
}

/** Write-then-rename, so a script polling the file never reads half a port. */
function writePortFile(path: string, port: number): void {
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${port}\n`);
  renameSync(temp, path);
}

/** Removes the file only if it still names this store's port. */
function removePortFile(path: string, port: number): void {
  try {
    if (readFileSync(path, 'utf8').trim() === String(port)) rmSync(path);
  } catch {
    // Already gone.
  }
}

async function main(): Promise<void> {
  let args: StoreArgs;
  try {
    args = parseStoreArgs(process.argv.slice(2));
  } catch (error) {
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  }
  // The engine takes its time zone from TZ when it starts; servers in production run in UTC.
  process.env.TZ = args.timezone;
  mkdirSync(args.dataDir, { recursive: true });
  const engine = await ChdbEngine.open(args.dataDir);
  // From the environment, not argv, which every user of the machine can read in `ps`.
  const password = process.env.DEV_STORE_PASSWORD || undefined;
  const store = createStoreServer({ engine, displayName: `warroom-dev-store@${hostname()}`, timezone: engine.timezone, password });

  await new Promise<void>((resolveListen, rejectListen) => {
    store.server.once('error', rejectListen);
    store.server.listen(args.port, args.host, () => {
      store.server.off('error', rejectListen);
      resolveListen();
    });
  }).catch(async (error: unknown) => {
    await engine.close();
    throw error;
  });
  const address = store.server.address();
  if (address === null || typeof address === 'string') throw new Error('dev store: no TCP address');
  const port = address.port;
  if (args.portFile) writePortFile(args.portFile, port);

  let stopping = false;
  const shutdown = (reason: string): void => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`dev store: stopping (${reason})\n`);
    const finish = async (): Promise<void> => {
      await store.shutdown();
      await engine.close();
      if (args.portFile) removePortFile(args.portFile, port);
    };
    finish().then(
      () => {
        process.stderr.write('dev store: stopped\n');
        process.exit(0);
      },
      (error: unknown) => {
        process.stderr.write(`dev store: unclean stop: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  if (args.exitOnStdinEof) {
    // The launcher keeps our stdin open; EOF means it died, even by SIGKILL, so we do not linger.
    process.stdin.on('end', () => shutdown('stdin closed'));
    process.stdin.resume();
  }

  const host = args.host.includes(':') ? `[${args.host}]` : args.host;
  process.stdout.write(`${JSON.stringify({ event: 'ready', url: `http://${host}:${port}` })}\n`);
  process.stderr.write(
    `dev store: ClickHouse ${engine.version} (chdb), time zone ${engine.timezone}, data ${args.dataDir}, ` +
      `listening on http://${host}:${port}\n`,
  );
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`dev store: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
