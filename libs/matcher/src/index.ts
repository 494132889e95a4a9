/**
 * @warroom/matcher: Chinese question matching against a knowledge base, and online clustering of the
 * questions it cannot answer. Pure TypeScript, no framework and no native dependency.
 */
export { normalizeQuestion, isPlaceholderChar } from './normalize';
export { DEFAULT_FEATURE_OPTIONS, extractFeatures, type FeatureOptions } from './features';
export { DEFAULT_SOFTMAX_OPTIONS, type SoftmaxOptions } from './classifier';
export {
  Matcher,
  type AnswerInput,
  type Candidate,
  type MatchOptions,
  type MatchResult,
  type MatcherOptions,
  type RepresentOptions,
} from './matcher';
export { sparseDot, unitVector } from './sparse';
export { TfIdfIndex, type TermCounts } from './tfidf';
export {
  DEFAULT_GAP_MERGE_THRESHOLD,
  DEFAULT_GAP_RECURRENCE,
  DEFAULT_GAP_THRESHOLD,
  GapClusterer,
  strongestTerms,
  type GapCluster,
  type GapClustererOptions,
  type GapMember,
  type SparseMap,
} from './cluster';
/** The seeded generator every random choice of the library uses (see `MatcherOptions.seed`). */
export { mulberry32, type Rng } from './random';
