import type { EmotionName, Stage } from '@warroom/contracts';

/**
 * The simulator's built-in Chinese corpus: what customers of a consumer-electronics / home-appliance
 * shop ask on a sale night, written for this project (no copied data).
 *
 * An intent is one thing a customer wants to know, asked in several ways. `known` intents are the ones
 * the packs (packs/) are meant to answer: most customers use an everyday phrasing (`common`, often the
 * very words the packs were trained on), the others their own words (`templates`, with emotions,
 * product names and context around them), which is the matcher's real work. The other intents are what
 * the knowledge base cannot answer yet (new promotion rules, new products, address changes, split
 * orders, activation…): they come back night after night in a few phrasings, so they cluster into the
 * gaps trainers fill.
 *
 * Stage: in-sale and after-sale questions carry the words a customer uses once they have ordered or
 * received the goods (发货, 订单, 收到货, 退货…), and pre-sale wording avoids them, so the bot's stage
 * detection (apps/bot/src/chat/stage.ts) agrees with the stage the simulator meant (a unit test checks).
 *
 * Slots in templates: {product} the product in context (its short name, or 这款), {newProduct} a product
 * the shop does not sell yet, {city}, {color}, {person}, {when}.
 */

export interface Intent {
  id: string;
  stage: Stage;
  /** The knowledge base is meant to answer it; false: a gap. */
  known: boolean;
  /** Relative frequency within its stage and kind. */
  weight: number;
  /** Only these shops' customers ask it (shop-specific products and services); absent: every shop. */
  shops?: readonly string[];
  /**
   * The everyday phrasings most customers use (for known intents often the very words the knowledge
   * base was trained on); asked with the profile's `commonShare`, the other templates otherwise.
   */
  common?: readonly string[];
  templates: readonly string[];
}

const ELECTRONICS = ['demo-electronics'] as const;
const HOME = ['demo-home'] as const;

