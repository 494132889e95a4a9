import { z } from 'zod';
import { stageSchema } from './chat-event';
import { shopOutreachSchema } from './outreach';
import { personText } from './well-formed';

/**
 * Knowledge-base pack files (`packs/**.json`): the "1+N" model of DESIGN.md.
 *
 * - `industry`: answers every shop of the industry shares, plus the product *attributes* the industry
 *   knows (weight, fast charging, gifts…) with a fallback reply for when no product is in context.
 * - `shop`: one shop's own answers, and overrides of industry answers. An override keeps the industry
 *   answer's id, so statistics count under the answer it overrides.
 * - `product`: one SKU of one shop: its selling points (sent when a customer sends its link) and its
 *   value for each industry attribute. With `launchAt` it goes live by itself at that time.
 * - `smalltalk`: greetings, thanks, chit-chat. Answered like any answer, so it never becomes a gap.
 *
 * Cross-file rules (an override names an existing industry answer, a product uses only attributes its
 * shop's industry declares, ids are unique) need every file, so the bot checks them when it assembles
 * the knowledge base; this module checks one file at a time.
 */

/** Answer ids are slugs, since they end up in events, URLs and dashboards. */
export const answerIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,127}$/, 'expected a slug: lower-case letters, digits, ".", "_" or "-"');
export const packIdSchema = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'expected a slug');
export const shopIdSchema = z.string().regex(/^[A-Za-z0-9_.-]{1,128}$/, 'expected a shop id');
export const skuSchema = z.string().regex(/^[A-Za-z0-9_-]{3,64}$/, 'expected a SKU of 3 to 64 letters, digits, "_" or "-"');

/** Text a trainer (or a pack's author) typed: repaired, see well-formed.ts. */
const nonBlank = (max: number) => personText().min(1).max(max).regex(/\S/, 'must not be blank');
const httpUrl = z.url({ protocol: /^https?$/ }).max(2000);
const title = nonBlank(200);
const revision = z.number().int().positive();

/** What the customer is sent: text, text with a video, or text with product links. */
export const productLinkSchema = z.strictObject({ sku: skuSchema, title, url: httpUrl });
export const kbReplySchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('text'), text: nonBlank(2000) }),
  z.strictObject({ type: z.literal('video'), text: nonBlank(2000), videoUrl: httpUrl }),
  z.strictObject({ type: z.literal('products'), text: nonBlank(2000), products: z.array(productLinkSchema).min(1).max(10) }),
]);
export type KbReply = z.infer<typeof kbReplySchema>;

/** Example questions of one answer: what the matcher learns from. A duplicate is a copy-paste slip. */
const examplesSchema = z
  .array(nonBlank(200))
  .min(1)
  .max(200)
  .superRefine((examples, ctx) => {
    const seen = new Set<string>();
    examples.forEach((example, index) => {
      const key = example.trim();
      if (seen.has(key)) ctx.addIssue({ code: 'custom', path: [index], message: `duplicate example "${key}"` });
      seen.add(key);
    });
  });

export const KB_TOPICS = [
  'specs',
  'warranty',
  'installation',
  'invoice',
  'delivery',
  'returns',
  'price_protection',
  'promotion',
  'payment',
  'order',
  'service',
] as const;
export const kbTopicSchema = z.enum(KB_TOPICS);

export const kbAnswerSchema = z.strictObject({
  id: answerIdSchema,
  topic: kbTopicSchema,
  /** The stage this question is usually asked in; stage detection uses it when nothing else decides. */
  stage: stageSchema,
  examples: examplesSchema,
  reply: kbReplySchema,
});
export type KbAnswer = z.infer<typeof kbAnswerSchema>;

export const kbAttributeSchema = z.strictObject({
  id: answerIdSchema,
  /** Short name of the attribute, e.g. 重量. */
  label: nonBlank(40),
  stage: stageSchema,
  examples: examplesSchema,
  /** Sent when no live product with this attribute is in context (e.g. asks for a product link). */
  fallback: kbReplySchema,
});
export type KbAttribute = z.infer<typeof kbAttributeSchema>;

