import { scenariosOf, type IntentCue, type OutreachScenario, type ShopOutreach, type Stage } from '@warroom/contracts';

/** The cues a session has shown so far, by scenario (cue ids: a cue counts once however often it recurs). */
export type SessionCues = Map<OutreachScenario, Set<string>>;

export interface Intent {
  scenario: OutreachScenario;
  /** 0–1, two decimals: finer steps would record an `intent` event for changes nobody acts on. */
  score: number;
}

/** Lower case and without spaces, so "有 货 吗" and "Coupon" match the pack's phrases. */
function normalise(text: string): string {
  return text.toLowerCase().replace(/\s+/g, '');
}

/** Each cue's phrases normalised once: every customer message is checked against all of them. */
const normalisedPhrases = new WeakMap<IntentCue, string[]>();

function phrasesOf(cue: IntentCue): string[] {
  let phrases = normalisedPhrases.get(cue);
  if (!phrases) {
    phrases = cue.phrases.map(normalise);
    normalisedPhrases.set(cue, phrases);
  }
  return phrases;
}

/** Adds the cues of one customer message, in the stage it was asked in, to the session's; returns whether any was new. */
export function observeCues(cues: SessionCues, text: string, stage: Stage, rules: ShopOutreach): boolean {
  const said = normalise(text);
  let added = false;
  for (const { scenario, rule } of scenariosOf(rules)) {
    if (rule.stages && !rule.stages.includes(stage)) continue;
    for (const cue of rule.cues) {
      if (!phrasesOf(cue).some((phrase) => said.includes(phrase))) continue;
      let seen = cues.get(scenario);
      if (!seen) {
        seen = new Set();
        cues.set(scenario, seen);
      }
      if (!seen.has(cue.id)) {
        seen.add(cue.id);
        added = true;
      }
    }
  }
  return added;
}

/**
 * The session's intent: the scenario whose cues give the highest score, where cues combine as
 * 1 − Π(1 − weight) (each cue is independent evidence, the score stays below 1 and grows with every cue);
 * ties go to the earlier scenario of the contract. Null when no cue was seen. A cue id the rules no longer
 * have (a pack changed) counts nothing.
 */
export function scoreIntent(cues: SessionCues, rules: ShopOutreach): Intent | null {
  let best: Intent | null = null;
  for (const { scenario, rule } of scenariosOf(rules)) {
    const seen = cues.get(scenario);
    if (!seen || seen.size === 0) continue;
    let miss = 1;
    for (const cue of rule.cues) if (seen.has(cue.id)) miss *= 1 - cue.weight;
    const score = Math.round((1 - miss) * 100) / 100;
    if (score > 0 && (best === null || score > best.score)) best = { scenario, score };
  }
  return best;
}

/** Whether a session with this intent is high-intent by its scenario's threshold. */
export function isHighIntent(intent: Intent | null, rules: ShopOutreach): boolean {
  if (!intent) return false;
  const rule = rules.scenarios[intent.scenario];
  return rule !== undefined && intent.score >= rule.threshold;
}
