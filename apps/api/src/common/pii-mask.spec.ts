import { describe, expect, it } from 'vitest';
import { MASK, maskPii } from './pii-mask';

describe('maskPii', () => {
  it.each([
    ['我的手机号是13812345678，快点回电', `我的手机号是${MASK.phone}，快点回电`],
    ['电话 +86 138 1234 5678', `电话 ${MASK.phone}`],
    ['打 139-1234-5678 找我', `打 ${MASK.phone} 找我`],
    ['全角号码１３８１２３４５６７８', `全角号码${MASK.phone}`],
    ['座机010-12345678', `座机${MASK.phone}`],
  ])('masks phone numbers: %s', (text, masked) => {
    expect(maskPii(text)).toBe(masked);
  });

  it.each([
    ['身份证110105199003071234', `身份证${MASK.idNumber}`],
    ['身份证号11010519900307123X要改', `身份证号${MASK.idNumber}要改`],
    ['老证件号 110105900307123', `老证件号 ${MASK.idNumber}`],
  ])('masks ID numbers: %s', (text, masked) => {
    expect(maskPii(text)).toBe(masked);
  });

  it.each([
    ['订单号：JD2025111100123 还没发货', `订单号：${MASK.orderId} 还没发货`],
    ['订单号是 28734091 怎么还没到', `订单号是 ${MASK.orderId} 怎么还没到`],
    ['my order #A1234567 is late', `my order #${MASK.orderId} is late`],
    ['快递单号SF1234567890显示签收', `快递单号${MASK.orderId}显示签收`],
    ['2025111112345678这个单怎么还没发', `${MASK.number}这个单怎么还没发`],
  ])('masks order ids and long numbers: %s', (text, masked) => {
    expect(maskPii(text)).toBe(masked);
  });

  it.each([
    ['我家住在北京市朝阳区建国路88号，能送吗', `我家住在${MASK.address}，能送吗`],
    ['收货地址是上海市浦东新区世纪大道100号3栋502室', `收货地址是${MASK.address}`],
    ['改到杭州西湖区阳光小区3栋2单元501可以吗', `改到${MASK.address}可以吗`],
    ['寄到幸福里12号', `寄到${MASK.address}`],
  ])('masks addresses with a house number: %s', (text, masked) => {
    expect(maskPii(text)).toBe(masked);
  });

  // Each slipped past the masking before (issue 17).
  it.each([
    ['加我vx13812345678', `加我vx${MASK.wechat}`], ['电话tel13812345678', `电话tel${MASK.phone}`],
    ['快递SF1234567890123', `快递${MASK.tracking}`],
    ['卡号6222 0212 3456 7890', `卡号${MASK.number}`],
    ['退到6222021234567890128', `退到${MASK.bankCard}`],
    ['阳光小区3-2-501室', MASK.address],
    ['3栋2单元501室', MASK.address],
    ['护照E12345678', `护照${MASK.passport}`],
    ['QQ123456789', `QQ${MASK.qq}`],
    ['收件人张三', `收件人${MASK.name}`],
    ['收件人张三电话多少', `收件人${MASK.name}电话多少`],
    ['微信号：li_lei2025 加一下', `微信号：${MASK.wechat} 加一下`],
  ])('masks what customers slip past a simple mask: %s', (text, masked) => {
    expect(maskPii(text)).toBe(masked);
  });

  it('masks e-mail addresses', () => {
    expect(maskPii('发票发到 li.lei+shop@example.com.cn 谢谢')).toBe(`发票发到 ${MASK.email} 谢谢`);
  });

  it('masks several kinds in one text', () => {
    expect(maskPii('订单号12345678901，电话13912345678，地址广州市天河区体育西路1号')).toBe(
      `订单号${MASK.orderId}，电话${MASK.phone}，地址${MASK.address}`,
    );
  });

  it.each([
    '这款手机支持快充吗',
    '满300减50怎么用',
    '11.11当天几点开始付尾款',
    '保修3年吗，2025-11-11能到吗',
    '能不能改地址到杭州市西湖区',
    'iPhone15和RTX4090有货吗',
    '送货上门安装要多少钱，我在3楼',
    '收件人是谁可以改吗',
    'RTX 4060和i7-13700H的本子，2025-11-11 20:00前能到吗',
  ])('leaves text without personal data alone: %s', (text) => {
    expect(maskPii(text)).toBe(text);
  });
});
