/**
 * `npm start`'s launcher (scripts/dev-stack.ts) as a process of the chaos run, for scenario 5's second half:
 * its parts are found among its descendants in /proc (by entry point and role), so they can be killed as
 * a crash would kill them, and found again once the launcher restarted them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';

const REPO_ROOT = resolve(__dirname, '../..');
const STOP_TIMEOUT_MS = 60_000;
const LINES_KEPT = 80;

export type LauncherPart = 'ingest' | 'api' | 'bot';

export interface RunningLauncher {
  brokers: string;
  storeUrl: string;
  pid: number;
  /** The part's process id now, or null while it is down. */
  pidOf(part: LauncherPart): number | null;
  /**
   * The store's password, as the launcher gave it to ingest (CLICKHOUSE_PASSWORD: npm start's store has one
   * of its own); empty when it has none.
   */
  storePassword(): string;
  /** The health URL of the part's process `pid` (from the PORT the launcher gave it), or null if it has none. */
  healthUrlOf(part: LauncherPart, pid: number): string | null;
  /** Set once the launcher itself has exited (it should not, while its parts die and come back). */
  exitedWith(): string | null;
  /** The launcher's last output lines (its parts' and its own), for a failed scenario's report. */
  lastLines(): string;
  stop(): Promise<void>;
}

export async function startLauncher(options: { log: (line: string) => void; appLogs: boolean; readyTimeoutMs: number }): Promise<RunningLauncher> {
  // PORT 0: the launcher picks a free port for the api instead of 3000, which a developer's own npm start may hold.
  const child = spawn(process.execPath, ['-r', '@swc-node/register', 'scripts/dev-stack.ts'], {
    cwd: REPO_ROOT,
    env: { ...process.env, PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let exit: string | null = null;
  // Read through a function: TypeScript cannot see the 'exit' handler assign it across awaits.
  const exitText = (): string | null => exit;
  const exited = new Promise<void>((done) =>
    child.once('exit', (code, signal) => {
      exit = signal ? `signal ${signal}` : `code ${code ?? 'none'}`;
      done();
    }),
  );
  const killOnParentExit = (): void => void child.kill('SIGKILL');
  process.once('exit', killOnParentExit);
  void exited.then(() => process.removeListener('exit', killOnParentExit));

  const tail: string[] = [];
  // Filled in by the line handler (an object: TypeScript cannot see a closure assign plain variables).
  const found: { brokers: string | null; storeUrl: string | null } = { brokers: null, storeUrl: null };
  const ready = new Promise<void>((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`npm start's launcher was not running within ${options.readyTimeoutMs} ms:\n${tail.join('\n')}`)), options.readyTimeoutMs);
    const onLine = (line: string): void => {
      tail.push(line);
      if (tail.length > LINES_KEPT) tail.shift();
      if (options.appLogs) process.stderr.write(`[launcher] ${line}\n`);
      found.brokers ??= /dev broker \(Kafka protocol\) at (\S+)/.exec(line)?.[1] ?? null;
      found.storeUrl ??= /dev store \(ClickHouse HTTP\) at (\S+)/.exec(line)?.[1] ?? null;
      if (line.includes('warroom is running')) {
        clearTimeout(timer);
        done();
      }
    };
    if (child.stdout) createInterface({ input: child.stdout }).on('line', onLine);
    if (child.stderr) createInterface({ input: child.stderr }).on('line', onLine);
    void exited.then(() => {
      clearTimeout(timer);
      fail(new Error(`npm start's launcher exited (${exitText() ?? '?'}) before it was running:\n${tail.join('\n')}`));
    });
  });
  try {
    await ready;
  } catch (error) {
    await stopLauncher(child, exited);
    throw error;
  }
  const { brokers, storeUrl } = found;
  if (brokers === null || storeUrl === null || child.pid === undefined) {
    await stopLauncher(child, exited);
    throw new Error(`the launcher did not say where its broker and store are:\n${tail.join('\n')}`);
  }
  const pid = child.pid;
  options.log(`launcher ${pid} running: broker ${brokers}, store ${storeUrl}`);
  return {
    brokers,
    storeUrl,
    pid,
    pidOf: (part) => findPart(pid, part),
    storePassword: () => {
      const ingest = findPart(pid, 'ingest');
      if (ingest === null) throw new Error('no ingest process under the launcher to learn the store password from');
      return environOf(ingest, 'CLICKHOUSE_PASSWORD') ?? '';
    },
    healthUrlOf: (part, partPid) => {
      const port = environOf(partPid, 'PORT');
      if (port === null || !/^[1-9]\d*$/.test(port)) return null;
      return `http://127.0.0.1:${port}${part === 'ingest' ? '/health/ingest' : '/health'}`;
    },
    exitedWith: exitText,
    lastLines: () => tail.join('\n'),
    stop: () => stopLauncher(child, exited),
  };
}

async function stopLauncher(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

/** The live process of `part` among the launcher's descendants, by its entry point (and role for the api's two). */
function findPart(launcherPid: number, part: LauncherPart): number | null {
  const entry = part === 'bot' ? 'apps/bot/src/main.ts' : 'apps/api/src/main.ts';
  for (const pid of descendantsOf(launcherPid)) {
    const cmdline = readProc(pid, 'cmdline');
    if (cmdline === null || !cmdline.includes(entry)) continue;
    if (part === 'bot') return pid;
    if (environOf(pid, 'WARROOM_ROLES') === part) return pid;
  }
  return null;
}

function descendantsOf(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readProc(Number(name), 'stat');
    // Field 4 of /proc/PID/stat, after the command name in parentheses (which may itself hold spaces).
    const parent = stat === null ? NaN : Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (Number.isNaN(parent)) continue;
    children.set(parent, [...(children.get(parent) ?? []), Number(name)]);
  }
  const found: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()!) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

/** One variable of a process's environment as it was started, or null when it has none (or is gone). */
function environOf(pid: number, name: string): string | null {
  const entry = (readProc(pid, 'environ') ?? '').split('\0').find((line) => line.startsWith(`${name}=`));
  return entry === undefined ? null : entry.slice(name.length + 1);
}

/** A /proc file of a process, or null when the process is gone (it may exit while we look). */
function readProc(pid: number, file: string): string | null {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ESRCH') return null;
    throw error;
  }
}
