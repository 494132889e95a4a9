/** Offsets `first`..`last` (both included) that a partition's log no longer holds. */
export interface OffsetSpan {
  first: bigint;
  last: bigint;
}

/**
 * The holes among a batch's offsets: `expectedNext` is the offset after the last one handled, and offsets
 * below it are skipped (already handled). Every chat.events producer is idempotent and none can be
 * transactional (libs/kafka's createProducer takes no transactionalId), so consecutive records carry
 * consecutive offsets: a jump means records the broker no longer has, not control records.
 */
export function findOffsetHoles(expectedNext: bigint, offsets: readonly string[]): OffsetSpan[] {
  const holes: OffsetSpan[] = [];
  let next = expectedNext;
  for (const text of offsets) {
    const offset = BigInt(text);
    if (offset < next) continue;
    if (offset > next) holes.push({ first: next, last: offset - 1n });
    next = offset + 1n;
  }
  return holes;
}