const packCommon = { v: z.literal(1), title, revision };

export const industryPackSchema = z.strictObject({
  ...packCommon,
  kind: z.literal('industry'),
  id: packIdSchema,
  answers: z.array(kbAnswerSchema).min(1),
  attributes: z.array(kbAttributeSchema),
});

export const kbOverrideSchema = z
  .strictObject({
    /** The industry answer (or attribute) overridden; events keep reporting this id. */
    answerId: answerIdSchema,
    reply: kbReplySchema.optional(),
    /** Extra example questions, added to the industry answer's own. */
    examples: examplesSchema.optional(),
    stage: stageSchema.optional(),
  })
  .refine((override) => override.reply !== undefined || override.examples !== undefined, {
    message: 'an override replaces the reply, adds examples, or both',
  });
export type KbOverride = z.infer<typeof kbOverrideSchema>;

export const shopPackSchema = z.strictObject({
  ...packCommon,
  kind: z.literal('shop'),
  shopId: shopIdSchema,
  /** Id of the industry pack this shop refines. */
  industry: packIdSchema,
  overrides: z.array(kbOverrideSchema),
  answers: z.array(kbAnswerSchema),
  /** Intent rules and contact rules (DESIGN.md "Outreach"); absent: the bot never reaches out for this shop. */
  outreach: shopOutreachSchema.optional(),
});

export const productPackSchema = z.strictObject({
  ...packCommon,
  kind: z.literal('product'),
  shopId: shopIdSchema,
  sku: skuSchema,
  /** Names customers use for it (型号, short names); a message naming one puts the product in context. */
  aliases: z.array(nonBlank(40)).max(20),
  url: httpUrl,
  /** Goes live at this time by itself; absent: live at once. */
  launchAt: z.iso.datetime({ offset: true }).optional(),
  sellingPoints: kbReplySchema,
  /** Values of industry attributes for this SKU, keyed by attribute id. */
  attributes: z.record(answerIdSchema, kbReplySchema),
});

export const smalltalkPackSchema = z.strictObject({
  ...packCommon,
  kind: z.literal('smalltalk'),
  id: packIdSchema,
  answers: z.array(
    z.strictObject({ id: answerIdSchema, examples: examplesSchema, reply: kbReplySchema }),
  ).min(1),
});

export const kbPackSchema = z.discriminatedUnion('kind', [
  industryPackSchema,
  shopPackSchema,
  productPackSchema,
  smalltalkPackSchema,
]);
export type KbPack = z.infer<typeof kbPackSchema>;
export type IndustryPack = z.infer<typeof industryPackSchema>;
export type ShopPack = z.infer<typeof shopPackSchema>;
export type ProductPack = z.infer<typeof productPackSchema>;
export type SmalltalkPack = z.infer<typeof smalltalkPackSchema>;

/** One thing wrong with a pack file: where (file, line when known, JSON path) and why. */
export interface PackProblem {
  file: string;
  /** 1-based line of the offending value (or its nearest enclosing value); null when unknown. */
  line: number | null;
  /** e.g. `answers[3].examples[0]`; `(root)` for the file as a whole. */
  path: string;
  reason: string;
}

/** `packs/shops/demo.json:12: answers[3].examples: Too small: expected array to have >=1 items` */
export function formatPackProblem(problem: PackProblem): string {
  return `${problem.file}${problem.line === null ? '' : `:${problem.line}`}: ${problem.path}: ${problem.reason}`;
}

/** Renders a zod-style path the way a reader of the file finds it: `answers[3].examples[0]`. */
export function formatJsonPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(root)' : out;
}

