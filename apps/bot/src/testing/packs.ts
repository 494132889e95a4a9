import type { IndustryPack, ProductPack, ShopPack, SmalltalkPack } from '@warroom/contracts';
import { KnowledgeBase, type LoadedPack } from '../knowledge/knowledge-base';
import { FakeMatcher } from './fake-matcher';

/** Small packs for unit tests: one of each kind, the layering cases in miniature. */

export const industryPack: IndustryPack = {
  v: 1,
  kind: 'industry',
  id: 'electronics',
  title: '行业包',
  revision: 3,
  answers: [
    {
      id: 'warranty',
      topic: 'warranty',
      stage: 'pre_sale',
      examples: ['保修几年', '质保多久'],
      reply: { type: 'text', text: '全国联保一年。' },
    },
    {
      id: 'delivery-time',
      topic: 'delivery',
      stage: 'in_sale',
      examples: ['什么时候发货', '多久能发货'],
      reply: { type: 'text', text: '48 小时内发货。' },
    },
    {
      id: 'return-how',
      topic: 'returns',
      stage: 'after_sale',
      examples: ['怎么申请退货', '退货流程是什么'],
      reply: { type: 'text', text: '在订单页申请售后。' },
    },
  ],
  attributes: [
    {
      id: 'weight',
      label: '重量',
      stage: 'pre_sale',
      examples: ['这款多重', '重量是多少'],
      fallback: { type: 'text', text: '请发商品链接，我帮您查重量。' },
    },
    {
      id: 'gifts',
      label: '赠品',
      stage: 'pre_sale',
      examples: ['有什么赠品', '送什么东西'],
      fallback: { type: 'text', text: '赠品以商品页为准。' },
    },
  ],
};

export const shopPack: ShopPack = {
  v: 1,
  kind: 'shop',
  shopId: 'shop-a',
  industry: 'electronics',
  title: '店铺包',
  revision: 7,
  overrides: [
    { answerId: 'warranty', reply: { type: 'text', text: '本店保修两年。' }, examples: ['你们店保修多久'] },
    { answerId: 'gifts', reply: { type: 'text', text: '本店下单送保护壳，具体看商品。' } },
    { answerId: 'delivery-time', examples: ['今天能发吗'] },
  ],
  answers: [
    {
      id: 'shop.hot-picks',
      topic: 'specs',
      stage: 'pre_sale',
      examples: ['有什么推荐的吗', '什么卖得好'],
      reply: {
        type: 'products',
        text: '这几款卖得最好：',
        products: [{ sku: '100012345', title: '星河 X20', url: 'https://item.example.com/100012345.html' }],
      },
    },
  ],
};

export const phonePack: ProductPack = {
  v: 1,
  kind: 'product',
  shopId: 'shop-a',
  sku: '100012345',
  title: '星河 X20',
  aliases: ['X20'],
  url: 'https://item.example.com/100012345.html',
  revision: 4,
  sellingPoints: { type: 'text', text: 'X20：大电池，187 克。' },
  attributes: { weight: { type: 'text', text: 'X20 约 187 克。' } },
};

export const LAUNCH_AT = '2026-12-12T00:00:00+08:00';

export const upcomingPack: ProductPack = {
  v: 1,
  kind: 'product',
  shopId: 'shop-a',
  sku: '100034567',
  title: '星河 X30',
  aliases: ['X30'],
  url: 'https://item.example.com/100034567.html',
  launchAt: LAUNCH_AT,
  revision: 1,
  sellingPoints: { type: 'text', text: 'X30：双 12 首发。' },
  attributes: { weight: { type: 'text', text: 'X30 约 205 克。' }, gifts: { type: 'text', text: 'X30 首发送无线充。' } },
};

export const smalltalkPack: SmalltalkPack = {
  v: 1,
  kind: 'smalltalk',
  id: 'zh',
  title: '寒暄',
  revision: 1,
  answers: [
    { id: 'smalltalk.greeting', examples: ['你好', '在吗'], reply: { type: 'text', text: '您好，请问有什么可以帮您？' } },
    { id: 'smalltalk.thanks', examples: ['谢谢', '多谢'], reply: { type: 'text', text: '不客气～' } },
  ],
};

export function loaded(file: string, pack: LoadedPack['pack']): LoadedPack {
  return { file, pack, lineOf: () => null };
}

export const ALL_PACKS: LoadedPack[] = [
  loaded('industry.json', industryPack),
  loaded('shop-a.json', shopPack),
  loaded('x20.json', phonePack),
  loaded('x30.json', upcomingPack),
  loaded('smalltalk.json', smalltalkPack),
];

export function testKnowledgeBase(packs: LoadedPack[] = ALL_PACKS): KnowledgeBase {
  return KnowledgeBase.build(packs, ['shop-a'], () => new FakeMatcher());
}
