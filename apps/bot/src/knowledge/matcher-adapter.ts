import { Matcher, normalizeQuestion, type MatcherOptions } from '@warroom/matcher';
import type { MatchOutcome, MatcherFactory, QuestionMatcher } from './question-matcher';

export interface MatcherAdapterOptions {
  /** null: the matcher's own decision (`matched`); a number: confidence at or above it. */
  threshold: number | null;
  /** Results kept for repeated questions; 0 turns the cache off. Cleared whenever the answers change. */
  cacheSize: number;
  matcher?: MatcherOptions;
}

/**
 * libs/matcher behind the QuestionMatcher port: scores clamped to 0–1 (ChatEvent's range), the
 * threshold applied, and an LRU cache of results by normalised text. Peak traffic repeats itself (a
 * few questions make most of a rush), and a match costs far more than a lookup.
 */
export class MatcherAdapter implements QuestionMatcher {
  private readonly matcher: Matcher;
  private readonly cache = new Map<string, MatchOutcome>();

  constructor(private readonly options: MatcherAdapterOptions) {
    this.matcher = new Matcher(options.matcher);
  }

  addAnswer(answerId: string, examples: readonly string[]): void {
    this.matcher.addAnswer({ id: answerId, examples });
    this.cache.clear();
  }

  addExamples(answerId: string, examples: readonly string[]): void {
    this.matcher.addExamples(answerId, examples);
    this.cache.clear();
  }

  replaceExamples(answerId: string, examples: readonly string[]): void {
    this.matcher.replaceExamples(answerId, examples);
    this.cache.clear();
  }

  removeAnswer(answerId: string): void {
    this.matcher.removeAnswer(answerId);
    this.cache.clear();
  }

  prepare(): void {
    this.matcher.prepare();
  }

  match(text: string, topK: number): MatchOutcome {
    const key = this.options.cacheSize > 0 ? `${topK}\u0000${normalizeQuestion(text)}` : null;
    if (key !== null) {
      const cached = this.cache.get(key);
      if (cached) {
        // Re-inserted: a Map iterates in insertion order, so the first key is the least recently used.
        this.cache.delete(key);
        this.cache.set(key, cached);
        return cached;
      }
    }
    const result = this.matcher.match(text, { topK });
    const candidates = result.candidates.map((candidate) => ({ answerId: candidate.answerId, score: clamp01(candidate.score) }));
    const confidence = clamp01(result.confidence);
    const outcome: MatchOutcome = {
      candidates,
      confidence,
      matched: candidates.length > 0 && (this.options.threshold === null ? result.matched : confidence >= this.options.threshold),
    };
    if (key !== null) {
      this.cache.set(key, outcome);
      if (this.cache.size > this.options.cacheSize) {
        const oldest = this.cache.keys().next();
        if (!oldest.done) this.cache.delete(oldest.value);
      }
    }
    return outcome;
  }
}

export function matcherAdapterFactory(options: MatcherAdapterOptions): MatcherFactory {
  return () => new MatcherAdapter(options);
}

function clamp01(value: number): number {
  if (!Number.isFinite(value)) return 0;
  return Math.min(1, Math.max(0, value));
}
