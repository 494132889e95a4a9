/**
 * Turning a normalised question into sparse features: character n-grams and jieba words.
 *
 * Character n-grams need no dictionary and survive typos and unseen words; jieba words add the word
 * boundaries that n-grams blur (电话费 vs 话费到). Feature names carry a one-letter family prefix so a
 * two-character word never collides with the character bigram spelled the same way.
 */
import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict';

export interface FeatureOptions {
  /** Smallest and largest character n-gram length (0 as the largest turns n-grams off). */
  charMin: number;
  charMax: number;
  /** Weight of each n-gram length, index n-1 (missing entries count 1). */
  charWeights: number[];
  /** Add jieba words (and this weight for them; 0 turns words off). */
  wordWeight: number;
  /** Add bigrams of consecutive jieba words with this weight (0 = off). */
  wordBigramWeight: number;
  /** Weight of skip-bigrams (characters i and i+2), which survive one inserted character (0 = off). */
  skipWeight: number;
  /** Collapse every run of ASCII digits to one `#`, so order numbers or amounts do not become features. */
  collapseDigits: boolean;
  /** Mark the start and end of the question (`^`/`$`) so n-grams at the edges become their own features. */
  boundaries: boolean;
}

export const DEFAULT_FEATURE_OPTIONS: FeatureOptions = {
  charMin: 1,
  charMax: 3,
  charWeights: [1, 1, 1],
  wordWeight: 1,
  wordBigramWeight: 0,
  skipWeight: 0,
  collapseDigits: true,
  boundaries: false,
};

let jieba: Jieba | undefined;

/** The segmenter, created on first use: loading its 5 MB dictionary takes a few hundred milliseconds. */
function segmenter(): Jieba {
  jieba ??= Jieba.withDict(dict);
  return jieba;
}

/** jieba words of a normalised question (HMM on, so unseen words such as product names stay whole). */
export function segmentWords(normalized: string): string[] {
  if (normalized === '') return [];
  return segmenter().cut(normalized, true);
}

const DIGITS_RE = /[0-9]+/g;

/**
 * Sparse feature counts (weighted) of an already normalised question. The result maps a feature name to
 * its weighted term frequency.
 */
export function extractFeatures(normalized: string, options: FeatureOptions): Map<string, number> {
  const text = options.collapseDigits ? normalized.replace(DIGITS_RE, '#') : normalized;
  const out = new Map<string, number>();
  const add = (key: string, w: number): void => {
    out.set(key, (out.get(key) ?? 0) + w);
  };
  const chars = Array.from(text);
  if (options.boundaries) {
    chars.unshift('^');
    chars.push('$');
  }
  for (let n = options.charMin; n <= options.charMax; n++) {
    const w = options.charWeights[n - 1] ?? 1;
    if (w === 0) continue;
    for (let i = 0; i + n <= chars.length; i++) {
      const gram = n === 1 ? (chars[i] as string) : chars.slice(i, i + n).join('');
      // Lone boundary markers carry no information.
      if (gram === '^' || gram === '$') continue;
      add(`c${gram}`, w);
    }
  }
  if (options.skipWeight > 0) {
    for (let i = 0; i + 2 < chars.length; i++) add(`s${chars[i]}${chars[i + 2]}`, options.skipWeight);
  }
  if (options.wordWeight > 0 || options.wordBigramWeight > 0) {
    const words = segmentWords(text);
    if (options.wordWeight > 0) for (const word of words) add(`w${word}`, options.wordWeight);
    if (options.wordBigramWeight > 0) {
      for (let i = 0; i + 1 < words.length; i++) add(`b${words[i]}|${words[i + 1]}`, options.wordBigramWeight);
    }
  }
  return out;
}
