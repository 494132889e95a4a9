/**
 * Starts the dev store (main.ts) as a child process and hands back its URL. A separate process,
 * not an in-process library call: chdb binds one data directory per process, and pause() can
 * freeze the store with SIGSTOP (an outage that loses no data) without freezing the caller.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { z } from 'zod';

export interface StartDevStoreOptions {
  /**
   * Data directory; default: a fresh temporary directory, removed by stop(), in memory (/dev/shm) where the
   * machine has it: every INSERT writes a part (a directory of files), which costs many times more on disk
   * than in memory, and that cost is what tests and benchmarks would otherwise measure.
   */
  dataDir?: string;
  /** Default 0: any free port. */
  port?: number;
  /** How long to wait for the ready line. Default 30 s: compiling main.ts on a cold CI box is slow. */
  readyTimeoutMs?: number;
  /** Receives the store's stderr lines after it is ready. Default: prefixed onto our stderr. */
  onLog?: (line: string) => void;
  /** The password of the user `default` (CLICKHOUSE_PASSWORD of its clients); default: none asked. */
  password?: string;
}

export interface DevStore {
  /** http://127.0.0.1:PORT, for CLICKHOUSE_URL. */
  readonly url: string;
  readonly pid: number;
  readonly dataDir: string;
  /** Freezes the store (SIGSTOP): clients see a server that stops answering, and no data is lost. */
  pause(): void;
  /** Unfreezes it (SIGCONT). */
  resume(): void;
  /** SIGTERM, then waits for a clean exit. Rejects if it exits non-zero or has to be killed. */
  stop(): Promise<void>;
  /** Settles when the process ends, however it ends (a supervisor watches it). */
  readonly exitStatus: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const REPO_ROOT = resolve(__dirname, '../../..');
const MAIN = resolve(__dirname, 'main.ts');
const STOP_TIMEOUT_MS = 15_000;
const STDERR_KEPT = 64;

const readyLine = z.object({ event: z.literal('ready'), url: z.string().regex(/^http:\/\/[^/]+:\d+$/) });

export function startDevStore(options: StartDevStoreOptions = {}): Promise<DevStore> {
  const ownsDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(ephemeralRoot(), 'warroom-store-'));
  const args = ['-r', '@swc-node/register', MAIN, '--data-dir', dataDir, '--port', String(options.port ?? 0)];
  args.push('--exit-on-stdin-eof');
  const readyTimeoutMs = options.readyTimeoutMs ?? 30_000;
  const onLog = options.onLog ?? ((line: string) => process.stderr.write(`[dev-store] ${line}\n`));

  // cwd = repo root so @swc-node/register finds tsconfig.json and its path aliases.
  // stdin stays an open pipe: main.ts exits when it closes, i.e. when this process dies.
  // Its own process group: a Ctrl-C in the terminal reaches only the parent, which stops its parts in order.
  const env = options.password === undefined ? process.env : { ...process.env, DEV_STORE_PASSWORD: options.password };
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });

  const stderrTail: string[] = [];
  let ready = false;
  let paused = false;
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const removeDataDir = (): void => {
    if (ownsDataDir) rmSync(dataDir, { recursive: true, force: true });
  };
  const exited = new Promise<void>((resolveExit) => {
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      process.removeListener('exit', killOnParentExit);
      resolveExit();
    });
  });
  // Last resort for a parent that exits without stop(): a paused store would never see stdin EOF.
  const killOnParentExit = (): void => {
    child.kill('SIGKILL');
    removeDataDir();
  };
  process.once('exit', killOnParentExit);

  createInterface({ input: child.stderr }).on('line', (line) => {
    stderrTail.push(line);
    if (stderrTail.length > STDERR_KEPT) stderrTail.shift();
    if (ready) onLog(line);
  });
  // A function, not a property read: `exit` is set from the child's exit event.
  const exitCode = (): number | null | undefined => exit?.code;
  const describeExit = (): string =>
    exit ? `exit code ${exit.code ?? 'none'}${exit.signal ? `, signal ${exit.signal}` : ''}` : 'still running';
  const withStderr = (message: string): string =>
    `${message}\n--- dev store stderr (last ${STDERR_KEPT} lines) ---\n${stderrTail.join('\n') || '(empty)'}`;

  const signal = (name: NodeJS.Signals): void => {
    if (exit) throw new Error(`dev store ${child.pid ?? '?'} is not running (${describeExit()})`);
    child.kill(name);
  };

  const store = (url: string, pid: number): DevStore => ({
    url,
    pid,
    dataDir,
    exitStatus: exited.then(() => ({ code: exit?.code ?? null, signal: exit?.signal ?? null })),
    pause(): void {
      signal('SIGSTOP');
      paused = true;
    },
    resume(): void {
      signal('SIGCONT');
      paused = false;
    },
    async stop(): Promise<void> {
      if (exit) {
        removeDataDir();
        return;
      }
      child.kill('SIGTERM');
      // A stopped process keeps SIGTERM pending until it is continued.
      if (paused) child.kill('SIGCONT');
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        exited.then(() => false),
        new Promise<boolean>((resolveTimeout) => {
          timer = setTimeout(() => resolveTimeout(true), STOP_TIMEOUT_MS);
        }),
      ]);
      clearTimeout(timer);
      if (timedOut) {
        child.kill('SIGKILL');
        await exited;
        removeDataDir();
        throw new Error(withStderr(`dev store ${pid} ignored SIGTERM for ${STOP_TIMEOUT_MS} ms and was killed`));
      }
      removeDataDir();
      if (exitCode() !== 0) throw new Error(withStderr(`dev store ${pid} stopped uncleanly (${describeExit()})`));
    },
  });

  return new Promise<DevStore>((resolveStart, rejectStart) => {
    let failed = false;
    const fail = (message: string): void => {
      if (failed) return;
      failed = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      // Give the stderr reader a moment to drain, so the error shows the store's own explanation.
      void exited.then(() =>
        setTimeout(() => {
          removeDataDir();
          rejectStart(new Error(withStderr(message)));
        }, 20),
      );
    };
    const timer = setTimeout(
      () => fail(`dev store did not report ready within ${readyTimeoutMs} ms (${MAIN}, data ${dataDir})`),
      readyTimeoutMs,
    );
    child.once('error', (error) => fail(`cannot spawn the dev store: ${error.message}`));
    void exited.then(() => {
      if (!ready) fail(`dev store exited before it was ready (${describeExit()})`);
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (ready) return onLog(line);
      const parsed = readyLine.safeParse(safeJson(line));
      if (!parsed.success) return onLog(line);
      ready = true;
      clearTimeout(timer);
      if (child.pid === undefined) return fail('dev store has no pid');
      resolveStart(store(parsed.data.url, child.pid));
    });
  });
}

function safeJson(line: string): unknown {
  try {
    return JSON.parse(line) as unknown;
  } catch {
    return undefined;
  }
}

/** Where a throw-away data directory goes: /dev/shm (memory) when it exists and is writable, else tmpdir(). */
function ephemeralRoot(): string {
  try {
    accessSync('/dev/shm', constants.W_OK);
    return '/dev/shm';
  } catch {
    return tmpdir();
  }
}
