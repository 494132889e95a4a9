/**
 * `npm run -s infra:check -- --json` as CI runs it: the real infra/ passes (manifests, CRDs, compose file,
 * Dockerfile, alert rules, and the cluster DDL against the single-server DDL on a dev store), and the bad
 * fixtures beside the checker make it fail.
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

const ROOT = resolve(__dirname, '../..');
const summary = z.strictObject({
  manifests: z.number().int(),
  invalid: z.number().int(),
  clusterTables: z.number().int(),
  parityMismatches: z.number().int(),
  alertRules: z.number().int(),
});

function infraCheck(...args: string[]): { status: number | null; summary: z.infer<typeof summary>; stderr: string } {
  const run = spawnSync(process.execPath, ['-r', '@swc-node/register', 'scripts/infra-check.ts', '--json', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 240_000,
  });
  const last = run.stdout.trim().split('\n').pop() ?? '';
  return { status: run.status, summary: summary.parse(JSON.parse(last)), stderr: run.stderr };
}

describe('npm run infra:check', () => {
  it('passes on infra/: >= 10 manifests, >= 8 replicated tables ON CLUSTER, >= 4 alert rules, nothing invalid or mismatched', () => {
    const result = infraCheck();
    expect(result.summary, result.stderr).toMatchObject({ invalid: 0, parityMismatches: 0 });
    expect(result.summary.manifests).toBeGreaterThanOrEqual(10);
    expect(result.summary.clusterTables).toBeGreaterThanOrEqual(8);
    expect(result.summary.alertRules).toBeGreaterThanOrEqual(4);
    expect(result.status, result.stderr).toBe(0);
  }, 300_000);

  it('fails on the bad fixtures, naming each fault', () => {
    const result = infraCheck('--dir', 'infra/check/fixtures/bad', '--skip-ddl');
    expect(result.status).toBe(1);
    expect(result.summary.invalid).toBeGreaterThanOrEqual(5);
    expect(result.summary.alertRules).toBe(0);
    for (const fault of ['Deployment/broken-api', 'KafkaTopic CRD', 'healthcheks', 'dockerfilelint', 'no expr', 'KAFKA_BROKER is read by no warroom app']) expect(result.stderr).toContain(fault);
  }, 300_000);
});
