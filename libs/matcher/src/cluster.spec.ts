import { describe, expect, it } from 'vitest';
import { GapClusterer, Matcher } from '@warroom/matcher';

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
    expect(clusters[0]?.members.every((m) => m.meta === 'gift')).toBe(true);
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
