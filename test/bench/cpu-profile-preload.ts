/**
 * Preloaded into a child (NODE_OPTIONS="--require @swc-node/register --require <this file>") to profile it
 * as `node --cpu-prof` would, which Node refuses in NODE_OPTIONS: the V8 profiler runs from the start and
 * the profile is written into BENCH_CPU_PROFILE_DIR when the process is told to stop (SIGTERM: the app's
 * shutdown then ends it by re-raising the signal, without an exit event) or exits, whichever comes first.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

const dir = process.env.BENCH_CPU_PROFILE_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.start');
  let written = false;
  const write = (): void => {
    if (written) return;
    written = true;
    // An in-process session answers synchronously, so the profile is written before the process goes on.
    session.post('Profiler.stop', (error, result) => {
      if (error) {
        process.stderr.write(`CPU profile not written: ${error.message}\n`);
        return;
      }
      writeFileSync(join(dir, `${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  };
  // Registered before the app's own handlers, so it runs first; the app's shutdown still follows.
  process.prependOnceListener('SIGTERM', write);
  process.once('exit', write);
}
