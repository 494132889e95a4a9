import { describe, expect, it } from 'vitest';
import { formatPackProblem, parseKbPackFile, type PackProblem } from './kb-pack';

const shopPack = {
  v: 1,
  kind: 'shop',
  shopId: 'demo-shop',
  industry: 'consumer-electronics',
  title: '演示店',
  revision: 2,
  overrides: [{ answerId: 'warranty', reply: { type: 'text', text: '本店保修两年。' } }],
  answers: [
    {
      id: 'shop.engraving',
      topic: 'service',
      stage: 'pre_sale',
      examples: ['可以刻字吗', '刻字收费吗'],
      reply: { type: 'video', text: '可以免费刻字，看视频：', videoUrl: 'https://video.example.com/engrave.mp4' },
    },
  ],
};

function problemsOf(text: string): PackProblem[] {
  const result = parseKbPackFile('packs/shops/demo.json', text);
  if (result.ok) throw new Error('expected the pack to be rejected');
  return result.problems;
}

describe('parseKbPackFile', () => {
  it('accepts a valid pack and knows the line of each value', () => {
    const text = JSON.stringify(shopPack, null, 2);
    const result = parseKbPackFile('packs/shops/demo.json', text);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.pack.kind).toBe('shop');
    const line = result.lineOf(['answers', 0, 'examples']);
    expect(text.split('\n')[(line ?? 0) - 1]).toContain('"examples"');
  });

  it('rejects a schema error with file, line, JSON path and reason', () => {
    const bad = structuredClone(shopPack) as { answers: { examples: string[] }[] };
    bad.answers[0]!.examples = [];
    const text = JSON.stringify(bad, null, 2);
    const [problem, ...rest] = problemsOf(text);
    expect(rest).toEqual([]);
    expect(problem).toMatchObject({ file: 'packs/shops/demo.json', path: 'answers[0].examples' });
    expect(problem?.reason).toMatch(/>=1/);
    expect(text.split('\n')[(problem?.line ?? 0) - 1]).toContain('"examples": []');
    expect(formatPackProblem(problem!)).toMatch(/^packs\/shops\/demo\.json:\d+: answers\[0\]\.examples: /);
  });

  it('names every problem at once, a missing field at its enclosing object', () => {
    const bad = structuredClone(shopPack) as Record<string, unknown> & { answers: Record<string, unknown>[] };
    delete bad.answers[0]!.reply;
    bad.answers[0]!.stage = 'post_sale';
    bad.surprise = true;
    const text = JSON.stringify(bad, null, 2);
    const problems = problemsOf(text);
    const paths = problems.map((problem) => problem.path).sort();
    expect(paths).toEqual(['(root)', 'answers[0].reply', 'answers[0].stage']);
    const reply = problems.find((problem) => problem.path === 'answers[0].reply');
    // The object that lacks `reply` starts on the line after `"answers": [`.
    const answersLine = text.split('\n').findIndex((line) => line.includes('"answers"')) + 1;
    expect(reply?.line).toBe(answersLine + 1);
  });

  it('rejects duplicate examples, bad URLs, a reply of an unknown type and an empty override', () => {
    const bad = structuredClone(shopPack) as {
      answers: { examples: string[]; reply: Record<string, unknown> }[];
      overrides: Record<string, unknown>[];
    };
    bad.answers[0]!.examples = ['可以刻字吗', '可以刻字吗'];
    bad.answers[0]!.reply = { type: 'video', text: '看视频', videoUrl: 'ftp://example.com/x.mp4' };
    bad.overrides.push({ answerId: 'delivery-time' });
    bad.overrides.push({ answerId: 'invoice', reply: { type: 'audio', text: '…' } });
    const problems = problemsOf(JSON.stringify(bad, null, 2));
    const byPath = new Map(problems.map((problem) => [problem.path, problem.reason]));
    expect(byPath.get('answers[0].examples[1]')).toMatch(/duplicate example/);
    expect(byPath.get('answers[0].reply.videoUrl')).toBeDefined();
    expect(byPath.get('overrides[1]')).toMatch(/replaces the reply, adds examples, or both/);
    expect(byPath.get('overrides[2].reply.type')).toBeDefined();
  });

  it('rejects a JSON syntax error with its line', () => {
    const text = '{\n  "v": 1,\n  "kind": "shop"\n  "shopId": "x"\n}';
    const [problem] = problemsOf(text);
    expect(problem).toMatchObject({ file: 'packs/shops/demo.json', path: '(root)', line: 4 });
    expect(problem?.reason).toMatch(/^not JSON/);
  });

  it('checks each pack kind with its own schema', () => {
    const product = {
      v: 1,
      kind: 'product',
      shopId: 'demo-shop',
      sku: '100012345',
      title: '星河 X20',
      aliases: ['X20'],
      url: 'https://item.example.com/100012345.html',
      launchAt: 'next week',
      revision: 1,
      sellingPoints: { type: 'text', text: '轻薄长续航' },
      attributes: { weight: { type: 'text', text: '187 克' }, 'Bad Key': { type: 'text', text: 'x' } },
    };
    const paths = problemsOf(JSON.stringify(product)).map((problem) => problem.path);
    expect(paths).toContain('launchAt');
    expect(paths.some((path) => path.startsWith('attributes'))).toBe(true);
    expect(problemsOf(JSON.stringify({ ...product, kind: 'catalog' })).map((problem) => problem.path)).toEqual(['kind']);
  });
});
