import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseKbPackFile, type KbPack } from '@warroom/contracts';
import { afterEach, describe, expect, it } from 'vitest';
import { readPackFiles } from '@warroom/knowledge';
import { FakeMatcher } from '../testing/fake-matcher';
import { KnowledgeBaseError } from './knowledge-base';
import { loadKnowledgeBase } from './load-knowledge';

const PACK_DIR = resolve(__dirname, '../../../../packs');
const SHOPS = ['demo-electronics', 'demo-home'];

function packs(): KbPack[] {
  return readPackFiles(PACK_DIR).map(({ file, text }) => {
    const parsed = parseKbPackFile(file, text);
    if (!parsed.ok) throw new Error(parsed.problems.map((problem) => problem.reason).join('\n'));
    return parsed.pack;
  });
}

describe('the packs in packs/', () => {
  it('load into a knowledge base for both demo shops', () => {
    const kb = loadKnowledgeBase(readPackFiles(PACK_DIR), SHOPS, () => new FakeMatcher());
    expect(kb.shopIds()).toEqual(SHOPS);
    expect(kb.stats('demo-electronics').products).toBeGreaterThanOrEqual(3);
  });

  it('stay modest: 30–60 industry answers of 4–8 examples, 10–20 shop answers, 3–5 products, 10 small-talk answers', () => {
    const all = packs();
    const industry = all.find((pack) => pack.kind === 'industry');
    expect(industry?.answers.length).toBeGreaterThanOrEqual(30);
    expect(industry?.answers.length).toBeLessThanOrEqual(60);
    for (const answer of industry?.answers ?? []) {
      expect(answer.examples.length, answer.id).toBeGreaterThanOrEqual(4);
      expect(answer.examples.length, answer.id).toBeLessThanOrEqual(8);
    }
    const shop = all.find((pack) => pack.kind === 'shop' && pack.shopId === 'demo-electronics');
    const shopSize = shop?.kind === 'shop' ? shop.overrides.length + shop.answers.length : 0;
    expect(shopSize).toBeGreaterThanOrEqual(10);
    expect(shopSize).toBeLessThanOrEqual(20);
    const products = all.filter((pack) => pack.kind === 'product').length;
    expect(products).toBeGreaterThanOrEqual(3);
    expect(products).toBeLessThanOrEqual(5);
    expect(all.find((pack) => pack.kind === 'smalltalk')?.answers.length).toBe(10);
  });

  it('use every reply type: text, text with a video, text with product links', () => {
    const types = new Set(
      packs().flatMap((pack) => (pack.kind === 'product' ? [pack.sellingPoints.type] : pack.answers.map((answer) => answer.reply.type))),
    );
    expect([...types].sort()).toEqual(['products', 'text', 'video']);
  });
});

describe('loading a pack directory with a bad file', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('rejects it, naming the file, the line, the JSON path and the reason', () => {
    dir = mkdtempSync(join(tmpdir(), 'bot-packs-'));
    cpSync(PACK_DIR, dir, { recursive: true });
    const file = join(dir, 'shops', 'demo-electronics.json');
    const text = readFileSync(file, 'utf8').replace('"answerId": "return-shipping"', '"answerId": "return-shiping"');
    writeFileSync(file, text);
    const broken = join(dir, 'smalltalk', 'zh.json');
    writeFileSync(broken, readFileSync(broken, 'utf8').replace('"revision": 1', '"revision": 0'));

    let error: unknown;
    try {
      loadKnowledgeBase(readPackFiles(dir), SHOPS, () => new FakeMatcher());
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(KnowledgeBaseError);
    // Schema problems are reported first (every file), before cross-file ones are even looked at.
    const [problem] = (error as KnowledgeBaseError).problems;
    expect(problem).toMatchObject({ path: 'revision', line: 6 });
    expect(problem?.file).toMatch(/smalltalk\/zh\.json$/);
    expect(problem?.reason).toMatch(/>0/);

    writeFileSync(broken, readFileSync(broken, 'utf8').replace('"revision": 0', '"revision": 1'));
    try {
      loadKnowledgeBase(readPackFiles(dir), SHOPS, () => new FakeMatcher());
    } catch (caught) {
      error = caught;
    }
    const [override] = (error as KnowledgeBaseError).problems;
    const line = text.split('\n').findIndex((row) => row.includes('return-shiping')) + 1;
    expect(override).toMatchObject({ path: 'overrides[2].answerId', line });
    expect(override?.file).toMatch(/shops\/demo-electronics\.json$/);
    expect(override?.reason).toMatch(/overrides "return-shiping", which is no answer or attribute/);
  });
});
