import { parseKbPackFile, type PackProblem } from '@warroom/contracts';
import { KnowledgeBase, KnowledgeBaseError, type LoadedPack } from './knowledge-base';
import type { MatcherFactory } from './question-matcher';

/**
 * Parses every pack file. Every problem of every file is collected first, so one start names them all
 * (file, line, JSON path, reason) instead of one per attempt.
 */
export function loadPacks(files: readonly { file: string; text: string }[]): LoadedPack[] {
  const problems: PackProblem[] = [];
  const packs: LoadedPack[] = [];
  for (const { file, text } of files) {
    const parsed = parseKbPackFile(file, text);
    if (parsed.ok) packs.push({ file, pack: parsed.pack, lineOf: parsed.lineOf });
    else problems.push(...parsed.problems);
  }
  if (problems.length > 0) throw new KnowledgeBaseError(problems);
  return packs;
}

/** Parses every pack file and assembles the knowledge base, or throws naming every problem. */
export function loadKnowledgeBase(
  files: readonly { file: string; text: string }[],
  shopIds: readonly string[],
  createMatcher: MatcherFactory,
): KnowledgeBase {
  return KnowledgeBase.build(loadPacks(files), shopIds, createMatcher);
}
