/**
 * The representation gaps are clustered in: the matcher's TF-IDF over the knowledge base's answers (words
 * common across known answers weigh little, new topic words most), exactly as eval:matcher clusters. It is
 * built once at start from the knowledge packs, not from the live knowledge base: published patches do not
 * move it, so re-reading the same events after a restart gives the same gaps and ids. Only the index is
 * built: the matcher's classifier plays no part in this representation.
 */
import type { KbPack } from '@warroom/contracts';
import { TfIdfIndex, type AnswerInput } from '@warroom/matcher';
import type { Representation } from './gap-engine';

/** Every answer of every pack (shop overrides add their examples to the industry answer they refine). */
export function knowledgeAnswers(packs: readonly KbPack[]): AnswerInput[] {
  const answers = new Map<string, string[]>();
  const add = (id: string, examples: readonly string[]): void => {
    answers.set(id, [...(answers.get(id) ?? []), ...examples]);
  };
  for (const pack of packs) {
    switch (pack.kind) {
      case 'industry':
        for (const answer of pack.answers) add(answer.id, answer.examples);
        for (const attribute of pack.attributes) add(attribute.id, attribute.examples);
        break;
      case 'shop':
        for (const answer of pack.answers) add(`${pack.shopId}/${answer.id}`, answer.examples);
        for (const override of pack.overrides) if (override.examples) add(override.answerId, override.examples);
        break;
      case 'smalltalk':
        for (const answer of pack.answers) add(answer.id, answer.examples);
        break;
      case 'product':
        break;
    }
  }
  return [...answers].map(([id, examples]) => ({ id, examples: [...new Set(examples)] }));
}

export function knowledgeRepresentation(packs: readonly KbPack[]): Representation {
  const answers = knowledgeAnswers(packs);
  if (answers.length === 0) throw new Error('KB_PACK_DIR holds no answers: gaps need them to weigh words');
  const index = TfIdfIndex.of(answers.map((answer) => answer.examples));
  return (text) => index.weigh(text, true);
}
