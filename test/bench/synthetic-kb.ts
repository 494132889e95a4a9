/**
 * The synthetic knowledge base of the bot and matcher benches: every answer is one (thing, aspect) pair,
 * asked in several ways, with paraphrased questions and some nonsense. Original text, written for the
 * project.
 */
export const THINGS = [
  '手机', '平板', '笔记本', '台式机', '显示器', '耳机', '音箱', '手表', '手环', '相机', '镜头', '无人机', '投影仪', '电视', '冰箱',
  '洗衣机', '烘干机', '空调', '热水器', '油烟机', '燃气灶', '洗碗机', '微波炉', '烤箱', '电饭煲', '豆浆机', '榨汁机', '咖啡机', '吸尘器',
  '扫地机', '加湿器', '净化器', '电风扇', '取暖器', '剃须刀', '电动牙刷', '吹风机', '路由器', '充电宝', '键盘', '鼠标', '游戏机',
  '打印机', '移动硬盘', 'U盘', '内存卡', '数据线', '充电器', '麦克风', '摄像头', '门锁', '台灯', '电子书', '学习机', '对讲机',
  '行车记录仪', '车载充电器', '电动车', '平衡车', '按摩椅', '体脂秤',
];
export const ASPECTS = [
  '保修', '发票', '安装', '物流', '退货', '换货', '价保', '定金', '尾款', '赠品', '分期', '颜色', '尺寸', '重量', '续航', '快充',
  '屏幕', '噪音', '耗电', '材质', '配件', '说明书', '激活', '维修', '上门', '包装', '运费', '优惠券', '满减', '会员价', '以旧换新',
  '预约', '库存', '发货时间', '签收', '验货', '售后电话', '延保', '清洗', '滤网', '固件升级', '蓝牙', '防水', '内存', '接口', '电压',
  '功率', '容量', '产地', '型号',
];
export const EXAMPLE_FORMS = [
  (t: string, a: string) => `${t}的${a}怎么样`,
  (t: string, a: string) => `${t}${a}是怎么规定的`,
  (t: string, a: string) => `请问${t}有${a}吗`,
  (t: string, a: string) => `想了解一下${t}的${a}`,
  (t: string, a: string) => `${t}在${a}方面有什么说法`,
];
export const QUESTION_FORMS = [
  (t: string, a: string) => `${t}${a}怎么说`,
  (t: string, a: string) => `问下${t}的${a}`,
  (t: string, a: string) => `${t}的${a}是啥情况`,
];
export const OPENINGS = ['', '你好，', '亲，', '请问', '麻烦问下，', '在吗，', '老板，', '客服，'];
export const ENDINGS = ['', '？', '呢', '啊', '？谢谢', '，急', '呀', '，在线等'];
export const NONSENSE = ['量子纠缠的哲学意义', '土星环能做刨冰吗', '昨晚的梦是什么意思', '恐龙为什么灭绝', '火星上有没有外卖'];

/** How many distinct answers the vocabulary makes. */
export const SYNTHETIC_ANSWER_LIMIT = THINGS.length * ASPECTS.length;

/** The (thing, aspect) of answer `index`. */
export function pairOf(index: number): [string, string] {
  return [THINGS[index % THINGS.length]!, ASPECTS[Math.floor(index / THINGS.length) % ASPECTS.length]!];
}
