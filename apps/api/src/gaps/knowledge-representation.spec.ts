import { resolve } from 'node:path';
import { GapClusterer } from '@warroom/matcher';
import { parsePackFiles, readPackFiles } from '@warroom/knowledge';
import { describe, expect, it } from 'vitest';
import { DEFAULT_GAP_ENGINE_SETTINGS } from './gap-engine';
import { knowledgeRepresentation } from './knowledge-representation';

const represent = knowledgeRepresentation(parsePackFiles(readPackFiles(resolve(__dirname, '../../../../packs'))));

/** One topic, one question of it wrapped in markup (a customer pasting, or a hostile one). */
const TOPIC = ['以旧换新怎么折算 <img src=x onerror="window.__gapInjected=1">', '以旧换新怎么折算价格', '以旧换新折算多少 电话13812345678', '旧手机以旧换新能折算多少钱'];

function orders<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, i) => orders([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

describe('gaps in the knowledge packs’ representation', () => {
  it('keeps one topic in one gap whatever order its questions come in, markup and all', () => {
    const split = orders(TOPIC).filter((order) => {
      const clusterer = new GapClusterer<null>({ represent, threshold: DEFAULT_GAP_ENGINE_SETTINGS.threshold, mergeThreshold: DEFAULT_GAP_ENGINE_SETTINGS.mergeThreshold });
      for (const text of order) clusterer.add(text, null);
      return clusterer.clusters().length !== 1;
    });
    expect(split.map((order) => order.map((text) => text.slice(0, 8)).join(' | '))).toEqual([]);
  });
});
