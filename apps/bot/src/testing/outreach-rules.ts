import { shopOutreachSchema, type ShopOutreach } from '@warroom/contracts';

/** Outreach rules of a test shop (parsed by the pack schema, as a pack's would be): every scenario, one kept for humans. */
export function testOutreachRules(overrides: Partial<ShopOutreach> = {}): ShopOutreach {
  return shopOutreachSchema.parse({
    timeZone: 'Asia/Shanghai',
    quietHours: { from: '23:00', to: '08:00' },
    scenarios: {
      hesitating: {
        handledBy: 'bot',
        threshold: 0.5,
        cues: [
          { id: 'price', phrases: ['多少钱', '便宜点'], weight: 0.35 },
          { id: 'stock', phrases: ['有货吗'], weight: 0.3 },
          { id: 'coupon', phrases: ['优惠券', 'Coupon'], weight: 0.35 },
        ],
        template: '您看的商品还有优惠，点这里继续购买。',
      },
      unpaid_order: { handledBy: 'bot', threshold: 0.5, cues: [{ id: 'unpaid', phrases: ['还没付款'], weight: 0.6 }], template: '您有订单还没付款。' },
      repurchase: { handledBy: 'human', threshold: 0.4, cues: [{ id: 'used-up', phrases: ['用完了', '回购'], weight: 0.4 }], template: '该换新了吗？' },
    },
    ...overrides,
  });
}
