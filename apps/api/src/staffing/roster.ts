import { parseRosterCsv, type RosterEntry } from '@warroom/contracts';

/** The roster of a validated request or upload, from `roster` or `rosterCsv`; empty when it has none. */
export function rosterOf(request: { roster?: RosterEntry[]; rosterCsv?: string }): RosterEntry[] {
  if (request.roster !== undefined) return request.roster;
  if (request.rosterCsv !== undefined) {
    return parseRosterCsv(request.rosterCsv).entries.map(({ intervalStart, agents }) => ({ intervalStart, agents }));
  }
  return [];
}
