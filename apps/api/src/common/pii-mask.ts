/**
 * PII masking of customer text before it leaves the api (DESIGN.md: phone numbers wherever they stand,
 * QQ/WeChat ids, tracking numbers, bank cards, ID cards, passports, emails, addresses down to the unit,
 * names after 收件人/联系人; the raw text stays in ClickHouse). Pure, so it is unit-tested on its own,
 * including against a generated corpus (`pii-corpus.ts`) that measures recall and false masks.
 *
 * Each kind is replaced by a label the trainers can still read the question around. The passes run from
 * the most specific to the most generic, and no label holds a digit or a letter, so a later pass never
 * re-matches what an earlier one replaced:
 *
 * 1. e-mail addresses
 * 2. ids named by a keyword: QQ and WeChat ids (QQ123456789, 加我vx: abc_123), passports (护照E12345678),
 *    names after 收件人/联系人/收货人/姓名
 * 3. resident ID numbers: 18 characters (area, birth date, sequence, check digit 0-9/X) or the old 15 digits
 * 4. order ids: any id after an order keyword (订单号, 单号, 运单号, order no…)
 * 5. express tracking numbers with a carrier prefix (SF, JD, YT, JT…), and international postal ids
 * 6. bank cards: 16-19 digits, grouped by four or not, that pass the Luhn check (any 4×4 group is masked)
 * 7. phone numbers: mainland mobiles (1[3-9]x xxxx xxxx, optionally +86, spaces, dots or dashes between
 *    groups, letters right before them as in `vx13812345678`) and landlines with an area code and a dash;
 *    then any other run of 8 or more digits (order, tracking and card numbers look alike: masked as 号码)
 * 8. passports standing alone: a passport letter (E, G…) then 8 digits, or two letters then 7 digits
 * 9. addresses: a street, estate, village or building with a number (…路88号, …小区3栋2单元501,
 *    阳光小区3-2-501室, 张家村3组), or a building-unit-room without one (3栋2单元501室), together with the
 *    place names just before it (北京市朝阳区…), stopping at words such as 在, 到, 是, 我
 *
 * Digits may be full-width (０-９). What this does not catch: an address without a house number, a phone
 * number spelled out in words, a name without a keyword before it. It errs towards masking too much rather
 * than too little; `pii-mask.spec.ts` holds the corpus's recall and false-mask bounds.
 */

export const MASK = {
  email: '[邮箱]',
  idNumber: '[身份证号]',
  phone: '[手机号]',
  orderId: '[订单号]',
  number: '[号码]',
  address: '[地址]',
  bankCard: '[银行卡号]',
  tracking: '[运单号]',
  qq: '[QQ号]',
  wechat: '[微信号]',
  passport: '[护照号]',
  name: '[姓名]',
} as const;

const D = '[0-9０-９]';
/** Numbers are cut at digits only: a phone number glued to letters (vx13812345678) is still one. */
const NO_DIGIT_BEFORE = '(?<![0-9０-９])';
const NO_DIGIT_AFTER = '(?![0-9０-９])';
/** Letters and digits both: for ids that mix them. */
const NO_ALNUM_BEFORE = '(?<![0-9０-９A-Za-z])';
const NO_ALNUM_AFTER = '(?![0-9０-９A-Za-z])';

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/g;

/** A keyword, an optional 号/账号 and separator, then the id; the keyword stays readable. */
const QQ = /((?<![A-Za-z])(?:QQ|qq|Qq|扣扣|企鹅)\s*(?:号码|号|账号)?\s*(?:[:：]|是|为)?\s*)([1-9１-９][0-9０-９]{4,11})(?![0-9０-９])/g;
const WECHAT =
  /((?<![A-Za-z])(?:微信|威信|薇信|v信|V信|wechat|WeChat|weixin|wx|WX|vx|VX|Vx|vX)\s*(?:号|账号|id|ID)?\s*(?:[:：]|是|为)?\s*)([A-Za-z][-_A-Za-z0-9]{5,19}|[0-9０-９]{6,15})(?![-_A-Za-z0-9])/g;