export const INTENTS: readonly Intent[] = [
  // ── pre-sale: specs, sizes, gifts, stock, promotions ──────────────────────────────────────────────
  { id: 'pre.weight', stage: 'pre_sale', known: true, weight: 3, common: ['这款多重', '重量是多少', '有多重', '重不重'], templates: ['{product}多重', '{product}重不重', '这个拿在手里沉吗', '{product}净重多少', '重量大概是多少', '那重量呢'] },
  { id: 'pre.fast-charge', stage: 'pre_sale', known: true, weight: 3, shops: ELECTRONICS, common: ['支持快充吗', '充电快吗', '有快充吗', '支持多少瓦快充'], templates: ['{product}支持快充吗', '{product}充电功率多大', '充满电要多久', '有没有快充', '支持多少瓦快充'] },
  { id: 'pre.battery', stage: 'pre_sale', known: true, weight: 3, shops: ELECTRONICS, common: ['电池多大', '续航怎么样', '充一次电能用多久', '电池容量多少'], templates: ['{product}续航怎么样', '电池容量多少', '充一次电能用多久', '待机时间长不长', '那续航呢'] },
  { id: 'pre.size', stage: 'pre_sale', known: true, weight: 3, common: ['尺寸多大', '长宽高是多少', '屏幕多大', '机身多厚'], templates: ['{product}尺寸多大', '长宽高是多少', '{product}机身厚吗', '{product}屏幕多大', '那尺寸呢'] },
  { id: 'pre.colors', stage: 'pre_sale', known: true, weight: 2, common: ['有几种颜色', '有黑色吗', '有什么颜色可选', '哪个颜色好看', '还有别的颜色吗'], templates: ['{product}有几种颜色', '有没有{color}的', '有什么颜色可以选', '哪个颜色好看', '还有别的颜色吗'] },
  { id: 'pre.in-box', stage: 'pre_sale', known: true, weight: 2, shops: ELECTRONICS, common: ['带充电器吗', '送数据线吗', '包装里有什么', '盒子里都有啥'], templates: ['带充电器吗', '送数据线吗', '{product}包装里有什么', '盒子里都有啥'] },
  { id: 'pre.energy', stage: 'pre_sale', known: true, weight: 2, shops: HOME, common: ['几级能效', '费电吗', '一天耗电多少', '是一级能效吗', '省电吗'], templates: ['{product}几级能效', '{product}费电吗', '一天耗电多少', '是一级能效吗', '省不省电'] },
  { id: 'pre.gifts', stage: 'pre_sale', known: true, weight: 3, common: ['有什么赠品', '有赠品吗', '送什么东西', '赠品是什么', '送不送东西'], templates: ['{product}有什么赠品', '有赠品吗', '{product}送什么东西', '送不送东西', '赠品是什么'] },
  { id: 'pre.stock', stage: 'pre_sale', known: true, weight: 3, common: ['有货吗', '什么时候补货', '缺货了还会有吗', '还有现货吗'], templates: ['{product}有货吗', '{color}的有现货吗', '什么时候补货', '还有现货吗', '缺货了还会再有吗'] },
  { id: 'pre.genuine', stage: 'pre_sale', known: true, weight: 2, common: ['是正品吗', '是不是行货', '是国行吗', '会不会是翻新机'], templates: ['是正品吗', '是不是国行', '会不会是翻新机', '正品有保障吗', '是不是行货'] },
  { id: 'pre.compare', stage: 'pre_sale', known: true, weight: 2, common: ['这两款有什么区别', '哪款性价比高', '选哪个型号好', '帮我对比一下'], templates: ['这两款有什么区别', '哪款性价比高', '帮我对比一下这两个型号', '选哪个型号好'] },
  { id: 'pre.hot-picks', stage: 'pre_sale', known: true, weight: 2, common: ['有什么推荐的吗', '最近什么卖得好', '店里爆款是哪个', '送人买哪个好'], templates: ['有什么推荐的吗', '最近什么卖得好', '送{person}买哪个好', '店里爆款是哪个'] },
  { id: 'pre.promotion-time', stage: 'pre_sale', known: true, weight: 4, common: ['活动什么时候开始', '几点开抢', '大促哪天开始', '零点有活动吗'], templates: ['活动什么时候开始', '几点开抢', '大促哪天开始', '零点有活动吗', '活动持续到什么时候'] },
  { id: 'pre.coupon-usage', stage: 'pre_sale', known: true, weight: 4, common: ['满减券怎么用', '优惠券怎么使用', '领的券在哪里用', '券用不了是怎么回事'], templates: ['满减券怎么用', '优惠券怎么使用', '领的券在哪里用', '券用不了是怎么回事'] },
  { id: 'pre.coupon-stack', stage: 'pre_sale', known: true, weight: 3, common: ['优惠券能叠加吗', '店铺券和平台券能一起用吗', '可以用两张券吗'], templates: ['优惠券能叠加吗', '店铺券和平台券能一起用吗', '满减和折扣能同时用吗', '可以用两张券吗'] },
  { id: 'pre.deposit', stage: 'pre_sale', known: true, weight: 3, common: ['定金可以退吗', '定金能退吗', '怎么付定金', '定金膨胀是什么意思'], templates: ['定金可以退吗', '付了定金反悔了怎么办', '定金膨胀是什么意思', '定金抵多少钱', '怎么付定金'] },
  { id: 'pre.final-payment', stage: 'pre_sale', known: true, weight: 3, common: ['尾款什么时候付', '几号付尾款', '尾款几点开始', '忘记付尾款怎么办'], templates: ['尾款什么时候付', '几号付尾款', '尾款几点开始', '忘记付尾款怎么办'] },
  { id: 'pre.price-protection', stage: 'pre_sale', known: true, weight: 3, common: ['保价多少天', '有价保吗', '活动期间保价吗', '秒杀也能保价吗'], templates: ['保价多少天', '买完降价怎么办', '有价保吗', '活动期间保价吗', '秒杀也能保价吗'] },
  { id: 'pre.price-trend', stage: 'pre_sale', known: true, weight: 2, common: ['现在是最低价吗', '以后还会降价吗', '现在买划算吗'], templates: ['现在是最低价吗', '以后还会降价吗', '现在买划算吗', '过几天会更便宜吗'] },
  { id: 'pre.installment', stage: 'pre_sale', known: true, weight: 2, common: ['支持分期吗', '有免息吗', '分期有手续费吗'], templates: ['支持分期吗', '有免息吗', '分期有手续费吗', '最多分几期'] },
  { id: 'pre.payment', stage: 'pre_sale', known: true, weight: 1, common: ['可以用信用卡吗', '能用花呗吗', '能用微信支付吗'], templates: ['能用花呗吗', '可以用信用卡吗', '能用微信支付吗', '可以货到付款吗'] },
  { id: 'pre.shipping-fee', stage: 'pre_sale', known: true, weight: 2, common: ['包邮吗', '运费多少', '偏远地区包邮吗', '新疆能发吗'], templates: ['包邮吗', '{city}包邮吗', '运费多少', '要不要运费'] },
  { id: 'pre.warranty', stage: 'pre_sale', known: true, weight: 2, common: ['保修几年', '质保多久', '这个有保修吗', '是全国联保吗'], templates: ['保修几年', '质保多久', '是全国联保吗', '这个有保修吗'] },
  { id: 'pre.extended-warranty', stage: 'pre_sale', known: true, weight: 1, common: ['能买延保吗', '延保多少钱', '碎屏险怎么买'], templates: ['能买延保吗', '延保多少钱', '碎屏险怎么买'] },
  { id: 'pre.installation-fee', stage: 'pre_sale', known: true, weight: 2, shops: HOME, common: ['安装收费吗', '挂架要钱吗', '上门安装免费吗'], templates: ['安装收费吗', '挂架要钱吗', '上门安装免费吗', '打孔收费吗'] },
  { id: 'pre.site-survey', stage: 'pre_sale', known: true, weight: 1, shops: HOME, common: ['能上门勘测吗', '勘测收费吗', '不确定墙能不能挂电视'], templates: ['能上门勘测吗', '不确定墙能不能挂电视', '买之前能上门量尺寸吗'] },
  { id: 'pre.student', stage: 'pre_sale', known: true, weight: 1, shops: ELECTRONICS, common: ['学生有优惠吗', '教育优惠怎么领'], templates: ['学生有优惠吗', '学生认证有折扣吗'] },
  { id: 'pre.live-stream', stage: 'pre_sale', known: true, weight: 1, shops: ELECTRONICS, common: ['今晚有直播吗', '直播几点开始'], templates: ['今晚有直播吗', '直播间有优惠吗'] },
  { id: 'pre.flash-sale', stage: 'pre_sale', known: true, weight: 1, shops: ELECTRONICS, common: ['秒杀几点开始', '秒杀怎么参加'], templates: ['秒杀几点开始', '秒杀怎么参加'] },
  { id: 'pre.member-points', stage: 'pre_sale', known: true, weight: 1, shops: ELECTRONICS, common: ['积分能抵现吗', '会员有什么福利'], templates: ['积分能抵现吗', '会员有什么福利'] },
  { id: 'pre.service-hours', stage: 'pre_sale', known: true, weight: 1, common: ['晚上有客服吗', '客服几点上班'], templates: ['客服几点下班', '晚上有客服吗'] },
  // pre-sale gaps: this year's new promotion rules, products the shop does not sell yet
  { id: 'gap.cross-store', stage: 'pre_sale', known: false, weight: 3, templates: ['跨店满减是每满300减50吗', '跨店满减怎么凑单最划算', '跨店满减的门槛是多少'] },
  { id: 'gap.red-packet', stage: 'pre_sale', known: false, weight: 2, templates: ['超级红包几点开始抢', '红包雨在哪里领', '今年的互动红包怎么玩'] },
  { id: 'gap.trade-in', stage: 'pre_sale', known: false, weight: 3, templates: ['以旧换新怎么折算', '旧手机能抵多少钱', '以旧换新的旧机谁来收'] },
  { id: 'gap.subsidy', stage: 'pre_sale', known: false, weight: 3, templates: ['国补资格怎么领取', '国家补贴能和店铺券一起用吗', '国补能便宜多少'] },
  { id: 'gap.vip', stage: 'pre_sale', known: false, weight: 1, templates: ['88会员能再打95折吗', 'PLUS会员有额外折扣吗'] },
  { id: 'gap.new-product', stage: 'pre_sale', known: false, weight: 3, templates: ['{newProduct}什么时候开售', '{newProduct}能预约吗', '有没有{newProduct}', '{newProduct}首发价多少'] },

  // ── in-sale: delivery time, address changes, split orders, invoices ───────────────────────────────
  { id: 'in.delivery-time', stage: 'in_sale', known: true, weight: 5, common: ['什么时候发货', '多久能发货', '今天能发货吗', '啥时候发货啊'], templates: ['什么时候发货', '今天能发货吗', '下单后几天发货', '预售的什么时候发货', '怎么还不发货'] },
  { id: 'in.tracking', stage: 'in_sale', known: true, weight: 4, common: ['物流到哪了', '怎么查快递', '物流一直不更新', '我的快递到哪里了', '查一下物流'], templates: ['我的快递到哪了', '物流一直不更新', '快递单号是多少', '帮我查一下物流'] },
  { id: 'in.courier', stage: 'in_sale', known: true, weight: 2, common: ['发什么快递', '能指定快递吗', '用的哪家物流'], templates: ['发的什么快递', '能发顺丰快递吗', '大件用什么物流'] },
  { id: 'in.cancel', stage: 'in_sale', known: true, weight: 2, common: ['怎么取消订单', '订单能撤销吗', '发货前能取消吗'], templates: ['怎么取消订单', '下错单了能取消订单吗', '订单能撤销吗', '还没发货能取消吗'] },
  { id: 'in.invoice', stage: 'in_sale', known: true, weight: 3, templates: ['订单能开发票吗', '已下单了怎么开发票', '订单可以开电子发票吗'] },
  { id: 'in.invoice-company', stage: 'in_sale', known: true, weight: 1, templates: ['订单能开公司抬头吗', '订单要开增值税专票怎么弄'] },
  { id: 'in.installation', stage: 'in_sale', known: true, weight: 2, shops: HOME, common: ['可以送货上门安装吗', '包安装吗', '送货安装一起吗', '有师傅上门装吗'], templates: ['下单了能送货上门安装吗', '订单包安装吗', '下单了需要自己装吗'] },
  { id: 'in.installation-booking', stage: 'in_sale', known: true, weight: 1, shops: HOME, templates: ['下单了怎么预约安装', '订单能改安装时间吗'] },
  // in-sale gaps
  { id: 'gap.address-change', stage: 'in_sale', known: false, weight: 4, templates: ['能不能改地址', '下单了地址填错了能改吗', '收货地址写错了，能帮我改地址吗', '订单地址能改成{city}吗'] },
  { id: 'gap.split-order', stage: 'in_sale', known: false, weight: 3, templates: ['两件东西能分开发货吗', '一个订单能拆成两个包裹吗', '订单里的东西怎么只来了一件', '能先发货一件吗'] },
  { id: 'gap.merge-order', stage: 'in_sale', known: false, weight: 2, templates: ['两个订单能合并发货吗', '几个订单能一起发吗'] },
  { id: 'gap.change-spec', stage: 'in_sale', known: false, weight: 2, templates: ['付款了还能改颜色吗', '已下单了能换成{color}的吗'] },
  { id: 'gap.signed-missing', stage: 'in_sale', known: false, weight: 2, templates: ['快递显示签收但我没收到', '物流显示已送达但我没拿到'] },
  { id: 'gap.expedite', stage: 'in_sale', known: false, weight: 2, templates: ['订单能加急吗', '能不能优先发货'] },

  // ── after-sale: returns, repairs, activation, refunds ─────────────────────────────────────────────
  { id: 'after.return-policy', stage: 'after_sale', known: true, weight: 3, common: ['能退货吗', '支持七天无理由退货吗', '多少天内可以退货'], templates: ['收到货不喜欢能退吗', '支持七天无理由退货吗', '多少天内可以退货'] },
  { id: 'after.return-shipping', stage: 'after_sale', known: true, weight: 3, common: ['退货运费谁出', '退货要自己付邮费吗', '退货邮费能报销吗'], templates: ['退货运费谁出', '退货要自己付邮费吗', '退货有运费险吗'] },
  { id: 'after.return-how', stage: 'after_sale', known: true, weight: 3, common: ['怎么申请退货', '退货流程是什么', '在哪里申请退款', '退货地址是多少'], templates: ['怎么申请退货', '退货流程是什么', '退货地址是多少', '在哪里申请退款'] },
  { id: 'after.refund-time', stage: 'after_sale', known: true, weight: 3, common: ['退款多久到账', '退款还没到', '退款退到哪里'], templates: ['退款多久到账', '退款还没到', '退款退到哪里'] },
  { id: 'after.exchange', stage: 'after_sale', known: true, weight: 2, common: ['能换货吗', '换货怎么操作'], templates: ['能换货吗', '收到货有问题能换货吗', '换货怎么操作'] },
  { id: 'after.return-opened', stage: 'after_sale', known: true, weight: 2, common: ['拆封了还能退吗', '激活了还能退吗', '用过了能退吗'], templates: ['拆封了还能退货吗', '拆开用过了能退货吗', '激活了还能退货吗'] },
  { id: 'after.warranty-claim', stage: 'after_sale', known: true, weight: 3, common: ['坏了怎么保修', '怎么申请维修', '可以上门维修吗'], templates: ['坏了怎么保修', '出故障了去哪里修', '可以上门维修吗', '怎么申请维修'] },
  { id: 'after.repair-progress', stage: 'after_sale', known: true, weight: 2, common: ['维修进度怎么查', '维修要多长时间', '送修多久能寄回来'], templates: ['维修进度怎么查', '维修要多长时间', '维修好了会通知我吗'] },
  { id: 'after.warranty-proof', stage: 'after_sale', known: true, weight: 1, common: ['保修需要发票吗', '保修卡丢了还能保修吗'], templates: ['保修卡丢了维修还能免费吗', '维修需要发票吗'] },
  { id: 'after.price-protection-claim', stage: 'after_sale', known: true, weight: 2, common: ['降价了怎么申请保价', '差价怎么退', '保价在哪里申请'], templates: ['收到货就降价了，怎么申请保价', '收到了才发现降价了，差价怎么退'] },
  { id: 'after.gift-delivery', stage: 'after_sale', known: true, weight: 2, common: ['赠品没收到', '赠品漏发了', '赠品什么时候到'], templates: ['赠品漏发了', '收到货了赠品什么时候到', '收到了但是送的东西没到'] },
  { id: 'after.inspection', stage: 'after_sale', known: true, weight: 2, common: ['收到的箱子压坏了', '外包装破了能签收吗', '送来的东西有磕碰'], templates: ['收到的箱子压坏了', '外包装破损了能签收吗', '收到货发现有磕碰'] },
  { id: 'after.invoice-download', stage: 'after_sale', known: true, weight: 1, common: ['电子发票在哪下载', '发票什么时候开出来', '怎么查看发票'], templates: ['收到货了电子发票在哪下载', '收到了，发票什么时候开出来'] },
  { id: 'after.installation-guide', stage: 'after_sale', known: true, weight: 1, common: ['有安装教程吗', '自己怎么安装', '底座怎么装上去'], templates: ['收到了，底座怎么装', '收到货了，有安装教程吗'] },
  { id: 'after.data-migration', stage: 'after_sale', known: true, weight: 1, shops: ELECTRONICS, common: ['新手机怎么导入数据', '换机助手怎么用'], templates: ['收到了，新手机怎么导入数据', '收到货了，旧手机的照片怎么转过来'] },
  { id: 'after.tv-setup', stage: 'after_sale', known: true, weight: 1, shops: HOME, common: ['电视怎么投屏', '电视怎么连网', '开机广告怎么关'], templates: ['收到货了电视怎么投屏', '收到了，电视怎么连网', '收到了，开机广告怎么关'] },
  // after-sale gaps
  { id: 'gap.activation', stage: 'after_sale', known: false, weight: 3, templates: ['收到货了手机怎么激活', '收到了，激活的时候提示已经激活过', '收到货了，激活码在哪里'] },
  { id: 'gap.dead-pixel', stage: 'after_sale', known: false, weight: 2, templates: ['收到货屏幕有坏点能换吗', '屏幕有亮点算质量问题吗'] },
  { id: 'gap.spare-device', stage: 'after_sale', known: false, weight: 1, templates: ['维修期间能给个备用机吗', '返修这段时间有没有备用机'] },
  { id: 'gap.refund-channel', stage: 'after_sale', known: false, weight: 2, templates: ['退款退到花呗了怎么处理', '退款能退到银行卡吗'] },
  { id: 'gap.repair-cost', stage: 'after_sale', known: false, weight: 2, templates: ['过了保修期维修多少钱', '维修换电池要多少钱'] },
];