export type PackParseResult =
  | { ok: true; pack: KbPack; lineOf: (path: readonly PropertyKey[]) => number | null }
  | { ok: false; problems: PackProblem[] };

/** Parses one pack file's text: JSON syntax errors with their line, schema errors with path and line. */
export function parseKbPackFile(file: string, text: string): PackParseResult {
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  let json: unknown;
  try {
    json = JSON.parse(source);
  } catch (error) {
    const message = (error as Error).message;
    return { ok: false, problems: [{ file, line: syntaxErrorLine(source, message), path: '(root)', reason: `not JSON: ${message}` }] };
  }
  const lines = jsonValueLines(source);
  const lineOf = (path: readonly PropertyKey[]): number | null => {
    // A missing field has no line of its own: report the object that lacks it.
    for (let depth = path.length; depth >= 0; depth -= 1) {
      const line = lines.get(pathKey(path.slice(0, depth)));
      if (line !== undefined) return line;
    }
    return null;
  };
  const parsed = kbPackSchema.safeParse(json);
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((issue) => ({
        file,
        line: lineOf(issue.path),
        path: formatJsonPath(issue.path),
        reason: issue.message,
      })),
    };
  }
  return { ok: true, pack: parsed.data, lineOf };
}

function pathKey(path: readonly PropertyKey[]): string {
  return path.map((key) => String(key)).join('\u0000');
}

/** Line of a JSON.parse error: V8 reports `at position N` (Node 20) or `(line L column C)` (newer). */
function syntaxErrorLine(source: string, message: string): number | null {
  const explicit = /\(line (\d+) column \d+\)/.exec(message);
  if (explicit) return Number(explicit[1]);
  const position = /at position (\d+)/.exec(message);
  if (position) return lineAt(source, Number(position[1]));
  if (/end of JSON input/.test(message)) return lineAt(source, source.length);
  return null;
}

function lineAt(source: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < source.length; i += 1) if (source.charCodeAt(i) === 10) line += 1;
  return line;
}

/**
 * Line of every value in a JSON text that JSON.parse accepted, keyed by its path. A small scanner
 * rather than a second parser: it only has to find where values start, strings being the one token
 * whose content (escaped quotes) matters.
 */
function jsonValueLines(source: string): Map<string, number> {
  const lines = new Map<string, number>();
  let pos = 0;
  let line = 1;
  const skipSpace = (): void => {
    while (pos < source.length) {
      const c = source.charCodeAt(pos);
      if (c === 10) line += 1;
      else if (c !== 32 && c !== 9 && c !== 13) return;
      pos += 1;
    }
  };
  const readString = (): string => {
    const start = pos;
    pos += 1;
    while (pos < source.length && source[pos] !== '"') pos += source[pos] === '\\' ? 2 : 1;
    pos += 1;
    return JSON.parse(source.slice(start, pos)) as string;
  };
  const value = (path: PropertyKey[]): void => {
    skipSpace();
    lines.set(pathKey(path), line);
    const c = source[pos];
    if (c === '{') {
      pos += 1;
      skipSpace();
      if (source[pos] === '}') {
        pos += 1;
        return;
      }
      for (;;) {
        skipSpace();
        const keyLine = line;
        const key = readString();
        skipSpace();
        pos += 1; // ':'
        value([...path, key]);
        // The key's line is where a reader looks for a member.
        lines.set(pathKey([...path, key]), keyLine);
        skipSpace();
        if (source[pos++] === '}') return;
      }
    }
    if (c === '[') {
      pos += 1;
      skipSpace();
      if (source[pos] === ']') {
        pos += 1;
        return;
      }
      for (let index = 0; ; index += 1) {
        value([...path, index]);
        skipSpace();
        if (source[pos++] === ']') return;
      }
    }
    if (c === '"') {
      readString();
      return;
    }
    while (pos < source.length && !/[\s,\]}]/.test(source[pos] ?? '')) pos += 1;
  };
  value([]);
  return lines;
}
