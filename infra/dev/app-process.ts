/**
 * Runs one of our apps (apps/api, apps/sim…) as a child process, as production does, and waits for the
 * JSON ready line it prints. Used by `npm start` and by the tests that need a real process (crash tests
 * kill it with SIGKILL).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';

const REPO_ROOT = resolve(__dirname, '../..');
const STOP_TIMEOUT_MS = 15_000;

export interface AppProcessOptions {
  /** Shown in log prefixes and errors. */
  name: string;
  /** TypeScript entry point, relative to the repository root. */
  entry: string;
  env: Record<string, string>;
  readyTimeoutMs?: number;
  /** Receives every output line. Default: prefixed onto our stderr. */
  onLog?: (line: string) => void;
}

export interface AppProcess {
  readonly pid: number;
  /** The `url` of the ready line, if the app printed one. */
  readonly url: string | null;
  /** SIGTERM and wait for a graceful exit (SIGKILL after 15 s). */
  stop(): Promise<void>;
  /** SIGKILL: a crash, with no chance to clean up. */
  kill(): Promise<void>;
  readonly exited: Promise<number | null>;
  /** The same exit with its signal: a SIGKILL shows as code null, signal SIGKILL (what a supervisor logs). */
  readonly exitStatus: Promise<ProcessExit>;
}

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** "code 1", "signal SIGKILL": how an exit reads in a log line. */
export function describeExit(exit: ProcessExit): string {
  return exit.signal ? `signal ${exit.signal}` : `code ${exit.code ?? 'none'}`;
}

export function startAppProcess(options: AppProcessOptions): Promise<AppProcess> {
  const onLog = options.onLog ?? ((line: string) => process.stderr.write(`[${options.name}] ${line}\n`));
  const child: ChildProcess = spawn(process.execPath, ['-r', '@swc-node/register', options.entry], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: a Ctrl-C in the terminal reaches only the parent, which stops its parts in
    // order (the simulator first, the broker and the store last) instead of all at once.
    detached: true,
  });
  const exitStatus = new Promise<ProcessExit>((done) => child.once('exit', (code, signal) => done({ code, signal })));
  const exited = exitStatus.then((exit) => exit.code);
  const killOnParentExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnParentExit);
  void exited.then(() => process.removeListener('exit', killOnParentExit));

  return new Promise<AppProcess>((resolveReady, rejectReady) => {
    const tail: string[] = [];
    let settled = false;
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      child.kill('SIGKILL');
      rejectReady(new Error(`${options.name} did not get ready in time. Last output:\n${tail.join('\n')}`));
    }, options.readyTimeoutMs ?? 60_000);

    const handle = (line: string): void => {
      tail.push(line);
      if (tail.length > 40) tail.shift();
      onLog(line);
      if (settled || !line.startsWith('{')) return;
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        return;
      }
      if (typeof parsed !== 'object' || parsed === null || (parsed as { event?: unknown }).event !== 'ready') return;
      settled = true;
      clearTimeout(timer);
      const url = (parsed as { url?: unknown }).url;
      resolveReady(handleOf(child, exited, exitStatus, typeof url === 'string' ? url : null));
    };
    if (child.stdout) createInterface({ input: child.stdout }).on('line', handle);
    if (child.stderr) createInterface({ input: child.stderr }).on('line', handle);
    void exited.then((code) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      rejectReady(new Error(`${options.name} exited with code ${code} before it was ready:\n${tail.join('\n')}`));
    });
  });
}

function handleOf(child: ChildProcess, exited: Promise<number | null>, exitStatus: Promise<ProcessExit>, url: string | null): AppProcess {
  const pid = child.pid ?? -1;
  return {
    pid,
    url,
    exited,
    exitStatus,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timeout = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timeout);
    },
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}
