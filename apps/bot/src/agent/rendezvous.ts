import { createHash } from 'node:crypto';

/**
 * Rendezvous (highest random weight) hashing: every key scores every candidate by a hash of both, and goes to
 * the candidate with the highest score. Each key's choice depends only on the candidates present, so a
 * candidate that leaves moves only its own keys (each to its next best), and one that comes back takes
 * exactly those keys back; nothing else moves.
 */
export function rendezvousPick<C extends { name: string }>(key: string, candidates: readonly C[]): C | null {
  let best: C | null = null;
  let bestScore = -1n;
  for (const candidate of candidates) {
    const score = createHash('sha256').update(candidate.name).update('\0').update(key).digest().readBigUInt64BE(0);
    if (score > bestScore) {
      best = candidate;
      bestScore = score;
    }
  }
  return best;
}