/** Openers of a pre-sale conversation (bare greetings: small talk the bot answers). */
export const GREETINGS: readonly string[] = ['在吗', '你好', '您好', '有人吗', '在不在', '哈喽', '亲，在吗'];
/** Openers of customers who have ordered / received the goods: a greeting that says so. */
export const STAGE_GREETINGS: Readonly<Record<'in_sale' | 'after_sale', readonly string[]>> = {
  in_sale: ['在吗，我{when}下单了', '你好，我已经付款了', '在吗？{when}拍下了一台', '你好，我已下单'],
  after_sale: ['在吗，收到货了', '你好，东西收到了', '在吗，{when}已签收', '你好，用了几天有点问题'],
};
/** A last message after a useful answer. */
export const THANKS: readonly string[] = ['谢谢', '好的谢谢', '明白了，谢谢', '多谢', '好的，知道了', '谢谢你'];
/** Asking for a person (the bot hands off with reason customer_request); often with what it is about. */
export const HUMAN_REQUESTS: Readonly<Record<Stage, readonly string[]>> = {
  pre_sale: ['转人工', '人工客服', '我要找人工', '给我转人工客服', '能不能换个真人', '不要机器人，我要人工', '听不懂人话吗，转人工'],
  in_sale: ['订单有问题，转人工', '物流的事说不清，我要找人工', '发货的事给我转人工客服', '订单的事找人工客服'],
  after_sale: ['退货的事，转人工', '售后问题，给我转人工客服', '东西坏了，我要找人工', '退款的事找人工客服'],
};

