import type { Emotion, EmotionName } from '@warroom/contracts';

/**
 * Emotion of one customer message: one of the 7 emotions of DESIGN.md with an intensity 0–1, by a
 * lexicon, so every decision can be explained and tested.
 *
 * Method:
 * 1. Normalise: NFKC (full-width ！？ become ! ?) and lower case.
 * 2. Cues: every cue word of the lexicon below, found leftmost-longest in one pass (so 不放心 is not
 *    read as 放心, 着急 not as 急). Each cue has an emotion and a weight (0.2–0.9).
 * 3. Context, within the same clause and the 3 characters before the cue:
 *    - an intensifier (非常, 太, 特别, 真的, 很 …) multiplies the weight by 1.5;
 *    - a negator (不, 没, 别, 无 …) cancels a negative cue (不生气, 别着急 say nothing), and turns a
 *      positive cue into its opposite at 0.8 of its weight (不满意 → disappointed, 不放心 → worried).
 * 4. Punctuation: each `!` adds 0.1 (at most 0.3) to angry and anxious when the message already has
 *    such a cue; a run of two or more `?` adds 0.15 per extra mark (at most 0.45) to anxious, cue or not
 *    (在吗??? is impatience).
 * 5. The emotion with the largest sum wins; ties go to the one that matters more to the shop (angry,
 *    anxious, worried, disappointed, grateful, satisfied). No cue at all: neutral, intensity 0.
 * 6. Intensity = 1 − e^(−1.5 × sum), two decimals: one mild cue (0.6) gives 0.59, a strong one (0.9)
 *    0.74, an intensified or repeated one 0.8 and more. The handoff rule (angry ≥ 0.7 by default) is
 *    thus met by one strong insult, or a mild one said with force (太生气了, 生气!!).
 */

interface Cue {
  emotion: Exclude<EmotionName, 'neutral'>;
  weight: number;
  /** What a negated positive cue means; negative cues are simply cancelled by a negation. */
  negatedTo?: Exclude<EmotionName, 'neutral'>;
}

const LEXICON: Record<Exclude<EmotionName, 'neutral'>, Record<string, number>> = {
  angry: {
    生气: 0.6, 气死: 0.9, 气人: 0.7, 火大: 0.8, 愤怒: 0.8, 恼火: 0.7, 垃圾: 0.8, 骗子: 0.9, 骗人: 0.8,
    欺骗: 0.8, 坑人: 0.8, 坑爹: 0.7, 忽悠: 0.7, 投诉: 0.7, 差评: 0.6, 无语: 0.4, 离谱: 0.6, 过分: 0.6,
    恶心: 0.8, 滚蛋: 0.9, 什么破: 0.7, 破玩意: 0.8, 烂透: 0.8, 耍我: 0.8, 退钱: 0.6, 黑店: 0.9,
    奸商: 0.9, 受够了: 0.8, 差劲: 0.7, 忍无可忍: 0.9, 岂有此理: 0.8, 搞什么: 0.6, 有病: 0.7,
    '12315': 0.8, 曝光: 0.6, 维权: 0.6,
  },
  anxious: {
    着急: 0.6, 急死: 0.9, 急用: 0.7, 急: 0.5, 焦虑: 0.6, 赶紧: 0.5, 快点: 0.5, 尽快: 0.4, 马上: 0.3,
    催: 0.4, 怎么还没: 0.6, 还没到: 0.5, 还没发: 0.5, 还没收到: 0.5, 等了好久: 0.6, 等不及: 0.6,
    等了: 0.3, 到底: 0.4, 来不及: 0.5, 太慢: 0.5, 好慢: 0.5, 这么慢: 0.5,
  },
  worried: {
    担心: 0.6, 担忧: 0.6, 害怕: 0.6, 怕: 0.4, 万一: 0.4, 会不会坏: 0.5, 靠谱吗: 0.4, 假货: 0.5,
    翻新: 0.4, 安全吗: 0.4, 会不会: 0.3, 心里没底: 0.6, 顾虑: 0.5, 忐忑: 0.6,
  },
  disappointed: {
    失望: 0.7, 失落: 0.7, 可惜: 0.5, 遗憾: 0.5, 算了: 0.5, 唉: 0.4, 哎: 0.3, 后悔: 0.6, 白等: 0.6,
    没想到: 0.3, 不值: 0.5, 心寒: 0.7, 伤心: 0.6, 难过: 0.6, 郁闷: 0.5,
  },
  satisfied: {
    满意: 0.6, 不错: 0.5, 挺好: 0.5, 很好: 0.5, 好评: 0.6, 喜欢: 0.5, 好用: 0.5, 棒: 0.6, 给力: 0.6,
    完美: 0.7, 放心: 0.4, 靠谱: 0.4, 划算: 0.5, 物超所值: 0.7, 超值: 0.6, 开心: 0.6, 惊喜: 0.6,
    点赞: 0.6, 满分: 0.7,
  },
  grateful: {
    谢谢: 0.6, 感谢: 0.7, 多谢: 0.6, 谢啦: 0.5, 辛苦了: 0.6, 辛苦: 0.4, 麻烦你了: 0.4, 感激: 0.8,
    thanks: 0.5, thx: 0.5, '3q': 0.4,
  },
};

