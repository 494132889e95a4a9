/**
 * maskPii against a generated corpus: personal data written the ways customers write it (templates,
 * valid check digits, a fixed seed), and ordinary questions full of numbers that must stay readable.
 * Prints recall and the false-mask rate; fails below recall 0.98 or above 2 % false masks.
 */
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '@warroom/matcher';
import { maskPii } from './pii-mask';

const random = mulberry32(20261111);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const digits = (count: number): string => Array.from({ length: count }, () => String(Math.floor(random() * 10))).join('');
const between = (low: number, high: number): number => low + Math.floor(random() * (high - low + 1));

function luhnCompleted(body: string): string {
  for (let check = 0; check <= 9; check += 1) {
    const candidate = `${body}${check}`;
    let sum = 0;
    for (let index = 0; index < candidate.length; index += 1) {
      let digit = Number(candidate[candidate.length - 1 - index]);
      if (index % 2 === 1) {
        digit *= 2;
        if (digit > 9) digit -= 9;
      }
      sum += digit;
    }
    if (sum % 10 === 0) return candidate;
  }
  throw new Error('unreachable: one check digit always completes a Luhn number');
}

function residentId(): string {
  const body = `${between(11, 65)}${digits(4)}${between(1950, 2005)}${String(between(1, 12)).padStart(2, '0')}${String(between(1, 28)).padStart(2, '0')}${digits(3)}`;
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...body].reduce((total, digit, index) => total + Number(digit) * weights[index]!, 0);
  return body + '10X98765432'[sum % 11]!;
}

const mobile = (): string => `1${pick(['3', '5', '7', '8', '9'])}${digits(9)}`;
const toFullWidth = (text: string): string => text.replace(/[0-9]/g, (digit) => String.fromCharCode(digit.charCodeAt(0) + 0xff10 - 48));
const group = (text: string, sizes: number[], separator: string): string => {
  const parts: string[] = [];
  let at = 0;
  for (const size of sizes) {
    parts.push(text.slice(at, at + size));
    at += size;
  }
  if (at < text.length) parts.push(text.slice(at));
  return parts.join(separator);
};

interface PiiCase {
  kind: string;
  /** What must not survive masking (compared without separators). */
  value: string;
  /** How the customer wrote it. */
  written: string;
}

const GENERATORS: Record<string, () => Omit<PiiCase, 'kind'>> = {
  mobile: () => {
    const value = mobile();
    const written = pick([
      value,
      group(value, [3, 4, 4], ' '),
      group(value, [3, 4, 4], '-'),
      group(value, [3, 4, 4], '.'),
      `+86 ${value}`,
      `+86-${value}`,
      `vx${value}`,
      `tel${value}`,
      toFullWidth(value),
    ]);
    return { value, written };
  },
  landline: () => {
    const value = `0${between(10, 999)}-${digits(8)}`;
    return { value, written: value };
  },
  qq: () => {
    const value = `${between(1, 9)}${digits(between(5, 10))}`;
    return { value, written: `${pick(['QQ', 'qq', 'QQ号', 'qq号：', '扣扣'])}${value}` };
  },
  wechat: () => {
    const value = `${pick(['a', 'b', 'wx', 'li', 'zh'])}${pick(['_', '', '-'])}${digits(between(4, 8))}${pick(['', 'abc', 'x'])}`;
    return { value, written: `${pick(['微信', '微信号：', '加我vx', 'vx: ', 'WX ', 'v信'])}${value}` };
  },
  tracking: () => {
    const value = pick([`SF${digits(12)}`, `SF${digits(13)}`, `JDV${digits(12)}`, `JD${digits(13)}`, `YT${digits(13)}`, `JT${digits(13)}`, `EA${digits(9)}CN`]);
    return { value, written: `${pick(['快递', '', '顺丰', '单子'])}${value}` };
  },
  bankCard: () => {
    const value = luhnCompleted(`${pick(['62', '4', '5'])}${digits(pick([14, 15, 17]))}`.slice(0, pick([15, 18])));
    const written = pick([value, group(value, [4, 4, 4, 4], ' '), group(value, [4, 4, 4, 4], '-')]);
    return { value, written: `${pick(['卡号', '银行卡', '', '退到'])}${written}` };
  },
  idCard: () => {
    const value = residentId();
    return { value, written: `${pick(['身份证', '身份证号：', '证件号', ''])}${value}` };
  },
  passport: () => {
    const value = pick([`E${digits(8)}`, `EA${digits(7)}`, `G${digits(8)}`]);
    return { value, written: `${pick(['护照', '护照号：', '', 'passport '])}${value}` };
  },
  email: () => {
    const value = `${pick(['li.lei', 'wang88', 'zhang_san', 'buyer2025'])}@${pick(['qq.com', '163.com', 'example.com.cn', 'gmail.com'])}`;
    return { value, written: value };
  },
  address: () => {
    const building = between(1, 30);
    const unit = between(1, 6);
    const room = `${between(1, 30)}0${between(1, 4)}`;
    const estate = pick(['阳光', '幸福', '锦绣', '滨江', '翠湖']);
    const written = pick([
      `${pick(['北京市朝阳区', '杭州市西湖区', '广州市天河区'])}${pick(['建国', '文三', '体育西'])}路${between(1, 300)}号`,
      `${estate}小区${building}栋${unit}单元${room}室`,
      `${estate}小区${building}-${unit}-${room}室`,
      `${building}栋${unit}单元${room}室`,
      `${estate}花园${building}号楼${room}`,
      `${pick(['张家', '李庄', '王'])}村${between(1, 12)}组`,
    ]);
    return { value: written, written };
  },
  name: () => {
    const value = `${pick(['张', '李', '王', '刘', '陈', '欧阳'])}${pick(['三', '伟', '小明', '娜', '建国'])}`;
    return { value, written: `${pick(['收件人', '收件人：', '联系人', '收货人是', '姓名：'])}${value}` };
  },
};

