import { describe, expect, it } from 'vitest';
import { GapClusterer, Matcher, strongestTerms } from '@warroom/matcher';

const KB = [
  { id: 'invoice', examples: ['可以开发票吗', '我要开增值税专用发票', '电子发票在哪里下载', '发票抬头写错了能重开吗'] },
  { id: 'return', examples: ['怎么申请退货', '衣服不合适想退掉', '退货要自己付运费吗', '退货的快递怎么寄回去'] },
  { id: 'ship-time', examples: ['什么时候发货', '下单三天了还没发货', '仓库几点出库', '预售的东西多久发货'] },
];

// Two topics the KB does not cover, interleaved as they would arrive.
const GAPS: [string, string][] = [
  ['礼品卡怎么绑定到账户', 'gift'],
  ['冰箱安装要收费吗', 'install'],
  ['礼品卡余额怎么查询', 'gift'],
  ['空调安装师傅收了费用', 'install'],
  ['我的礼品卡绑定失败了', 'gift'],
  ['安装费是多少钱', 'install'],
  ['礼品卡可以买生鲜吗', 'gift'],
];

function clusterOf(clusterer: GapClusterer<string>): Map<string, number> {
  const out = new Map<string, number>();
  for (const c of clusterer.clusters()) for (const m of c.members) out.set(m.text, c.id);
  return out;
}

describe('GapClusterer', () => {
  it('groups paraphrases of the same unanswered topic, online', () => {
    const matcher = new Matcher();
    matcher.addAnswers(KB);
    const clusterer = new GapClusterer<string>({ matcher });
    const first = clusterer.add(GAPS[0]![0], GAPS[0]![1]);
    expect(first.isNew).toBe(true);
    for (const [text, topic] of GAPS.slice(1)) clusterer.add(text, topic);

    const assignment = clusterOf(clusterer);
    const gift = GAPS.filter(([, t]) => t === 'gift').map(([text]) => assignment.get(text));
    const install = GAPS.filter(([, t]) => t === 'install').map(([text]) => assignment.get(text));
    expect(new Set(gift).size).toBe(1);
    expect(new Set(install).size).toBe(1);
    expect(gift[0]).not.toBe(install[0]);

    const clusters = clusterer.clusters();
    expect(clusters[0]?.size).toBe(4); // largest first
    expect(clusters[0]?.members.every((m) => m.payload === 'gift')).toBe(true);
    expect(clusters[0]?.representative).toContain('礼品卡');
  });

  it('works without a matcher and keeps ids resolvable after merges', () => {
    const clusterer = new GapClusterer<number>();
    const a = clusterer.add('礼品卡怎么绑定', 1);
    const b = clusterer.add('礼品卡怎么绑定呢', 2);
    expect(b.isNew).toBe(false);
    expect(clusterer.resolve(a.clusterId)).toBe(clusterer.resolve(b.clusterId));
    const c = clusterer.add('周末去爬山', 3);
    expect(c.isNew).toBe(true);
    expect(clusterer.clusters()).toHaveLength(2);
  });
});

/** A small deterministic generator (mulberry32). */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Paraphrases of the two gap topics mixed with unrelated one-off questions, in a shuffled order. */
function stream(random: () => number): string[] {
  const oneOffs = ['周末去爬山', '你们老板是谁', '今天天气不错', '手机壳有粉色的吗', '快递员态度很差', '能便宜点吗', '为什么不回复我'];
  const texts = [...GAPS.map(([text]) => text), ...oneOffs, '礼品卡能转赠给朋友吗', '洗衣机安装要自己买配件吗', '礼品卡过期了怎么办'];
  for (let i = 0; i < 40; i += 1) {
    let garbage = '';
    for (let j = 0; j < 8; j += 1) garbage += String.fromCodePoint(0x4e00 + Math.floor(random() * 0x5000));
    texts.push(garbage);
  }
  for (let i = texts.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [texts[i], texts[j]] = [texts[j]!, texts[i]!];
  }
  return texts;
}

describe('GapClusterer candidate index', () => {
  const matcher = new Matcher();
  matcher.addAnswers(KB);

  it('finds the same clusters through the index of the strongest terms as through every term', () => {
    // Indexed under every term of every centroid, a cluster that is not a candidate shares no term with
    // the question: its cosine is 0, so that index is exactly the comparison with every cluster.
    for (let seed = 1; seed <= 5; seed += 1) {
      const texts = stream(seeded(seed));
      const indexed = new GapClusterer<string>({ matcher });
      const everyTerm = new GapClusterer<string>({ matcher, indexTerms: Number.POSITIVE_INFINITY, indexMinShare: 0 });
      for (const text of texts) {
        const a = indexed.add(text, text);
        const b = everyTerm.add(text, text);
        expect(a).toEqual(b);
      }
      expect(indexed.clusters()).toEqual(everyTerm.clusters());
    }
  });

  it('forgets a removed cluster, and the ids merged into it, so that its topic starts again', () => {
    const clusterer = new GapClusterer<number>();
    const a = clusterer.add('礼品卡怎么绑定', 1);
    clusterer.add('礼品卡怎么绑定呢', 2);
    clusterer.add('周末去爬山', 3);
    expect(clusterer.size).toBe(2);
    clusterer.remove(clusterer.resolve(a.clusterId));
    expect(clusterer.size).toBe(1);
    const again = clusterer.add('礼品卡怎么绑定', 4);
    expect(again.isNew).toBe(true);
    expect(clusterer.clusters().map((c) => c.size)).toEqual([1, 1]);
  });

  it('keeps sizes but no members when asked not to keep them', () => {
    const clusterer = new GapClusterer<number>({ matcher, keepMembers: false });
    for (const [index, [text]] of GAPS.entries()) clusterer.add(text, index);
    expect(clusterer.clusters().map((c) => [c.size, c.members.length])).toEqual([
      [4, 0],
      [3, 0],
    ]);
  });

  it('answers, without keeping members, how close a question is to a cluster and which text labels it', () => {
    const clusterer = new GapClusterer<null>({ matcher, keepMembers: false });
    const gift = GAPS.filter(([, topic]) => topic === 'gift').map(([text]) => text);
    let giftId = -1;
    for (const [text, topic] of GAPS) {
      const { clusterId } = clusterer.add(text, null);
      if (topic === 'gift') giftId = clusterId;
    }
    const sizeBefore = clusterer.clusters().map((c) => c.size);
    expect(clusterer.similarity('礼品卡怎么绑定', giftId)).toBeGreaterThanOrEqual(clusterer.threshold);
    expect(clusterer.similarity('冰箱安装收费吗', giftId)).toBeLessThan(clusterer.threshold);
    expect(clusterer.clusters().map((c) => c.size)).toEqual(sizeBefore); // asking adds nothing
    expect(clusterer.nearest(giftId, ['冰箱安装要收费吗', ...gift])).toContain('礼品卡');
    expect(clusterer.nearest(giftId, [])).toBe('');
    clusterer.remove(clusterer.resolve(giftId));
    expect(() => clusterer.similarity('礼品卡', giftId)).toThrow(/removed/);
  });

  it('indexes a centroid under its strongest terms only', () => {
    const sum = new Map([
      ['a', 1],
      ['b', 0.5],
      ['c', 0.5],
      ['d', 0.01],
      ['e', 0.2],
    ]);
    expect(strongestTerms(sum, 3, 0)).toEqual(['a', 'b', 'c']);
    expect(strongestTerms(sum, 10, 0.05)).toEqual(['a', 'b', 'c', 'e']);
    expect(strongestTerms(new Map(), 3, 0)).toEqual([]);
  });
});
