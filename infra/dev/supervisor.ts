/**
 * Keeps one part of `npm start` running: a part that dies unexpectedly (a crash, a kill -9) is started again
 * after the wait of `restart-policy.ts`, and the others never notice more than its absence. Each death and
 * restart is logged with the exit code or signal. stop() is the only way a supervised part ends for good.
 */
import { describeExit, type ProcessExit } from './app-process';
import { DEFAULT_RESTART_POLICY, NO_RESTARTS, nextRestart, type RestartHistory, type RestartPolicy } from './restart-policy';

/** What a supervisor needs of a running part: an app process, the dev store. */
export interface SupervisedProcess {
  readonly pid: number;
  readonly exitStatus: Promise<ProcessExit>;
  stop(): Promise<void>;
}

export interface SuperviseOptions<P extends SupervisedProcess> {
  name: string;
  /** Starts the part and resolves once it is ready; the same configuration every time (ports, data directory). */
  start: () => Promise<P>;
  policy?: RestartPolicy;
  /** Receives the supervisor's own lines (deaths, waits, restarts). Default: our stderr. */
  log?: (line: string) => void;
}

export interface Supervised<P extends SupervisedProcess> {
  readonly name: string;
  /** The running process; null while the part is down (dead, waiting for its restart, or starting). */
  current(): P | null;
  /** Restarts so far (each one a death that was not asked for). */
  readonly restarts: number;
  /** Stops the part for good: no restart after this, a pending one is cancelled, a starting one is stopped once ready. */
  stop(): Promise<void>;
}

/**
 * Starts the part and supervises it. The first start's failure rejects (a system that cannot start should
 * say so, not loop); every later failure to start counts as another death and waits longer.
 */
export async function supervise<P extends SupervisedProcess>(options: SuperviseOptions<P>): Promise<Supervised<P>> {
  const policy = options.policy ?? DEFAULT_RESTART_POLICY;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  let current: P | null = await options.start();
  let startedAt = Date.now();
  let history: RestartHistory = NO_RESTARTS;
  let restarts = 0;
  let stopping = false;
  let retryTimer: NodeJS.Timeout | null = null;
  /** A restart in progress, so that stop() can wait for it and stop what it started. */
  let starting: Promise<void> | null = null;

  const restartAfter = (delayMs: number): void => {
    retryTimer = setTimeout(() => {
      retryTimer = null;
      starting = options
        .start()
        .then(
          (restarted) => {
            restarts += 1;
            if (stopping) return restarted.stop();
            current = restarted;
            startedAt = Date.now();
            log(`${options.name} restarted (pid ${restarted.pid}, restart ${restarts})`);
            watch(restarted);
            return undefined;
          },
          (error: unknown) => {
            if (stopping) return;
            // It died again before it was ready: another death in a row, so the next wait is longer.
            const decision = nextRestart(history, 0, policy);
            history = decision.history;
            log(`${options.name} failed to restart: ${(error as Error).message}\n${options.name}: next attempt in ${seconds(decision.delayMs)}`);
            restartAfter(decision.delayMs);
          },
        )
        .finally(() => {
          starting = null;
        });
    }, delayMs);
  };

  const watch = (running: P): void => {
    void running.exitStatus.then((exit) => {
      if (stopping || current !== running) return;
      current = null;
      const upMs = Date.now() - startedAt;
      const decision = nextRestart(history, upMs, policy);
      history = decision.history;
      log(`${options.name} exited unexpectedly (${describeExit(exit)}) after ${seconds(upMs)}; restarting in ${seconds(decision.delayMs)}`);
      restartAfter(decision.delayMs);
    });
  };
  watch(current);

  return {
    name: options.name,
    current: () => current,
    get restarts() {
      return restarts;
    },
    async stop() {
      stopping = true;
      if (retryTimer) clearTimeout(retryTimer);
      retryTimer = null;
      await starting;
      const running = current;
      current = null;
      await running?.stop();
    },
  };
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
