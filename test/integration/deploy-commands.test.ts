/**
 * The once-per-deployment commands as an operator runs them (`npm run migrate`, `npm run topics`), as
 * processes against the dev store and the dev broker: their JSON lines, their exit codes, and a bad
 * environment named before anything is touched.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { ALL_TOPICS } from '@warroom/kafka';
import { describe, expect, it } from 'vitest';
import { useDevBroker, describeWithDevBroker } from '../support/broker';
import { useDevStore } from '../support/store';

const ROOT = resolve(__dirname, '../..');

interface Run {
  code: number | null;
  lastLine: unknown;
  stderr: string;
}

function run(script: string, args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', `scripts/${script}.ts`, ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const last = stdout.trim().split('\n').at(-1) ?? '';
      resolvePromise({ code, lastLine: last ? (JSON.parse(last) as unknown) : null, stderr });
    });
  });
}

const store = useDevStore();

describe('npm run migrate', () => {
  it('applies the migrations once, then finds nothing to do', async () => {
    const env = { CLICKHOUSE_URL: store.url, CLICKHOUSE_DATABASE: 'deployed' };
    const first = await run('migrate', ['--json'], env);
    expect(first.code).toBe(0);
    expect(first.lastLine).toMatchObject({ database: 'deployed', cluster: null, skipped: [] });
    expect((first.lastLine as { applied: string[] }).applied.length).toBeGreaterThanOrEqual(10);
    const second = await run('migrate', ['--json'], env);
    expect(second.lastLine).toMatchObject({ applied: [] });
  });

  it('names a bad variable and exits 2 before connecting', async () => {
    const bad = await run('migrate', ['--json'], { CLICKHOUSE_URL: 'ftp://nowhere', CLICKHOUSE_CLUSTER: "x'; DROP" });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/CLICKHOUSE_URL/);
    expect(bad.stderr).toMatch(/CLICKHOUSE_CLUSTER/);
  });
});

describeWithDevBroker('npm run topics', () => {
  const broker = useDevBroker();

  it('finds the dev broker ready for the apps, and says its settings could not be checked', async () => {
    const check = await run('topics', ['--check', '--json'], { KAFKA_BROKERS: broker().brokers });
    expect(check.code).toBe(0);
    expect(check.lastLine).toEqual({ ok: true, problems: [], settingsChecked: false });
  });

  it('reports what it cannot fix there: one replica where the policy asks three', async () => {
    const provision = await run('topics', ['--json'], { KAFKA_BROKERS: broker().brokers });
    expect(provision.code).toBe(1);
    expect(provision.lastLine).toMatchObject({ created: [], settingsChecked: false });
    const problems = (provision.lastLine as { problems: { topic: string; problem: string }[] }).problems;
    // Every topic: the dev broker keeps one replica of each.
    expect(problems.map((problem) => problem.topic).sort()).toEqual(ALL_TOPICS.map((topic) => topic.name).sort());
    expect(problems[0]?.problem).toMatch(/1 replicas per partition, the policy is 3/);
    const relaxed = await run('topics', ['--json', '--replication-factor', '1', '--min-insync-replicas', '1'], { KAFKA_BROKERS: broker().brokers });
    expect(relaxed.code).toBe(0);
  });
});
