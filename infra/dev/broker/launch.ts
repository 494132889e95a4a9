/**
 * Starts the dev broker (main.ts) as a child process and hands back its address. A separate
 * process, not an in-process library call, so that pause() can freeze the broker with SIGSTOP
 * (an outage that loses no data) without freezing the test or app that uses it.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import type { TopicSpec } from '@warroom/kafka';

export interface StartDevBrokerOptions {
  /** Topics besides TOPICS, created at start (the broker cannot create topics later). */
  extraTopics?: readonly TopicSpec[];
  /** Topics of TOPICS not to create (a test of the apps' start-up topic check). */
  withoutTopics?: readonly string[];
  /** Also write the bootstrap string to this file (for scripts in other languages). */
  bootstrapFile?: string;
  brokerCount?: number;
  /** How long to wait for the ready line. Default 20 s: compiling main.ts on a cold CI box is slow. */
  readyTimeoutMs?: number;
  /** Receives the broker's stderr lines after it is ready. Default: prefixed onto our stderr. */
  onLog?: (line: string) => void;
}

export interface DevBroker {
  /** Bootstrap string for kafkajs / KAFKA_BROKERS, e.g. "127.0.0.1:40123". */
  readonly brokers: string;
  readonly pid: number;
  /** Freezes the broker (SIGSTOP): clients see a broker that stops answering, and no data is lost. */
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
const STOP_TIMEOUT_MS = 10_000;
const STDERR_KEPT = 64;

const readyLine = z.object({ event: z.literal('ready'), brokers: z.string().regex(/^\S+:\d+(,\S+:\d+)*$/) });

export function startDevBroker(options: StartDevBrokerOptions = {}): Promise<DevBroker> {
  const args = ['-r', '@swc-node/register', MAIN, '--exit-on-stdin-eof'];
  for (const topic of options.extraTopics ?? []) args.push('--topic', `${topic.name}:${topic.partitions}`);
  for (const name of options.withoutTopics ?? []) args.push('--without-topic', name);
  if (options.bootstrapFile !== undefined) args.push('--bootstrap-file', options.bootstrapFile);
  if (options.brokerCount !== undefined) args.push('--broker-count', String(options.brokerCount));
  const readyTimeoutMs = options.readyTimeoutMs ?? 20_000;
  const onLog = options.onLog ?? ((line: string) => process.stderr.write(`[dev-broker] ${line}\n`));

  // cwd = repo root so @swc-node/register finds tsconfig.json and its path aliases.
  // stdin stays an open pipe: main.ts exits when it closes, i.e. when this process dies.
  // Its own process group: a Ctrl-C in the terminal reaches only the parent, which stops its parts in order.
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'pipe'], detached: true });

  const stderrTail: string[] = [];
  let ready = false;
  let paused = false;
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  // Read through a function: TypeScript cannot see the 'exit' handler assign it across awaits.
  const exitCode = (): number | null | undefined => exit?.code;
  const exited = new Promise<void>((resolveExit) => {
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      process.removeListener('exit', killOnParentExit);
      resolveExit();
    });
  });
  // Last resort for a parent that exits without stop(): a paused broker would never see stdin EOF.
  const killOnParentExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnParentExit);

  createInterface({ input: child.stderr }).on('line', (line) => {
    stderrTail.push(line);
    if (stderrTail.length > STDERR_KEPT) stderrTail.shift();
    if (ready) onLog(line);
  });
  const describeExit = (): string =>
    exit ? `exit code ${exit.code ?? 'none'}${exit.signal ? `, signal ${exit.signal}` : ''}` : 'still running';
  const withStderr = (message: string): string =>
    `${message}\n--- dev broker stderr (last ${STDERR_KEPT} lines) ---\n${stderrTail.join('\n') || '(empty)'}`;

  const signal = (name: NodeJS.Signals): void => {
    if (exit) throw new Error(`dev broker ${child.pid ?? '?'} is not running (${describeExit()})`);
    child.kill(name);
  };

  const broker = (brokers: string, pid: number): DevBroker => ({
    brokers,
    pid,
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
      if (exit) return;
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
        throw new Error(withStderr(`dev broker ${pid} ignored SIGTERM for ${STOP_TIMEOUT_MS} ms and was killed`));
      }
      if (exitCode() !== 0) throw new Error(withStderr(`dev broker ${pid} stopped uncleanly (${describeExit()})`));
    },
  });

  return new Promise<DevBroker>((resolveStart, rejectStart) => {
    const fail = (message: string): void => {
      clearTimeout(timer);
      if (child.pid === undefined) {
        // Never started (spawn error): there is no exit to wait for.
        rejectStart(new Error(message));
        return;
      }
      child.kill('SIGKILL');
      // Give the stderr reader a moment to drain, so the error shows the broker's own explanation.
      void exited.then(() => setTimeout(() => rejectStart(new Error(withStderr(message))), 20));
    };
    const timer = setTimeout(
      () => fail(`dev broker did not report ready within ${readyTimeoutMs} ms (${MAIN})`),
      readyTimeoutMs,
    );
    child.once('error', (error) => fail(`cannot spawn the dev broker: ${error.message}`));
    void exited.then(() => {
      if (!ready) fail(`dev broker exited before it was ready (${describeExit()})`);
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      const parsed = ready ? undefined : readyLine.safeParse(safeJson(line));
      if (!parsed?.success || child.pid === undefined) {
        onLog(line);
        return;
      }
      ready = true;
      clearTimeout(timer);
      resolveStart(broker(parsed.data.brokers, child.pid));
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