/** Where a negated positive cue leads, when it is not simply disappointment. */
const NEGATED_TO: Record<string, Exclude<EmotionName, 'neutral'>> = { 放心: 'worried', 靠谱: 'worried' };

const INTENSIFIERS = ['非常', '特别', '超级', '十分', '极其', '极度', '相当', '简直', '实在', '真的', '真是', '太', '很', '好', '超', '巨', '贼', '挺'];
const NEGATORS = ['不', '没', '别', '无', '未', '莫', '勿'];
const CLAUSE_BREAK = /[,.;:!?~\n，。；：…、]/;
const CONTEXT_CHARS = 3;
const INTENSIFIER_FACTOR = 1.5;
const NEGATED_POSITIVE_FACTOR = 0.8;

const POSITIVE = new Set<EmotionName>(['satisfied', 'grateful']);
/** Tie-break order: what matters more to the shop first. */
const PRIORITY: Exclude<EmotionName, 'neutral'>[] = ['angry', 'anxious', 'worried', 'disappointed', 'grateful', 'satisfied'];

const CUES = new Map<string, Cue>();
for (const emotion of PRIORITY) {
  for (const [word, weight] of Object.entries(LEXICON[emotion])) {
    if (CUES.has(word)) throw new Error(`emotion lexicon: "${word}" is listed twice`);
    CUES.set(word, {
      emotion,
      weight,
      negatedTo: POSITIVE.has(emotion) ? (NEGATED_TO[word] ?? 'disappointed') : undefined,
    });
  }
}
// Longest first: a regex alternation takes the first alternative that matches at a position.
const CUE_RE = new RegExp(
  [...CUES.keys()]
    .sort((a, b) => b.length - a.length)
    .map((word) => word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('|'),
  'g',
);

/** Detects the emotion of a message (see the method above). Pure and fast: one regex pass. */
export function detectEmotion(text: string): Emotion {
  const normalized = text.normalize('NFKC').toLowerCase();
  const scores: Record<Exclude<EmotionName, 'neutral'>, number> = {
    angry: 0,
    anxious: 0,
    worried: 0,
    disappointed: 0,
    satisfied: 0,
    grateful: 0,
  };
  for (const found of normalized.matchAll(CUE_RE)) {
    const cue = CUES.get(found[0]);
    if (!cue) continue;
    const context = clauseContext(normalized, found.index);
    const intensified = INTENSIFIERS.some((word) => context.includes(word));
    const negated = NEGATORS.some((word) => context.includes(word));
    const weight = cue.weight * (intensified ? INTENSIFIER_FACTOR : 1);
    if (!negated) scores[cue.emotion] += weight;
    else if (cue.negatedTo) scores[cue.negatedTo] += weight * NEGATED_POSITIVE_FACTOR;
  }
  const exclamations = countOf(normalized, '!');
  if (exclamations > 0) {
    const boost = Math.min(0.3, 0.1 * exclamations);
    if (scores.angry > 0) scores.angry += boost;
    if (scores.anxious > 0) scores.anxious += boost;
  }
  const questionRun = longestRun(normalized, '?');
  if (questionRun >= 2) scores.anxious += Math.min(0.45, 0.15 * (questionRun - 1));

  let best: Exclude<EmotionName, 'neutral'> | null = null;
  for (const emotion of PRIORITY) {
    if (scores[emotion] > 0 && (best === null || scores[emotion] > scores[best])) best = emotion;
  }
  if (best === null) return { name: 'neutral', intensity: 0 };
  return { name: best, intensity: intensityOf(scores[best]) };
}

export function intensityOf(score: number): number {
  return Math.round((1 - Math.exp(-1.5 * score)) * 100) / 100;
}

/** Up to CONTEXT_CHARS characters before `index`, not reaching back past a clause break. */
function clauseContext(text: string, index: number): string {
  const window = text.slice(Math.max(0, index - CONTEXT_CHARS), index);
  let start = 0;
  for (let i = window.length - 1; i >= 0; i -= 1) {
    if (CLAUSE_BREAK.test(window[i] ?? '')) {
      start = i + 1;
      break;
    }
  }
  return window.slice(start);
}

function countOf(text: string, char: string): number {
  let count = 0;
  for (const c of text) if (c === char) count += 1;
  return count;
}

function longestRun(text: string, char: string): number {
  let best = 0;
  let run = 0;
  for (const c of text) {
    run = c === char ? run + 1 : 0;
    if (run > best) best = run;
  }
  return best;
}
