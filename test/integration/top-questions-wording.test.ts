/**
 * The wall's top-10 in the customers' words (issue 22), through real parts: kafkajs → dev broker → ingest →
 * dev store → live metrics over REST. Each listed answer shows the text its customers asked most (masked),
 * with the answer's title from the packs the api loaded; small talk, though asked most, counts in the
 * volume and is not listed. The expectations are written by hand from the events below and the pack file.
 */
import { readFileSync } from 'node:fs';
import { liveSnapshotSchema, type ChatEvent, type LiveSnapshot } from '@warroom/contracts';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AppProcess } from '../../infra/dev/app-process';
import { questionEvent } from '../support/events';
import { KIOSK_TOKEN, usePipeline, waitFor } from '../support/pipeline';

const SHOP = 'demo-electronics';
const RUN = `tw${process.pid}`;

/** The industry pack the shop refines: an answer's title is its first example question. */
const industry = JSON.parse(readFileSync('packs/industry/consumer-electronics.json', 'utf8')) as { answers: { id: string; examples: string[] }[] };
const titleOf = (answerId: string): string => industry.answers.find((answer) => answer.id === answerId)!.examples[0]!;

/** [answer, text, times asked]. */
const ASKED: [string, string, number][] = [
  ['smalltalk.greeting', '你好', 9],
  ['delivery-time', '我电话13812345678 今天能发货吗', 4],
  ['delivery-time', '啥时候发货', 3],
  ['delivery-time', '  什么时候能发出  ', 1],
  ['invoice', '发票怎么开', 2],
  ['invoice', '<b>能开专票吗</b>', 1],
];

function events(): ChatEvent[] {
  const now = Date.now();
  let n = 0;
  return ASKED.flatMap(([answerId, text, times]) =>
    Array.from({ length: times }, () => {
      n += 1;
      return questionEvent({
        eventId: `${RUN}-${n}`,
        eventTime: new Date(now - n * 1_000).toISOString(),
        shopId: SHOP,
        sessionId: `${RUN}-s${n}`,
        customerId: `${RUN}-c${n}`,
        text,
        match: { answerId, revision: 1, score: 0.9 },
      });
    }),
  );
}

describe('the top-10 in the customers’ words', () => {
  const pipeline = usePipeline();
  let api: AppProcess;
  let producedAt = 0;

  beforeAll(async () => {
    const p = pipeline();
    api = await p.startApp('ingest,api');
    const produced = events();
    await p.produce(produced.map((event) => ({ key: event.sessionId, value: JSON.stringify(event) })));
    producedAt = Date.now();
  });

  /** The first snapshot holding every question whose top-10 satisfies `settled` (wordings are re-read every few seconds). */
  async function snapshot(settled: (s: LiveSnapshot) => boolean): Promise<LiveSnapshot> {
    const params = new URLSearchParams({ shop: SHOP, window: '5m', source: 'live' });
    let last: LiveSnapshot | undefined;
    await waitFor(
      async () => {
        const response = await fetch(`${api.url}/api/metrics/snapshot?${params.toString()}`, { headers: { authorization: `Bearer ${KIOSK_TOKEN}` } });
        if (response.status !== 200) return false;
        last = liveSnapshotSchema.parse(await response.json());
        return Date.parse(last.asOf) > producedAt && last.questions === 20 && settled(last);
      },
      90_000,
      () => `no snapshot holding the 20 questions (last: ${JSON.stringify(last?.topQuestions ?? null)}, ${last?.questions ?? 0} questions)`,
    );
    return last!;
  }

  it('lists each answer as its most asked wording, masked, with its title; small talk only in the volume', async () => {
    const expected = [
      { answerId: 'delivery-time', count: 8, wording: '我电话[手机号] 今天能发货吗', title: titleOf('delivery-time') },
      { answerId: 'invoice', count: 3, wording: '发票怎么开', title: titleOf('invoice') },
    ];
    const shown = (s: LiveSnapshot) => s.topQuestions.map(({ answerId, count, wording, title }) => ({ answerId, count, wording, title }));
    const s = await snapshot((candidate) => JSON.stringify(shown(candidate)) === JSON.stringify(expected));
    expect(s.questions).toBe(20);
    expect(shown(s)).toEqual(expected);
    expect(JSON.stringify(s.topQuestions)).not.toContain('13812345678');
  });
});
