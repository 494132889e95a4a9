import type { MatchOutcome, QuestionMatcher } from '../knowledge/question-matcher';

/**
 * A deterministic stand-in for libs/matcher in unit tests: the score of an answer is the best Dice
 * similarity of character bigrams between the question and one of its examples; matched at 0.5. So the
 * rules around matching are tested independently of how the real matcher is tuned.
 */
export class FakeMatcher implements QuestionMatcher {
  private readonly examples = new Map<string, string[]>();
  calls = 0;
  /** Whether `prepare` ran (the knowledge base calls it once loaded). */
  prepared = false;

  addAnswer(answerId: string, examples: readonly string[]): void {
    if (this.examples.has(answerId)) throw new Error(`answer ${answerId} exists`);
    this.examples.set(answerId, [...examples]);
  }

  addExamples(answerId: string, examples: readonly string[]): void {
    const list = this.examples.get(answerId);
    if (!list) throw new Error(`unknown answer ${answerId}`);
    list.push(...examples);
  }

  replaceExamples(answerId: string, examples: readonly string[]): void {
    if (!this.examples.has(answerId)) throw new Error(`unknown answer ${answerId}`);
    this.examples.set(answerId, [...examples]);
  }

  removeAnswer(answerId: string): void {
    this.examples.delete(answerId);
  }

  prepare(): void {
    this.prepared = true;
  }

  match(text: string, topK: number): MatchOutcome {
    this.calls += 1;
    const scored = [...this.examples].map(([answerId, examples]) => ({
      answerId,
      score: Math.max(0, ...examples.map((example) => dice(text, example))),
    }));
    scored.sort((a, b) => b.score - a.score || a.answerId.localeCompare(b.answerId));
    const confidence = scored[0]?.score ?? 0;
    return { candidates: scored.slice(0, topK), confidence, matched: confidence >= 0.5 };
  }
}

function bigrams(text: string): string[] {
  const chars = Array.from(text.replace(/[\p{P}\p{S}\s]+/gu, '').toLowerCase());
  if (chars.length < 2) return chars;
  return chars.slice(1).map((char, i) => `${chars[i]}${char}`);
}

function dice(a: string, b: string): number {
  const x = bigrams(a);
  const y = bigrams(b);
  if (x.length === 0 || y.length === 0) return 0;
  const pool = [...y];
  let shared = 0;
  for (const gram of x) {
    const at = pool.indexOf(gram);
    if (at >= 0) {
      shared += 1;
      pool.splice(at, 1);
    }
  }
  return (2 * shared) / (x.length + y.length);
}
