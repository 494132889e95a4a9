/**
 * The rules of the status strip (pure): what one look at a part says about it, and how a part's status
 * follows from its previous one, so that "since" is the moment it entered its state, not the last look.
 */
import {
  PART_PROBLEM_MAX_CHARS,
  type BotHealth,
  type IngestHealthProbe,
  type PartState,
  type PartStatus,
  type SystemPart,
} from '@warroom/contracts';

/** One look at a part. */
export interface Observation {
  state: PartState;
  /** In a few words; null when there is nothing wrong. */
  problem: string | null;
}

export const UP: Observation = { state: 'up', problem: null };

/** A part that did not answer or failed its query: down, with the reason shortened for a wall. */
export function downBecause(error: Error): Observation {
  return { state: 'down', problem: shorten(error.message) };
}

/** Ingest's own words: `ok` is up; catching up or waiting for the store is degraded; `failed` (its consumer gave up) is down. */
export function ingestObservation(health: IngestHealthProbe): Observation {
  switch (health.status) {
    case 'ok':
      return UP;
    case 'catching_up':
      return { state: 'degraded', problem: 'catching up' };
    case 'store_unavailable':
      return { state: 'degraded', problem: 'cannot write to the store' };
    case 'failed':
      return { state: 'down', problem: 'consumer failed' };
  }
}

/**
 * The bot is degraded once it dropped events, and while its events are stuck: some wait in the spool and
 * none reached the broker since the previous look (`previous`, its events then). Not merely "some wait in
 * the spool" (the bot's own `degraded`): every event passes through the spool before its reply goes out,
 * so under load a few always wait, and the strip would flicker amber on a healthy night.
 */
export function botObservation(health: BotHealth, previous: BotHealth['events'] | null): Observation {
  const { spooled, dropped, delivered } = health.events;
  if (dropped > 0) return { state: 'degraded', problem: `${dropped} events dropped` };
  const stuck = spooled > 0 && previous !== null && previous.spooled > 0 && delivered === previous.delivered;
  return stuck ? { state: 'degraded', problem: `${spooled} events waiting in the spool` } : UP;
}

/**
 * Looks in a row that must fail before a part seen up (or degraded) is shown down: one slow answer of a
 * busy part (a store finishing a large INSERT, a process in a long GC) is not an outage, and a wall that
 * flashes red for it teaches the room to ignore red.
 */
export const FAILED_LOOKS_TO_DOWN = 2;

/**
 * The part's status after looking at it `at`: `since` moves only when its state changes. `failedLooksInARow`
 * counts this look: a part seen up stays as it was until FAILED_LOOKS_TO_DOWN looks in a row failed.
 */
export function nextPartStatus(
  part: SystemPart,
  previous: PartStatus | undefined,
  observation: Observation,
  at: Date,
  failedLooksInARow = observation.state === 'down' ? FAILED_LOOKS_TO_DOWN : 0,
): PartStatus {
  if (observation.state === 'down' && previous !== undefined && previous.state !== 'down' && failedLooksInARow < FAILED_LOOKS_TO_DOWN) return previous;
  const since = previous && previous.state === observation.state ? previous.since : at.toISOString();
  return { part, state: observation.state, since, problem: observation.problem };
}

/** The first line, at most PART_PROBLEM_MAX_CHARS: errors of HTTP clients and drivers can be long. */
export function shorten(message: string): string {
  const line = message.split('\n')[0]?.trim() || 'unknown error';
  return line.length <= PART_PROBLEM_MAX_CHARS ? line : `${line.slice(0, PART_PROBLEM_MAX_CHARS - 1)}…`;
}
