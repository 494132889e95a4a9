/**
 * Where a process's CPU went, from a V8 CPU profile (`node --cpu-prof`): self time per function and per
 * module (a package under node_modules, else a file of ours), over the samples of a time window.
 */
import { z } from 'zod';

const profileSchema = z.object({
  nodes: z.array(
    z.object({
      id: z.number(),
      callFrame: z.object({ functionName: z.string(), url: z.string(), lineNumber: z.number() }),
    }),
  ),
  startTime: z.number(),
  samples: z.array(z.number()),
  timeDeltas: z.array(z.number()),
});

export interface SelfTime {
  name: string;
  ms: number;
  /** Share of the window's sampled time, 0–1. */
  share: number;
}

export interface ProfileSummary {
  sampledMs: number;
  functions: SelfTime[];
  modules: SelfTime[];
}

/** Where a frame's code lives: the package for node_modules, the path inside the repository for ours, else V8's own name. */
export function moduleOf(url: string, repositoryRoot: string): string {
  const packageMatch = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (packageMatch) return packageMatch[1]!;
  if (url === '') return '(native/V8)';
  const path = url.replace(/^file:\/\//, '');
  return path.startsWith(repositoryRoot) ? path.slice(repositoryRoot.length).replace(/^\//, '') : path;
}

/**
 * Self time per function and module over the samples taken between `fromUs` and `toUs` (the profile's own
 * clock: microseconds of the monotonic clock, as `process.hrtime.bigint() / 1000n` reads it).
 */
export function summarizeProfile(raw: unknown, window: { fromUs: number; toUs: number }, repositoryRoot: string, top = 15): ProfileSummary {
  const profile = profileSchema.parse(raw);
  const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const perFunction = new Map<string, number>();
  const perModule = new Map<string, number>();
  let at = profile.startTime;
  let sampledUs = 0;
  for (let i = 0; i < profile.samples.length; i += 1) {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    if (at < window.fromUs || at > window.toUs) continue;
    const frame = frames.get(profile.samples[i]!);
    // Idle is time without CPU use; (program) and (garbage collector) are CPU the process spent too.
    if (!frame || frame.functionName === '(idle)') continue;
    const module = moduleOf(frame.url, repositoryRoot);
    const name = `${frame.functionName || '(anonymous)'} ${module}:${frame.lineNumber + 1}`;
    perFunction.set(name, (perFunction.get(name) ?? 0) + delta);
    perModule.set(module, (perModule.get(module) ?? 0) + delta);
    sampledUs += delta;
  }
  const ranked = (times: Map<string, number>): SelfTime[] =>
    [...times]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, ms: Math.round(us / 100) / 10, share: sampledUs === 0 ? 0 : Math.round((us / sampledUs) * 1000) / 1000 }));
  return { sampledMs: Math.round(sampledUs / 100) / 10, functions: ranked(perFunction), modules: ranked(perModule) };
}