const PASSPORT_AFTER_KEYWORD = /((?:护照|通行证|passport)\s*(?:号码|号)?\s*(?:[:：]|是|为)?\s*)([A-Za-z]{1,2}[0-9０-９]{7,8})(?![0-9０-９])/gi;
/** A name is two to four Han characters; the list stops words that follow the keyword but are no name. */
const NAME_AFTER_KEYWORD = /((?:收件人|收货人|联系人|寄件人|姓名)\s*(?:[:：]|是|为|叫)?\s*)([\u4e00-\u9fff·]{2,4})/g;
/** Characters that do not start a name: the keyword was followed by a question or a verb. */
const NOT_A_NAME_START = new Set([...'谁的改写填怎可信电地姓名要能不没和是错手号都也还就请']);
/** Characters that end a name early: what customers write right after one (张三电话…, 李四的…). */
const AFTER_A_NAME = new Set([...'电手地的是在要改吗呢吧啊呀，,。和与及住收先']);

const ID_NUMBER = new RegExp(
  `${NO_DIGIT_BEFORE}(?:[1-9１-９]${D}{5}(?:18|19|20|１８|１９|２０)${D}{2}(?:[0０][1-9１-９]|[1１][0-2０-２])${D}{2}${D}{3}[0-9０-９Xx]|[1-9１-９]${D}{14})${NO_DIGIT_AFTER}`,
  'g',
);

/** Carrier prefixes of the main express companies (顺丰 SF, 京东 JD/JDV/JDX, 圆通 YT, 极兔 JT, 韵达 YD…). */
const TRACKING = new RegExp(
  `${NO_ALNUM_BEFORE}(?:(?:SF|JD[A-Z]{0,2}|YT|JT|YD|ZTO|STO|DPK|KYE|EMS|DB)[0-9０-９]{10,15}|[A-Z]{2}[0-9０-９]{9}CN)${NO_ALNUM_AFTER}`,
  'gi',
);

const CARD_GROUPED = new RegExp(`${NO_DIGIT_BEFORE}${D}{4}(?:[-\\s－]${D}{4}){3}(?:[-\\s－]?${D}{1,3})?${NO_DIGIT_AFTER}`, 'g');
const CARD_PLAIN = new RegExp(`${NO_DIGIT_BEFORE}[3-6３-６]${D}{15,18}${NO_DIGIT_AFTER}`, 'g');

const SEP = '[-\\s－.]?';
const PHONE = new RegExp(
  `${NO_DIGIT_BEFORE}(?:(?:\\+?(?:86|８６)${SEP})?[1１][3-9３-９]${D}${SEP}${D}{4}${SEP}${D}{4}|[0０]${D}{2,3}[-－]${D}{7,8})${NO_DIGIT_AFTER}`,
  'g',
);

