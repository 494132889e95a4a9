/**
 * Evaluation of libs/matcher with the protocol of shared/docs/EVAL.md.
 *
 *   node -r @swc-node/register scripts/eval-matcher.ts --select FILE [--known-intents-from OTHER] [--seed 42] [--json]
 *   ... --baseline   the reference baseline (char 1-2-gram TF-IDF, answers scored by the mean of their 3 best
 *                    examples, leader clustering) to check that the protocol reproduces the published numbers
 *   ... --options JSON, --cluster-options JSON   experiment hooks: MatcherOptions and GapClustererOptions
 *
 * Progress goes to stderr; with --json the last line of stdout is the result object.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { issuesText } from '@warroom/contracts';
import { GapClusterer, Matcher, normalizeQuestion, type GapClustererOptions, type MatcherOptions } from '@warroom/matcher';
import { z } from 'zod';
import {
  adjustedRandIndex,
  auroc,
  groupByIntent,
  mean,
  operatingPoint,
  purity,
  splitKnowledgeBase,
  type LabelledRow,
  type ScoredQuery,
} from '../libs/matcher/src/evaluate';
import { mulberry32, shuffleInPlace } from '../libs/matcher/src/random';

/** The experiment hooks' JSON: the options of `MatcherOptions` and `GapClustererOptions` that JSON can carry. */
const matcherOptionsSchema = z.strictObject({
  features: z.strictObject({ charMin: z.int(), charMax: z.int(), collapseDigits: z.boolean(), wordWeight: z.number() }).partial(),
  classifier: z.strictObject({ epochs: z.int(), learningRate: z.number(), decay: z.number(), dropout: z.number(), maxSteps: z.int() }).partial(),
  topExamples: z.int(),
  classifierWeight: z.number(),
  targetPrecision: z.number(),
  calibrationFolds: z.int(),
  threshold: z.number(),
  idfRefreshRatio: z.number(),
  retrainRatio: z.number(),
  warmEpochs: z.int(),
  commonFeatureFraction: z.number(),
  commonFeatureMinAnswers: z.int(),
  rerankDepth: z.int(),
  calibrationMaxAnswers: z.int(),
  seed: z.int(),
}).partial() satisfies z.ZodType<MatcherOptions>;

const clusterOptionsSchema = z.strictObject({
  representation: z.strictObject({ includeUnseen: z.boolean(), topicality: z.number() }).partial(),
  recurrence: z.number(),
  threshold: z.number(),
  mergeThreshold: z.number(),
  indexTerms: z.number(),
  indexMinShare: z.number(),
  keepMembers: z.boolean(),
}).partial() satisfies z.ZodType<GapClustererOptions>;

const argsSchema = z.object({
  select: z.string({ error: '--select FILE is required' }),
  'known-intents-from': z.string().optional(),
  seed: z.coerce.number().int(),
  json: z.boolean(),
  baseline: z.boolean(),
  options: z.string().transform((text) => JSON.parse(text) as unknown).pipe(matcherOptionsSchema).optional(),
  'cluster-options': z.string().transform((text) => JSON.parse(text) as unknown).pipe(clusterOptionsSchema).optional(),
});
type Args = z.infer<typeof argsSchema>;

function readArgs(argv: string[]): Args {
  const { values } = parseArgs({
    args: argv,
    options: {
      select: { type: 'string' },
      'known-intents-from': { type: 'string' },
      seed: { type: 'string', default: '42' },
      json: { type: 'boolean', default: false },
      baseline: { type: 'boolean', default: false },
      options: { type: 'string' },
      'cluster-options': { type: 'string' },
    },
  });
  const parsed = argsSchema.safeParse(values);
  if (!parsed.success) throw new Error(`eval:matcher: ${issuesText(parsed.error)}`);
  return parsed.data;
}

