/**
 * How many processes of each app `npm start` runs: `npm start -- --ingest 3 --api 2 --bot 2`. No flags is
 * one of each, the single-process topology (no proxies).
 */
export interface Topology {
  ingest: number;
  api: number;
  bot: number;
}

export const SINGLE_PROCESS: Topology = { ingest: 1, api: 1, bot: 1 };

/** More than this many processes of one app would only starve a laptop's cores. */
const MAX_PROCESSES = 8;

export class TopologyError extends Error {}

export function parseTopology(args: readonly string[]): Topology {
  const topology: Topology = { ...SINGLE_PROCESS };
  for (let i = 0; i < args.length; i += 1) {
    const [flag, inline] = args[i]!.split('=', 2) as [string, string | undefined];
    const app = /^--(ingest|api|bot)$/.exec(flag)?.[1] as keyof Topology | undefined;
    if (!app) throw new TopologyError(`unknown option ${flag}: use --ingest N, --api N, --bot N`);
    const value = inline ?? args[(i += 1)];
    const count = Number(value);
    if (value === undefined || !Number.isInteger(count) || count < 1 || count > MAX_PROCESSES) {
      throw new TopologyError(`--${app} takes a whole number of processes from 1 to ${MAX_PROCESSES}, not ${value ?? 'nothing'}`);
    }
    topology[app] = count;
  }
  return topology;
}
