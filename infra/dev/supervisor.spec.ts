import { describe, expect, it } from 'vitest';
import type { ProcessExit } from './app-process';
import { supervise, type SupervisedProcess } from './supervisor';

/** A process stand-in whose death the test decides. */
class FakeProcess implements SupervisedProcess {
  readonly exitStatus: Promise<ProcessExit>;
  stopped = false;
  private end!: (exit: ProcessExit) => void;

  constructor(readonly pid: number) {
    this.exitStatus = new Promise((resolve) => {
      this.end = resolve;
    });
  }

  die(exit: ProcessExit): void {
    this.end(exit);
  }

  stop(): Promise<void> {
    this.stopped = true;
    this.end({ code: 0, signal: null });
    return Promise.resolve();
  }
}

const POLICY = { initialDelayMs: 20, maxDelayMs: 80, stableAfterMs: 10_000 };
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** A start() that hands out fresh fakes, or fails when the next entry of `failures` says so. */
function starter(failures: boolean[] = []) {
  const started: FakeProcess[] = [];
  let attempts = 0;
  const start = (): Promise<FakeProcess> => {
    attempts += 1;
    if (failures.shift()) return Promise.reject(new Error(`exited with code 1 before it was ready (attempt ${attempts})`));
    const fake = new FakeProcess(100 + started.length);
    started.push(fake);
    return Promise.resolve(fake);
  };
  return { start, started, attempts: () => attempts };
}

describe('supervise', () => {
  it('starts again a process that died, logging how it ended and the wait', async () => {
    const parts = starter();
    const lines: string[] = [];
    const part = await supervise({ name: 'ingest', start: parts.start, policy: POLICY, log: (line) => lines.push(line) });
    parts.started[0]!.die({ code: null, signal: 'SIGKILL' });
    await sleep(5);
    expect(part.current()).toBeNull();
    await sleep(40);
    expect(part.current()?.pid).toBe(101);
    expect(part.restarts).toBe(1);
    expect(lines).toEqual([
      expect.stringMatching(/^ingest exited unexpectedly \(signal SIGKILL\) after 0\.0 s; restarting in 0\.0 s$/),
      'ingest restarted (pid 101, restart 1)',
    ]);
    await part.stop();
  });

  it('waits longer after each failed restart, until one holds', async () => {
    const parts = starter([false, true, true]);
    const lines: string[] = [];
    const part = await supervise({ name: 'bot', start: () => parts.start(), policy: POLICY, log: (line) => lines.push(line) });
    parts.started[0]!.die({ code: 1, signal: null });
    // 20 ms, then two failed attempts (40 ms, 80 ms waits after them), then a start that holds.
    await sleep(250);
    expect(parts.attempts()).toBe(4);
    expect(part.current()?.pid).toBe(101);
    expect(lines.filter((line) => line.includes('next attempt in'))).toEqual([
      expect.stringContaining('bot: next attempt in 0.0 s'),
      expect.stringContaining('bot: next attempt in 0.1 s'),
    ]);
    expect(lines[0]).toMatch(/^bot exited unexpectedly \(code 1\)/);
    await part.stop();
  });

  it('stops for good: a pending restart is cancelled, the running process stopped, and nothing comes back', async () => {
    const parts = starter();
    const part = await supervise({ name: 'sim', start: parts.start, policy: POLICY, log: () => undefined });
    parts.started[0]!.die({ code: null, signal: 'SIGKILL' });
    await sleep(5);
    await part.stop();
    await sleep(60);
    expect(parts.attempts()).toBe(1);
    expect(part.current()).toBeNull();

    const again = starter();
    const running = await supervise({ name: 'api', start: again.start, policy: POLICY, log: () => undefined });
    await running.stop();
    expect(again.started[0]!.stopped).toBe(true);
    await sleep(60);
    expect(again.attempts()).toBe(1);
  });

  it('lets the first start fail the launch instead of retrying it', async () => {
    const parts = starter([true]);
    await expect(supervise({ name: 'store', start: parts.start, policy: POLICY, log: () => undefined })).rejects.toThrow(/attempt 1/);
    await sleep(60);
    expect(parts.attempts()).toBe(1);
  });
});
