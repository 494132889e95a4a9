import { KB_TOPICS, describeIssues, patchRequestSchema, type Gap, type PatchRequest } from '@warroom/contracts';
import type { ShopAnswer } from '../api/get-answers';
import type { Draft } from '../hooks/use-draft';
import { mainStage } from './format';

/** The draft a gap starts from: its examples, the suggested answer, a slug, the gap's main stage. */
export function initialDraft(gap: Gap): Draft {
  const stage = mainStage(gap);
  const latin = gap.representative.toLowerCase().match(/[a-z0-9]+/g)?.join('-') ?? '';
  const suffix = gap.gapId.toLowerCase().replace(/[^a-z0-9]/g, '').slice(-6);
  return {
    mode: gap.suggestion.kind,
    examples: gap.examples.join('\n'),
    targetAnswerId: gap.suggestion.kind === 'add_examples' ? gap.suggestion.answerId : '',
    rebaseRevision: null,
    answerId: `faq.${latin ? `${latin.slice(0, 40)}-` : ''}${suffix}`,
    topic: 'service',
    stage: stage === 'unspecified' ? 'pre_sale' : (stage as Draft['stage']),
    text: '',
    videoUrl: '',
    products: '',
    pack: 'shop',
  };
}

export const TOPICS = KB_TOPICS;

/** The industry pack a shop's answers come from (from the targets it sees), if any. */
export function industryOf(answers: ShopAnswer[]): string | null {
  for (const answer of answers) {
    const match = /^industry:([^/]+)\//.exec(answer.target);
    if (match?.[1]) return match[1];
  }
  return null;
}

export type Built = { ok: true; request: PatchRequest; target: string } | { ok: false; issues: string[] };

const lines = (text: string) => [...new Set(text.split('\n').map((line) => line.trim()).filter((line) => line !== ''))];

/** The patch a draft describes, checked with the contract the api uses; or what is wrong with it, in words. */
export function buildRequest(draft: Draft, gap: Gap, answers: ShopAnswer[]): Built {
  const examples = lines(draft.examples);
  const gapId = gap.status === 'open' || gap.status === 'claimed' ? gap.gapId : undefined;
  let candidate: unknown;
  let target: string;
  if (draft.mode === 'add_examples') {
    const answer = answers.find((a) => a.answerId === draft.targetAnswerId);
    if (!answer) return { ok: false, issues: ['answerId: choose an answer'] };
    target = `shop:${gap.shopId}/${answer.answerId}`;
    candidate = {
      patch: { op: 'add_examples', scope: { pack: 'shop', shopId: gap.shopId }, answerId: answer.answerId, examples },
      baseRevision: draft.rebaseRevision ?? answer.version.revision,
      ...(gapId ? { gapId } : {}),
    };
  } else {
    const industry = industryOf(answers);
    const scope = draft.pack === 'industry' && industry ? { pack: 'industry', industryId: industry } : { pack: 'shop', shopId: gap.shopId };
    target = scope.pack === 'industry' ? `industry:${industry}/${draft.answerId}` : `shop:${gap.shopId}/${draft.answerId}`;
    const products = lines(draft.products).map((line) => {
      const [sku = '', title = '', url = ''] = line.split('|').map((part) => part.trim());
      return { sku, title, url };
    });
    const text = draft.text.trim();
    const reply =
      draft.videoUrl.trim() !== ''
        ? { type: 'video', text, videoUrl: draft.videoUrl.trim() }
        : products.length > 0
          ? { type: 'products', text, products }
          : { type: 'text', text };
    candidate = {
      patch: { op: 'new_answer', scope, answer: { id: draft.answerId.trim(), topic: draft.topic, stage: draft.stage, examples, reply } },
      baseRevision: draft.rebaseRevision ?? 0,
      ...(gapId ? { gapId } : {}),
    };
  }
  const parsed = patchRequestSchema.safeParse(candidate);
  if (!parsed.success) return { ok: false, issues: describeIssues(parsed.error) };
  return { ok: true, request: parsed.data, target };
}
