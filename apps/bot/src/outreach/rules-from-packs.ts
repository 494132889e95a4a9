import type { ShopOutreach } from '@warroom/contracts';
import type { LoadedPack } from '../knowledge/knowledge-base';

/**
 * The outreach rules of the shops this bot answers for, from their shop packs as loaded at start: a
 * trainer's change to them takes effect when the bots restart (the patch log carries answers, not these).
 */
export function outreachRulesOf(packs: readonly LoadedPack[], shopIds: readonly string[]): Map<string, ShopOutreach> {
  const rules = new Map<string, ShopOutreach>();
  for (const { pack } of packs) {
    if (pack.kind === 'shop' && pack.outreach && shopIds.includes(pack.shopId)) rules.set(pack.shopId, pack.outreach);
  }
  return rules;
}
