/**
 * One owner at a time for a launcher's data directories: `npm start` removes the dev store's and the bot
 * spool's directories at its start, so a second one started in the same checkout would wipe the running
 * one's data from under it. The owner's process id sits in a file; a file whose process is gone is stale.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';

/**
 * Makes this process the owner recorded in `ownerFile` (removed again when it exits), or throws naming the
 * running process that owns it. `what` says in the error what is owned.
 */
export function claimOwnership(ownerFile: string, what: string): void {
  try {
    writeFileSync(ownerFile, String(process.pid), { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const owner = Number(readFileSync(ownerFile, 'utf8'));
    if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isRunning(owner)) {
      throw new Error(`process ${owner} is using ${what}: stop it first`);
    }
    writeFileSync(ownerFile, String(process.pid));
  }
  process.once('exit', () => releaseOwnership(ownerFile));
}

/** Removes the owner file if it is still ours (a later owner's stays). */
export function releaseOwnership(ownerFile: string): void {
  try {
    if (readFileSync(ownerFile, 'utf8') === String(process.pid)) rmSync(ownerFile, { force: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
