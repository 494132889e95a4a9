/**
 * PII masking of customer text before it leaves the api (DESIGN.md: phone numbers, order ids, addresses,
 * ID numbers; the raw text stays in ClickHouse). Pure, so it is unit-tested on its own.
 *
 * Each kind is replaced by a label the trainers can still read the question around. The passes run from
 * the most specific to the most generic, and no label holds a digit, so a later pass never re-matches what
 * an earlier one replaced:
 *
 * 1. e-mail addresses
 * 2. resident ID numbers: 18 characters (area, birth date, sequence, check digit 0-9/X) or the old 15 digits
 * 3. phone numbers: mainland mobiles (1[3-9]x xxxx xxxx, optionally +86, spaces or dashes between groups)
 *    and landlines with an area code and a dash (010-12345678)
 * 4. order ids: any id after an order keyword (订单号, 单号, 运单号, order no…), then any other run of 8
 *    or more digits (order, tracking and card numbers look alike: all are masked, as 号码)
 * 5. addresses: a street, estate or building with a number (…路88号, …小区3栋2单元501), together with
 *    the place names just before it (北京市朝阳区…), stopping at words such as 在, 到, 是, 我
 *
 * Digits may be full-width (０-９). What this does not catch: an address without a house number, a phone
 * number spelled out in words. It errs towards masking too much rather than too little.
 */

export const MASK = {
  email: '[邮箱]',
  idNumber: '[身份证号]',
  phone: '[手机号]',
  orderId: '[订单号]',
  number: '[号码]',
  address: '[地址]',
} as const;

const D = '[0-9０-９]';
const NOT_DIGIT_BEFORE = '(?<![0-9０-９A-Za-z])';
const NOT_DIGIT_AFTER = '(?![0-9０-９A-Za-z])';

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/g;

const ID_NUMBER = new RegExp(
  `${NOT_DIGIT_BEFORE}(?:[1-9１-９]${D}{5}(?:18|19|20|１８|１９|２０)${D}{2}(?:[0０][1-9１-９]|[1１][0-2０-２])${D}{2}${D}{3}[0-9０-９Xx]|[1-9１-９]${D}{14})${NOT_DIGIT_AFTER}`,
  'g',
);

const SEP = '[-\\s－]?';
const PHONE = new RegExp(
  `${NOT_DIGIT_BEFORE}(?:(?:\\+?(?:86|８６)${SEP})?[1１][3-9３-９]${D}${SEP}${D}{4}${SEP}${D}{4}|[0０]${D}{2,3}[-－]${D}{7,8})${NOT_DIGIT_AFTER}`,
  'g',
);

/** An order keyword, then (after an optional colon or "是") an id with at least 4 digits or letters. */
const ORDER_ID = /((?<![A-Za-z])(?:订单编号|订单号|运单号|快递单号|物流单号|单号|订单|order\s*(?:id|no\.?|number|#)?)\s*(?:[:：#]|是|为)?\s*)([A-Za-z0-9０-９-]*[0-9０-９][A-Za-z0-9０-９-]{3,})/gi;

const LONG_NUMBER = new RegExp(`${NOT_DIGIT_BEFORE}${D}{8,}${NOT_DIGIT_AFTER}`, 'g');

const NUMERAL = '[0-9０-９一二三四五六七八九十百千]+';
const UNIT = '(?:号楼|号院|号|栋|幢|座|单元|室|层|楼|户)';
/** The part of an address that identifies a door: a street or estate word, then a number with its unit. */
const ADDRESS_CORE = new RegExp(
  `(?:大道|路|街|巷|弄|胡同|村|小区|大厦|花园|公寓|广场|家园|苑|园|里)${NUMERAL}(?:号楼|号院|号|栋|幢|座|弄)(?:[-－]?[0-9０-９A-Za-z一二三四五六七八九十]+${UNIT}?)*`,
  'g',
);
/** Characters that end the leftward extension of an address: particles, verbs, pronouns, punctuation. */
const ADDRESS_STOP = new Set([...'在到是为址住寄送往去于至由从向的我你您他她它们帮请发改换和与及或']);
const ADDRESS_PART = /[\u4e00-\u9fffA-Za-z0-9０-９-]/;
const ADDRESS_MAX_PREFIX = 24;

export function maskPii(text: string): string {
  let masked = text
    .replace(EMAIL, MASK.email)
    .replace(ID_NUMBER, MASK.idNumber)
    .replace(PHONE, MASK.phone)
    .replace(ORDER_ID, (_whole, keyword: string) => `${keyword}${MASK.orderId}`)
    .replace(LONG_NUMBER, MASK.number);
  masked = maskAddresses(masked);
  return masked;
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
