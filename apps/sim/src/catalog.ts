import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { issuesText, productPackSchema } from '@warroom/contracts';

/** A product a simulated customer can ask about: a SKU of the shop's product packs. */
export interface Product {
  sku: string;
  /** What customers call it: its first alias, or its title. */
  name: string;
  title: string;
  url: string;
  /** Not sold before this time (ms); null: on sale. */
  launchAtMs: number | null;
  /** The sale price found in its selling points (到手价 N 元), in cents; null when none is stated. */
  priceCents: number | null;
}

export type Catalog = ReadonlyMap<string, readonly Product[]>;

export class CatalogError extends Error {}

const PRICE = /到手价\s*(\d+(?:\.\d+)?)\s*元/;

/** Products of each shop from `<packDir>/products/<shopId>/*.json`, each file checked by its schema. */
export function loadCatalog(packDir: string, shopIds: readonly string[]): Catalog {
  const catalog = new Map<string, Product[]>();
  for (const shopId of shopIds) {
    const dir = join(packDir, 'products', shopId);
    const products: Product[] = [];
    if (existsSync(dir)) {
      for (const file of readdirSync(dir).filter((name) => name.endsWith('.json')).sort()) {
        const path = join(dir, file);
        let json: unknown;
        try {
          json = JSON.parse(readFileSync(path, 'utf8'));
        } catch (error) {
          throw new CatalogError(`${path}: not JSON: ${(error as Error).message}`);
        }
        const parsed = productPackSchema.safeParse(json);
        if (!parsed.success) {
          throw new CatalogError(`${path}: ${issuesText(parsed.error)}`);
        }
        const pack = parsed.data;
        const price = PRICE.exec(pack.sellingPoints.text);
        products.push({
          sku: pack.sku,
          name: pack.aliases[0] ?? pack.title,
          title: pack.title,
          url: pack.url,
          launchAtMs: pack.launchAt === undefined ? null : Date.parse(pack.launchAt),
          priceCents: price ? Math.round(Number(price[1]) * 100) : null,
        });
      }
    }
    catalog.set(shopId, products);
  }
  return catalog;
}

export function isOnSale(product: Product, nowMs: number): boolean {
  return product.launchAtMs === null || product.launchAtMs <= nowMs;
}