/** An order keyword, then (after an optional colon or "是") an id with at least 4 digits or letters. */
const ORDER_ID = /((?<![A-Za-z])(?:订单编号|订单号|运单号|快递单号|物流单号|单号|订单|order\s*(?:id|no\.?|number|#)?)\s*(?:[:：#]|是|为)?\s*)([A-Za-z0-9０-９-]*[0-9０-９][A-Za-z0-9０-９-]{3,})/gi;

const LONG_NUMBER = new RegExp(`${NO_DIGIT_BEFORE}${D}{8,}${NO_DIGIT_AFTER}`, 'g');

/** Chinese passports: E/G/D/S/P then 8 digits (E12345678), or two letters then 7 digits (EA1234567). */
const PASSPORT = new RegExp(`${NO_ALNUM_BEFORE}(?:[EGDSP][0-9０-９]{8}|E[A-Z][0-9０-９]{7})${NO_ALNUM_AFTER}`, 'g');

const NUMERAL = '[0-9０-９一二三四五六七八九十百千]+';
const UNIT = '(?:号楼|号院|号|栋|幢|座|单元|室|层|楼|户|组)';
const PLACE = '(?:大道|路|街|巷|弄|胡同|村|小区|大厦|花园|公寓|广场|家园|苑|园|里)';
/** The part of an address that identifies a door: a street or estate word, then a number with its unit. */
const ADDRESS_CORE = new RegExp(
  [
    `${PLACE}${NUMERAL}(?:号楼|号院|号|栋|幢|座|弄|组)(?:[-－]?[0-9０-９A-Za-z一二三四五六七八九十]+${UNIT}?)*`,
    // 阳光小区3-2-501室: building-unit-room written with dashes
    `${PLACE}${D}+(?:[-－]${D}+){1,3}(?:室|号|户)?`,
    // 3栋2单元501室 with no street or estate word before it
    `${NUMERAL}(?:号楼|栋|幢|座)${NUMERAL}(?:单元|层|楼)(?:${NUMERAL}(?:室|号|户)?)?`,
  ].join('|'),
  'g',
);
/** Characters that end the leftward extension of an address: particles, verbs, pronouns, punctuation. */
const ADDRESS_STOP = new Set([...'在到是为址住寄送往去于至由从向的我你您他她它们帮请发改换和与及或']);
const ADDRESS_PART = /[\u4e00-\u9fffA-Za-z0-9０-９-]/;
const ADDRESS_MAX_PREFIX = 24;

export function maskPii(text: string): string {
  let masked = text
    .replace(EMAIL, MASK.email)
    .replace(QQ, (_whole, keyword: string) => `${keyword}${MASK.qq}`)
    .replace(WECHAT, (_whole, keyword: string) => `${keyword}${MASK.wechat}`)
    .replace(PASSPORT_AFTER_KEYWORD, (_whole, keyword: string) => `${keyword}${MASK.passport}`)
    .replace(NAME_AFTER_KEYWORD, maskNameAfterKeyword)
    .replace(ID_NUMBER, MASK.idNumber)
    .replace(ORDER_ID, (_whole, keyword: string) => `${keyword}${MASK.orderId}`)
    .replace(TRACKING, MASK.tracking)
    .replace(CARD_GROUPED, (card) => (passesLuhn(card) ? MASK.bankCard : MASK.number))
    .replace(CARD_PLAIN, (card) => (passesLuhn(card) ? MASK.bankCard : card))
    .replace(PHONE, MASK.phone)
    .replace(LONG_NUMBER, MASK.number)
    .replace(PASSPORT, MASK.passport);
  masked = maskAddresses(masked);
  return masked;
}

function maskNameAfterKeyword(whole: string, keyword: string, candidate: string): string {
  if (NOT_A_NAME_START.has(candidate[0]!)) return whole;
  let length = 2;
  while (length < candidate.length && !AFTER_A_NAME.has(candidate[length]!)) length += 1;
  return `${keyword}${MASK.name}${candidate.slice(length)}`;
}

/** The check digit bank card numbers carry (ISO/IEC 7812). */
export function passesLuhn(digits: string): boolean {
  const plain = toAsciiDigits(digits).replace(/[^0-9]/g, '');
  if (plain.length < 12) return false;
  let sum = 0;
  for (let index = 0; index < plain.length; index += 1) {
    let digit = plain.charCodeAt(plain.length - 1 - index) - 48;
    if (index % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

function toAsciiDigits(text: string): string {
  return text.replace(/[０-９]/g, (digit) => String.fromCharCode(digit.charCodeAt(0) - 0xff10 + 48));
}

function maskAddresses(text: string): string {
  let result = '';
  let copiedUpTo = 0;
  for (const match of text.matchAll(ADDRESS_CORE)) {
    const coreStart = match.index;
    let start = coreStart;
    while (
      start > copiedUpTo &&
      coreStart - start < ADDRESS_MAX_PREFIX &&
      ADDRESS_PART.test(text[start - 1]!) &&
      !ADDRESS_STOP.has(text[start - 1]!)
    ) {
      start -= 1;
    }
    result += text.slice(copiedUpTo, start) + MASK.address;
    copiedUpTo = coreStart + match[0].length;
  }
  return result + text.slice(copiedUpTo);
}