/**
 * What an in-sale or after-sale customer says first about their order: it tells the bot (and the
 * stage detection) that they have ordered or received the goods.
 */
export const CONTEXT_PREFIXES: Readonly<Record<'in_sale' | 'after_sale', readonly string[]>> = {
  in_sale: ['{when}已下单了，', '我{when}下单了，', '已经付款了，', '订单付过款了，'],
  after_sale: ['收到货了，', '东西收到了，', '{when}已签收，', '用了几天，'],
};

/** Wording of each emotion (the bot's lexicon knows these words); a prefix, a suffix, or both. */
export const EMOTION_WORDING: Readonly<Record<Exclude<EmotionName, 'neutral'>, { prefixes: readonly string[]; suffixes: readonly string[] }>> = {
  angry: {
    prefixes: ['你们这什么破服务，', '气死我了，', '真是无语，', '太过分了，', '简直坑人，', '受够了，'],
    suffixes: ['，再不解决我就投诉！', '！！', '，太离谱了！', '，你们就是骗人的吧', '，我要给差评'],
  },
  anxious: {
    prefixes: ['急用，', '着急，', '麻烦快点，', '等了好久了，', '在线等，挺急的，'],
    suffixes: ['？？？', '，急！', '，能不能快点', '，到底怎么回事'],
  },
  worried: {
    prefixes: ['有点担心，', '心里没底，', '怕买错，'],
    suffixes: ['，有点担心', '，靠谱吗'],
  },
  disappointed: {
    prefixes: ['唉，', '有点失望，', '太可惜了，'],
    suffixes: ['，唉', '，真是失望'],
  },
  satisfied: {
    prefixes: ['东西挺好的，', '上次买的很满意，'],
    suffixes: ['，你们家东西不错'],
  },
  grateful: {
    prefixes: ['麻烦你了，'],
    suffixes: ['，谢谢', '，麻烦你了', '，辛苦了'],
  },
};

/** Products customers ask about that no shop sells yet (besides packs whose launch is still ahead). */
export const NEW_PRODUCTS: Readonly<Record<string, readonly string[]>> = {
  'demo-electronics': ['星河 Watch 5 手表', '声浪 Buds 4 Pro', '星河 Pad 11 平板'],
  'demo-home': ['清影 85 英寸电视 Q85', '清影洗碗机 D12', '清影 2 匹柜机 K20'],
};
export const GENERIC_NEW_PRODUCTS: readonly string[] = ['新款平板', '新出的折叠屏手机', '新款智能手表'];

export const VOCABULARY: Readonly<Record<'city' | 'color' | 'person' | 'when', readonly string[]>> = {
  city: ['北京', '上海', '广州', '深圳', '成都', '杭州', '武汉', '西安', '拉萨', '乌鲁木齐', '哈尔滨', '三亚'],
  color: ['黑色', '白色', '蓝色', '银色', '绿色'],
  person: ['我妈', '我爸', '女朋友', '男朋友', '老婆', '孩子', '同事'],
  when: ['昨天', '前天', '上周', '今天早上', '零点', '三天前'],
};
