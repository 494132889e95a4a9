import type { Gap, KbReply, KbTargetVersion } from '@warroom/contracts';
import type { Messages } from './messages';

/** The stage most of the gap's questions were asked in. */
export function mainStage(gap: Gap): string {
  let best = 'unspecified';
  let most = -1;
  for (const [stage, count] of Object.entries(gap.stages)) {
    if (count > most) {
      best = stage;
      most = count;
    }
  }
  return best;
}

export function replyText(reply: KbReply): string {
  if (reply.type === 'video') return `${reply.text} [▶ ${reply.videoUrl}]`;
  if (reply.type === 'products') return `${reply.text} [${reply.products.map((p) => p.sku).join(', ')}]`;
  return reply.text;
}

/** What changed between two neighbouring versions, in the trainer's words. */
export function versionChanges(before: KbTargetVersion | null, after: KbTargetVersion, t: Messages): string[] {
  if (!after.content) return [t.retired];
  if (!before?.content) return [];
  const changes: string[] = [];
  if (JSON.stringify(before.content.reply) !== JSON.stringify(after.content.reply)) changes.push(t.changes.reply);
  if (before.content.stage !== after.content.stage) changes.push(t.changes.stage);
  const had = new Set(before.content.examples);
  const has = new Set(after.content.examples);
  const added = [...has].filter((e) => !had.has(e)).length;
  const removed = [...had].filter((e) => !has.has(e)).length;
  if (added > 0) changes.push(t.changes.added(added));
  if (removed > 0) changes.push(t.changes.removed(removed));
  return changes;
}

/** `shop:<shopId>/<answerId>` or `industry:<industryId>/<answerId>` → the scope and answer a patch of it names. */
export function parseTarget(target: string): { scope: { pack: 'shop'; shopId: string } | { pack: 'industry'; industryId: string }; answerId: string } | null {
  const match = /^(shop|industry):([^/]+)\/(.+)$/.exec(target);
  if (!match) return null;
  const [, pack, id, answerId] = match;
  if (!id || !answerId) return null;
  return { scope: pack === 'shop' ? { pack: 'shop', shopId: id } : { pack: 'industry', industryId: id }, answerId };
}
