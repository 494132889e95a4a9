import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { claimOwnership, releaseOwnership } from './data-owner';

describe('claimOwnership', () => {
  const dir = mkdtempSync(join(tmpdir(), 'warroom-data-owner-'));
  const ownerFile = join(dir, 'owner.pid');
  afterEach(() => rmSync(ownerFile, { force: true }));

  it('records this process as the owner and lets it go again', () => {
    claimOwnership(ownerFile, 'the dev store');
    expect(readFileSync(ownerFile, 'utf8')).toBe(String(process.pid));
    releaseOwnership(ownerFile);
    expect(existsSync(ownerFile)).toBe(false);
  });

  it('refuses while another running process owns it, naming that process', () => {
    // The parent process (vitest's) is running and is not us.
    writeFileSync(ownerFile, String(process.ppid));
    expect(() => claimOwnership(ownerFile, 'the dev store')).toThrow(`process ${process.ppid} is using the dev store: stop it first`);
    expect(readFileSync(ownerFile, 'utf8')).toBe(String(process.ppid));
    // Not ours: releasing leaves it alone.
    releaseOwnership(ownerFile);
    expect(readFileSync(ownerFile, 'utf8')).toBe(String(process.ppid));
  });

  it('takes over from an owner that is gone, and from a file that names no process', () => {
    // Above the largest pid Linux hands out (2^22).
    writeFileSync(ownerFile, String(2 ** 22 + 1));
    claimOwnership(ownerFile, 'the dev store');
    expect(readFileSync(ownerFile, 'utf8')).toBe(String(process.pid));
    writeFileSync(ownerFile, 'not a pid');
    claimOwnership(ownerFile, 'the dev store');
    expect(readFileSync(ownerFile, 'utf8')).toBe(String(process.pid));
  });
});
