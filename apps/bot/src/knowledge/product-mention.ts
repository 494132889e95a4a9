/**
 * Which product a customer's message is about: a link whose URL carries the product's SKU (or is its
 * page), else an alias (星河X20) or the bare SKU written in the text.
 */

export interface ProductMention {
  sku: string;
  via: 'link' | 'alias';
  /** The message without its links: what is left to answer. */
  rest: string;
}

export interface MentionableProduct {
  sku: string;
  url: string;
  aliases: readonly string[];
}

const URL_RE = /https?:\/\/[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]+/gi;
const TOKEN_RE = /[A-Za-z0-9_-]{3,64}/g;
const SPACE_RE = /\s+/g;
const ASCII_WORD = /[a-z0-9]/;

export function findProductMention(text: string, products: readonly MentionableProduct[]): ProductMention | null {
  if (products.length === 0) return null;
  const urls = text.match(URL_RE);
  if (urls) {
    const bySku = new Map(products.map((product) => [product.sku, product]));
    for (const url of urls) {
      const page = url.split(/[?#]/)[0] ?? url;
      const found =
        (url.match(TOKEN_RE) ?? []).map((token) => bySku.get(token)).find((product) => product !== undefined) ??
        products.find((product) => product.url.split(/[?#]/)[0] === page);
      if (found) return { sku: found.sku, via: 'link', rest: text.replace(URL_RE, ' ').trim() };
    }
  }
  const compact = text.normalize('NFKC').toLowerCase().replace(SPACE_RE, '');
  let best: { sku: string; length: number } | null = null;
  for (const product of products) {
    for (const name of [product.sku, ...product.aliases]) {
      const alias = name.normalize('NFKC').toLowerCase().replace(SPACE_RE, '');
      if (alias.length <= (best?.length ?? 0) || !containsWord(compact, alias)) continue;
      best = { sku: product.sku, length: alias.length };
    }
  }
  return best ? { sku: best.sku, via: 'alias', rest: text } : null;
}

/** `alias` occurs in `text`, and an ASCII alias is not part of a longer ASCII word (X20 in X200). */
function containsWord(text: string, alias: string): boolean {
  let from = 0;
  for (;;) {
    const at = text.indexOf(alias, from);
    if (at < 0) return false;
    const before = text[at - 1] ?? '';
    const after = text[at + alias.length] ?? '';
    const asciiStart = ASCII_WORD.test(alias[0] ?? '');
    const asciiEnd = ASCII_WORD.test(alias[alias.length - 1] ?? '');
    if (!(asciiStart && ASCII_WORD.test(before)) && !(asciiEnd && ASCII_WORD.test(after))) return true;
    from = at + 1;
  }
}

const FILLER_RE = /^(这个|这款|这件|这台|这|那个|商品|宝贝|帮我|给我|看看|看下|看一下|介绍一下|介绍下|介绍|讲讲|说说|怎么样|咋样|如何|好不好|值得买吗|请问|你好|您好|呢|吗|啊|呀|哈|的|了)*$/;
const DROP_RE = /[\p{P}\p{S}\s]+/gu;

/** True when what is left beside a link asks nothing specific (这个怎么样, 看看): send the selling points. */
export function asksNothingSpecific(rest: string): boolean {
  return FILLER_RE.test(rest.normalize('NFKC').replace(DROP_RE, ''));
}