/** Rows of a select file: id, question, intent (further columns are ignored). */
function readRows(path: string): LabelledRow[] {
  const rows: LabelledRow[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const [id, text, intent] = line.split('\t');
    if (id === undefined || text === undefined || intent === undefined) {
      throw new Error(`${path}: malformed line ${JSON.stringify(line.slice(0, 80))}`);
    }
    rows.push({ id: Number(id), text, intent: intent.trim() });
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------------
// What the protocol needs from a matcher, so the product and the baseline run through the same code.

interface EvalResult {
  topIds: string[];
  confidence: number;
}
interface EvalModel {
  match(text: string): EvalResult;
}
interface EvalClusterer {
  add(text: string): void;
  /** Final cluster of every question added, in order of addition (clusters may merge while feeding). */
  assignments(): number[];
}
interface EvalSystem<M extends EvalModel = EvalModel> {
  build(kb: ReadonlyMap<string, readonly string[]>): M;
  clusterer(model: M): EvalClusterer;
}

interface ProductModel extends EvalModel {
  matcher: Matcher;
}

function productSystem(
  options: MatcherOptions | undefined,
  clusterOptions: GapClustererOptions | undefined,
): EvalSystem<ProductModel> {
  return {
    build(kb) {
      const matcher = new Matcher(options);
      matcher.addAnswers([...kb].map(([id, examples]) => ({ id, examples })));
      return {
        matcher,
        match(text: string): EvalResult {
          const r = matcher.match(text, { topK: 3 });
          return { topIds: r.candidates.map((c) => c.answerId), confidence: r.confidence };
        },
      };
    },
    clusterer({ matcher }) {
      const clusterer = new GapClusterer<number>({ matcher, ...clusterOptions });
      let n = 0;
      return {
        add: (text) => {
          clusterer.add(text, n++);
        },
        assignments: () => {
          const out = new Array<number>(n).fill(-1);
          for (const c of clusterer.clusters()) for (const m of c.members) out[m.payload] = c.id;
          return out;
        },
      };
    },
  };
}

// --- Baseline: char 1-2-gram TF-IDF (smoothed idf), cosine, answer = mean of its 3 best examples. -----

type SparseVec = Map<string, number>;

function charGrams(text: string): string[] {
  const chars = Array.from(normalizeQuestion(text));
  const grams: string[] = [...chars];
  for (let i = 0; i + 1 < chars.length; i++) grams.push(`${chars[i]}${chars[i + 1]}`);
  return grams;
}

interface BaselineModel extends EvalModel {
  vectorize: (text: string) => SparseVec;
}

function baselineSystem(): EvalSystem<BaselineModel> {
  const vectorize = (text: string, idf: (g: string) => number): SparseVec => {
    const v: SparseVec = new Map();
    for (const g of charGrams(text)) v.set(g, (v.get(g) ?? 0) + 1);
    let norm = 0;
    for (const [g, tf] of v) {
      const w = tf * idf(g);
      v.set(g, w);
      norm += w * w;
    }
    norm = Math.sqrt(norm) || 1;
    for (const [g, w] of v) v.set(g, w / norm);
    return v;
  };
  const dot = (a: SparseVec, b: SparseVec): number => {
    let s = 0;
    const [small, large] = a.size < b.size ? [a, b] : [b, a];
    for (const [g, w] of small) s += w * (large.get(g) ?? 0);
    return s;
  };
  return {
    build(kb) {
      const df = new Map<string, number>();
      let n = 0;
      for (const examples of kb.values()) {
        for (const e of examples) {
          n++;
          for (const g of new Set(charGrams(e))) df.set(g, (df.get(g) ?? 0) + 1);
        }
      }
      const idf = (g: string): number => Math.log((1 + n) / (1 + (df.get(g) ?? 0))) + 1;
      const examples = [...kb].flatMap(([id, texts]) => texts.map((t) => ({ id, v: vectorize(t, idf) })));
      return {
        vectorize: (text: string) => vectorize(text, idf),
        match(text: string): EvalResult {
          const q = vectorize(text, idf);
          const sims = new Map<string, number[]>();
          for (const e of examples) {
            let list = sims.get(e.id);
            if (!list) sims.set(e.id, (list = []));
            list.push(dot(q, e.v));
          }
          const scored = [...sims].map(([id, s]) => {
            const best = s.sort((a, b) => b - a).slice(0, 3);
            return { id, score: mean(best) };
          });
          scored.sort((a, b) => b.score - a.score);
          return { topIds: scored.slice(0, 3).map((s) => s.id), confidence: scored[0]?.score ?? 0 };
        },
      };
    },
    clusterer({ vectorize: vectorizeQ }) {
      // Leader clustering: join the most similar centroid if cosine >= 0.08, else start a cluster.
      const centroids: { sum: SparseVec; id: number }[] = [];
      const assigned: number[] = [];
      return {
        assignments: () => assigned,
        add(text) {
          const v = vectorizeQ(text);
          let best: { sum: SparseVec; id: number } | undefined;
          let bestSim = 0.08;
          for (const c of centroids) {
            let norm = 0;
            for (const w of c.sum.values()) norm += w * w;
            const sim = dot(v, c.sum) / (Math.sqrt(norm) || 1);
            if (sim >= bestSim) {
              bestSim = sim;
              best = c;
            }
          }
          if (!best) {
            best = { sum: new Map(), id: centroids.length };
            centroids.push(best);
          }
          for (const [g, w] of v) best.sum.set(g, (best.sum.get(g) ?? 0) + w);
          assigned.push(best.id);
        },
      };
    },
  };
}

// ---------------------------------------------------------------------------------------------------

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

const round = (x: number, digits = 4): number => (Number.isFinite(x) ? Number(x.toFixed(digits)) : x);

interface GapFigures {
  auroc: number;
  threshold: number;
  coverage: number;
  flagged: number;
  purity: number;
  ari: number;
}

/**
 * Steps 2, 4 and 5 for one set of unknown intents: build the KB from the known intents' KB halves, match
 * every query (known queries + all questions of unknown intents), find the operating point, then cluster
 * the unknown queries left unmatched, in file order.
 */
function gapFigures<M extends EvalModel>(
  system: EvalSystem<M>,
  rows: readonly LabelledRow[],
  kbIds: ReadonlyMap<string, readonly number[]>,
  unknown: ReadonlySet<string>,
): GapFigures & { nKb: number; nQueries: number } {
  const byId = new Map(rows.map((r) => [r.id, r]));
  const kb = new Map<string, string[]>();
  const kbIdSet = new Set<number>();
  for (const [intent, ids] of kbIds) {
    if (unknown.has(intent)) continue;
    kb.set(
      intent,
      ids.map((id) => (byId.get(id) as LabelledRow).text),
    );
    for (const id of ids) kbIdSet.add(id);
  }
  const model = system.build(kb);
  const queries = rows.filter((r) => !kbIdSet.has(r.id)); // file order
  const scored: (ScoredQuery & { row: LabelledRow })[] = queries.map((row) => {
    const r = model.match(row.text);
    const known = !unknown.has(row.intent);
    return { row, confidence: r.confidence, known, correct: known && r.topIds[0] === row.intent };
  });
  const op = operatingPoint(scored, 0.9);
  const gaps = scored.filter((q) => !q.known && q.confidence < op.threshold);
  const clusterer = system.clusterer(model);
  for (const q of gaps) clusterer.add(q.row.text);
  const assigned = clusterer.assignments();
  const truth = gaps.map((q) => q.row.intent);
  return {
    auroc: auroc(
      scored.map((q) => 1 - q.confidence),
      scored.map((q) => !q.known),
    ),
    threshold: op.threshold,
    coverage: op.coverage,
    flagged: op.flagged,
    purity: purity(truth, assigned),
    ari: adjustedRandIndex(truth, assigned),
    nKb: kbIdSet.size,
    nQueries: queries.length,
  };
}

function main(): void {
  const args = readArgs(process.argv.slice(2));
  if (args.baseline) run(args, baselineSystem());
  else run(args, productSystem(args.options, args['cluster-options']));
}

function run<M extends EvalModel>(args: Args, system: EvalSystem<M>): void {
  const rows = readRows(args.select);
  const byId = new Map(rows.map((r) => [r.id, r]));
  if (byId.size !== rows.length) throw new Error(`${args.select}: duplicate ids`);
  const split = splitKnowledgeBase(rows, mulberry32(args.seed));
  const intents = [...groupByIntent(rows).keys()];
  log(`${rows.length} questions, ${intents.length} intents, seed ${args.seed}`);

  // Step 3 (ranking) and step 6 (speed): every intent in the KB when no known-intents file is given.
  let unknownSets: Set<string>[];
  if (args['known-intents-from']) {
    const known = new Set(readRows(args['known-intents-from']).map((r) => r.intent));
    unknownSets = [new Set(intents.filter((i) => !known.has(i)))];
  } else {
    unknownSets = [0, 1, 2, 3, 4].map((r) => {
      const shuffled = shuffleInPlace([...intents], mulberry32(1000 + r));
      return new Set(shuffled.slice(0, 10));
    });
  }
  const rankingUnknown = args['known-intents-from'] ? (unknownSets[0] as Set<string>) : new Set<string>();

  const kb = new Map<string, string[]>();
  const kbIdSet = new Set<number>();
  for (const [intent, ids] of split.kb) {
    if (rankingUnknown.has(intent)) continue;
    kb.set(
      intent,
      ids.map((id) => (byId.get(id) as LabelledRow).text),
    );
    for (const id of ids) kbIdSet.add(id);
  }
  let t0 = performance.now();
  const model = system.build(kb);
  log(`built KB of ${kbIdSet.size} examples in ${kb.size} answers in ${(performance.now() - t0).toFixed(0)} ms`);
  const knownQueries = rows.filter((r) => !kbIdSet.has(r.id) && !rankingUnknown.has(r.intent));
  let top1 = 0;
  let top3 = 0;
  for (const row of knownQueries) {
    const r = model.match(row.text);
    if (r.topIds[0] === row.intent) top1++;
    if (r.topIds.slice(0, 3).includes(row.intent)) top3++;
  }
  top1 /= knownQueries.length;
  top3 /= knownQueries.length;
  log(`ranking: top1 ${top1.toFixed(4)}, top3 ${top3.toFixed(4)} over ${knownQueries.length} queries`);

  // Speed: repeat the known queries until at least a second of matching has been measured.
  let matched = 0;
  t0 = performance.now();
  let elapsed = 0;
  while (elapsed < 1000) {
    for (const row of knownQueries) model.match(row.text);
    matched += knownQueries.length;
    elapsed = performance.now() - t0;
  }
  const queriesPerSec = (matched / elapsed) * 1000;
  log(`speed: ${queriesPerSec.toFixed(0)} queries/s`);

  const draws: GapFigures[] = [];
  let nQueries = 0;
  let nKb = 0;
  unknownSets.forEach((unknown, r) => {
    const g = gapFigures(system, rows, split.kb, unknown);
    draws.push(g);
    if (args['known-intents-from']) {
      nQueries = g.nQueries;
      nKb = g.nKb;
    }
    log(
      `draw ${r}: auroc ${g.auroc.toFixed(4)} threshold ${g.threshold.toFixed(4)} coverage ${g.coverage.toFixed(4)} ` +
        `flagged ${g.flagged.toFixed(4)} purity ${g.purity.toFixed(4)} ari ${g.ari.toFixed(4)}`,
    );
  });
  if (!args['known-intents-from']) {
    nQueries = rows.length - kbIdSet.size;
    nKb = kbIdSet.size;
  }
  const avg = (k: keyof GapFigures): number => mean(draws.map((d) => d[k]));
  const result = {
    queries: nQueries,
    kbItems: nKb,
    top1: round(top1),
    top3: round(top3),
    gapAuroc: round(avg('auroc')),
    threshold: round(avg('threshold')),
    coverage: round(avg('coverage')),
    flagged: round(avg('flagged')),
    purity: round(avg('purity')),
    ari: round(avg('ari')),
    queriesPerSec: Math.round(queriesPerSec),
  };
  if (args.json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } else {
    for (const [k, v] of Object.entries(result)) process.stdout.write(`${k.padEnd(14)} ${v}\n`);
  }
}

main();
