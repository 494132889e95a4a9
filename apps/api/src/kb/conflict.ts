import type { KbTargetVersion } from '@warroom/contracts';

/**
 * A 409 in words a trainer understands: who published the newer version, how long ago, and what it
 * changed against the version the trainer edited ("李四 published revision 9 3 minutes ago: new reply
 * text, 2 example questions added").
 */
export function describeConflict(history: readonly KbTargetVersion[], baseRevision: number, nowMs: number): string {
  const current = history.at(-1);
  if (!current) return 'this answer does not exist (any more)';
  if (baseRevision === 0) return `this answer already exists (revision ${current.revision}${byline(current, nowMs)})`;
  const base = history.find((version) => version.revision === baseRevision) ?? null;
  const changes = base ? whatChanged(base, current) : [];
  const what = changes.length > 0 ? `: ${changes.join(', ')}` : '';
  return `you edited revision ${baseRevision}, but revision ${current.revision} was published${byline(current, nowMs)}${what}. Your text is kept: review the new version and publish again.`;
}

function byline(version: KbTargetVersion, nowMs: number): string {
  const who = version.author ? ` by ${version.author.login}` : ' from the pack file';
  return version.appliedAt ? `${who} ${ago(nowMs - Date.parse(version.appliedAt))}` : who;
}

function ago(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 120) return `${minutes} min ago`;
  return `${Math.round(minutes / 60)} h ago`;
}

/** The differences between two versions of one target, as short phrases. */
export function whatChanged(before: KbTargetVersion, after: KbTargetVersion): string[] {
  if (before.content && !after.content) return ['the answer was retired'];
  if (!before.content && after.content) return ['the answer was restored'];
  if (!before.content || !after.content) return [];
  const changes: string[] = [];
  if (JSON.stringify(before.content.reply) !== JSON.stringify(after.content.reply)) changes.push('new reply text');
  if (before.content.stage !== after.content.stage) changes.push(`stage ${before.content.stage ?? '-'} → ${after.content.stage ?? '-'}`);
  const had = new Set(before.content.examples);
  const has = new Set(after.content.examples);
  const added = [...has].filter((example) => !had.has(example)).length;
  const removed = [...had].filter((example) => !has.has(example)).length;
  if (added > 0) changes.push(`${added} example question${added === 1 ? '' : 's'} added`);
  if (removed > 0) changes.push(`${removed} example question${removed === 1 ? '' : 's'} removed`);
  return changes;
}
