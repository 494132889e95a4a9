/**
 * What the knowledge base needs of a question matcher. The real one wraps libs/matcher
 * (`matcher-adapter.ts`); tests use a deterministic fake, so the rules of layering and outcomes are
 * tested independently of how the matcher is tuned.
 */

export interface MatchCandidate {
  answerId: string;
  /** 0–1, as ChatEvent scores. */
  score: number;
}

export interface MatchOutcome {
  /** Best first. */
  candidates: MatchCandidate[];
  confidence: number;
  /** The best candidate is above the threshold. */
  matched: boolean;
}

export interface QuestionMatcher {
  addAnswer(answerId: string, examples: readonly string[]): void;
  addExamples(answerId: string, examples: readonly string[]): void;
  /** Makes `examples` the answer's examples: the ones left out are forgotten. */
  replaceExamples(answerId: string, examples: readonly string[]): void;
  /** The answer is never a candidate again (until added anew). */
  removeAnswer(answerId: string): void;
  /** Pays the training a first match would pay; called once the knowledge base is loaded. */
  prepare(): void;
  match(text: string, topK: number): MatchOutcome;
}

export type MatcherFactory = () => QuestionMatcher;

export const NO_MATCH: MatchOutcome = { candidates: [], confidence: 0, matched: false };
