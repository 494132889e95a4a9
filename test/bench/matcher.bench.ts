/**
 * bench:matcher — libs/matcher alone, in one thread, with the synthetic knowledge base of bench:bot:
 * time to load and train N answers, matching throughput and latency on paraphrased questions, and the
 * latency of each incremental update (add an answer, add examples, replace an answer's examples, retire an
 * answer) until it takes effect: the update call plus `prepare()`, i.e. what the next match would pay.
 * Every update is checked to have taken effect (the paraphrase of a new answer ranks it first, a retired
 * answer is gone).
 *
 *   npm run -s bench:matcher -- --json [--answers 3000] [--updates 20] [--seconds 3]
 *
 * Progress goes to stderr. Last line of stdout:
 * {"answers","loadMs","prepareMs","matchPerSec","matchP99Ms","top1","updates":{kind:{"p50Ms","maxMs"}}}
 * (top1: share of paraphrases whose first candidate is their answer)
 */
import { parseArgs } from 'node:util';
import { Matcher, mulberry32 } from '@warroom/matcher';
import { ENDINGS, EXAMPLE_FORMS, NONSENSE, OPENINGS, QUESTION_FORMS, SYNTHETIC_ANSWER_LIMIT, pairOf } from './synthetic-kb';

const { values } = parseArgs({
  options: {
    answers: { type: 'string', default: '3000' },
    updates: { type: 'string', default: '20' },
    seconds: { type: 'string', default: '3' },
    json: { type: 'boolean', default: false },
  },
});
const ANSWERS = Number(values.answers);
const UPDATES = Number(values.updates);
const SECONDS = Number(values.seconds);
if (![ANSWERS, UPDATES, SECONDS].every((n) => Number.isInteger(n) && n > 0) || ANSWERS + UPDATES > SYNTHETIC_ANSWER_LIMIT) {
  throw new Error(`usage: --answers N --updates N --seconds N (answers + updates <= ${SYNTHETIC_ANSWER_LIMIT})`);
}
const log = (message: string): void => void process.stderr.write(`${message}\n`);

const examplesOf = (index: number): string[] => {
  const [thing, aspect] = pairOf(index);
  return EXAMPLE_FORMS.map((form) => form(thing, aspect));
};
const rng = mulberry32(42);
const pick = <T>(items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;
const paraphrase = (index: number): string => {
  const [thing, aspect] = pairOf(index);
  return `${pick(OPENINGS)}${pick(QUESTION_FORMS)(thing, aspect)}${pick(ENDINGS)}`;
};

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
const round = (x: number, digits = 2): number => Number(x.toFixed(digits));
/** A word no answer uses (two rare CJK characters per update; digits would be collapsed by the features). */
const newWord = (u: number, slot: number): string => String.fromCodePoint(0x9f00 - 8 * u - 2 * slot, 0x9f00 - 8 * u - 2 * slot - 1);

function main(): void {
  const matcher = new Matcher();
  let t0 = performance.now();
  for (let i = 0; i < ANSWERS; i++) matcher.addAnswer({ id: `a${i}`, examples: examplesOf(i) });
  const loadMs = performance.now() - t0;
  t0 = performance.now();
  matcher.prepare();
  const prepareMs = performance.now() - t0;
  log(`${ANSWERS} answers indexed in ${loadMs.toFixed(0)} ms, trained and calibrated in ${prepareMs.toFixed(0)} ms`);

  // Matching: paraphrases of random answers, 1 in 10 nonsense, as bench:bot's `unique` mix.
  const latencies: number[] = [];
  let hits = 0;
  let known = 0;
  let answered = 0;
  const deadline = performance.now() + SECONDS * 1000;
  const started = performance.now();
  while (performance.now() < deadline) {
    for (let k = 0; k < 100; k++) {
      const nonsense = rng() < 0.1;
      const index = Math.floor(rng() * ANSWERS);
      const text = nonsense ? pick(NONSENSE) : paraphrase(index);
      const s = performance.now();
      const result = matcher.match(text, { topK: 3 });
      latencies.push(performance.now() - s);
      if (!nonsense) {
        known += 1;
        if (result.matched) answered += 1;
        if (result.candidates[0]?.answerId === `a${index}`) hits += 1;
      }
    }
  }
  const matchSeconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  log(
    `${latencies.length} matches in ${matchSeconds.toFixed(1)} s, top1 ${(hits / known).toFixed(4)} on paraphrases, ` +
      `${(answered / known).toFixed(4)} of them above the threshold (${matcher.threshold.toFixed(3)})`,
  );

  // Incremental updates, each timed until it has taken effect (update + prepare), then checked.
  const timings: Record<string, number[]> = { addAnswer: [], addExamples: [], replaceExamples: [], removeAnswer: [] };
  const timed = (kind: string, update: () => void): void => {
    const s = performance.now();
    update();
    matcher.prepare();
    (timings[kind] as number[]).push(performance.now() - s);
  };
  const check = (ok: boolean, what: string): void => {
    if (!ok) throw new Error(`update did not take effect: ${what}`);
  };
  let missed = 0;
  const retiredIds = new Set<string>();
  /** A random answer of the original KB that is still live (updates retire some). */
  const liveAnswer = (): string => {
    for (;;) {
      const id = `a${Math.floor(rng() * ANSWERS)}`;
      if (!retiredIds.has(id)) return id;
    }
  };
  for (let u = 0; u < UPDATES; u++) {
    const fresh = ANSWERS + u;
    timed('addAnswer', () => matcher.addAnswer({ id: `a${fresh}`, examples: examplesOf(fresh) }));
    const asked = paraphrase(fresh);
    if (matcher.match(asked).candidates[0]?.answerId !== `a${fresh}`) missed += 1;
    const target = liveAnswer();
    const added = `${newWord(u, 0)}怎么办理`;
    timed('addExamples', () => matcher.addExamples(target, [added]));
    check(matcher.match(added).candidates[0]?.answerId === target, `examples of ${target}`);
    const edited = liveAnswer();
    const word = newWord(u, 1);
    timed('replaceExamples', () => matcher.replaceExamples(edited, [`${word}是什么`, `请问${word}怎么弄`]));
    check(matcher.match(`${word}怎么弄`).candidates[0]?.answerId === edited, `replaced examples of ${edited}`);
    const retired = liveAnswer();
    retiredIds.add(retired);
    timed('removeAnswer', () => void matcher.removeAnswer(retired));
    check(!matcher.match(examplesOf(Number(retired.slice(1)))[0]!, { topK: 10 }).candidates.some((c) => c.answerId === retired), `retired ${retired}`);
  }
  log(`new answers ranked first for a paraphrase: ${UPDATES - missed}/${UPDATES}`);

  const updates = Object.fromEntries(
    Object.entries(timings).map(([kind, list]) => {
      const sorted = [...list].sort((a, b) => a - b);
      return [kind, { p50Ms: round(percentile(sorted, 50)), maxMs: round(sorted[sorted.length - 1] ?? 0) }];
    }),
  );
  const result = {
    answers: ANSWERS,
    loadMs: Math.round(loadMs),
    prepareMs: Math.round(prepareMs),
    matchPerSec: Math.round(latencies.length / matchSeconds),
    matchP99Ms: round(percentile(latencies, 99)),
    top1: round(hits / known, 4),
    updates,
  };
  if (!values.json) log(JSON.stringify(result, null, 2));
  console.log(JSON.stringify(result));
}

main();