const PII_TEMPLATES = [
  (pii: string) => `我的是${pii}，麻烦看下`,
  (pii: string) => pii,
  (pii: string) => `帮我改成${pii}谢谢`,
  (pii: string) => `急！${pii} 快回复`,
  (pii: string) => `${pii}，这个能查到吗`,
  (pii: string) => `之前填的${pii}不对`,
];

function piiCorpus(size: number): PiiCase[] {
  const kinds = Object.keys(GENERATORS);
  return Array.from({ length: size }, (_, index) => {
    const kind = kinds[index % kinds.length]!;
    const generated = GENERATORS[kind]!();
    return { kind, value: generated.value, written: pick(PII_TEMPLATES)(generated.written) };
  });
}

/** Leaked: any 4 characters in a row of the value (letters and digits, separators ignored) survive. */
function leaks(masked: string, value: string): boolean {
  const plainValue = value.replace(/[-\s.：:]/g, '');
  const plainMasked = masked.replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xff10 + 48)).replace(/[-\s.：:]/g, '');
  if (/^[\u4e00-\u9fff]+$/.test(plainValue)) return plainMasked.includes(plainValue);
  for (let start = 0; start + 4 <= plainValue.length; start += 1) {
    if (plainMasked.includes(plainValue.slice(start, start + 4))) return true;
  }
  return false;
}

const ORDINARY_PARTS = {
  product: ['RTX 4060', 'RTX4090', 'iPhone 15 Pro', '小米14 Ultra', 'Mate 60 Pro+', 'i7-13700H', '65寸电视', 'XL码', '42码', 'DDR5 6000', 'Wi-Fi 6路由器', '4K 120Hz显示器', '256G', '1TB固态', '2.5kg装', 'A4纸500张', 'PS5', 'AirPods Pro 2'],
  price: ['299元', '1999元', '满300减50', '5元券', '第二件半价', '12期免息', '到手价3499', '定金100抵300', '¥89.9', '减20元'],
  time: ['11月11日', '2025-11-11', '20:00', '晚上8点', '7天无理由', '保修3年', '48小时内发货', '3-5天', '11.11当天', '12点前'],
};
const ORDINARY_TEMPLATES = [
  (p: string, q: string, t: string) => `${p}现在${q}吗？${t}能到吗`,
  (p: string, q: string) => `${p}和别的比哪个好，${q}还有吗`,
  (p: string, _q: string, t: string) => `${t}前下单的${p}什么时候发`,
  (p: string, q: string) => `${q}的${p}支持以旧换新吗`,
  (p: string, _q: string, t: string) => `请问${p} ${t}有活动吗`,
  (p: string, q: string, t: string) => `买2件${p}，${q}，${t}可以用吗`,
];

function ordinaryCorpus(size: number): string[] {
  return Array.from({ length: size }, () => pick(ORDINARY_TEMPLATES)(pick(ORDINARY_PARTS.product), pick(ORDINARY_PARTS.price), pick(ORDINARY_PARTS.time)));
}

describe('maskPii on a generated corpus', () => {
  it('masks at least 98 % of personal data written the ways customers write it', () => {
    const corpus = piiCorpus(330);
    const missed = corpus.filter((piiCase) => leaks(maskPii(piiCase.written), piiCase.value));
    const recall = 1 - missed.length / corpus.length;
    process.stdout.write(`pii corpus: recall ${recall.toFixed(3)} over ${corpus.length} cases\n`);
    const explained = missed.map((piiCase) => `${piiCase.kind}: ${piiCase.written} -> ${maskPii(piiCase.written)}`);
    expect(recall, explained.join('\n')).toBeGreaterThanOrEqual(0.98);
  });

  it('leaves at least 98 % of ordinary questions with numbers untouched', () => {
    const corpus = ordinaryCorpus(240);
    const changed = corpus.filter((text) => maskPii(text) !== text);
    process.stdout.write(changed.map((text) => `  false mask: ${text} -> ${maskPii(text)}\n`).join(""));
    const falseMaskRate = changed.length / corpus.length;
    process.stdout.write(`pii corpus: false masks ${(falseMaskRate * 100).toFixed(1)} % over ${corpus.length} questions\n`);
    expect(falseMaskRate, changed.map((text) => `${text} -> ${maskPii(text)}`).join('\n')).toBeLessThanOrEqual(0.02);
  });
});
