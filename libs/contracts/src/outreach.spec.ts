import { describe, expect, it } from 'vitest';
import { parseKbPackFile } from './kb-pack';
import { shopOutreachSchema } from './outreach';

const scenario = { handledBy: 'bot', threshold: 0.5, cues: [{ id: 'price', phrases: ['多少钱'], weight: 0.4 }], template: '优惠还在' };

describe('shop outreach rules', () => {
  it('accept a time zone, quiet hours across midnight and a subset of the scenarios', () => {
    const rules = shopOutreachSchema.parse({ timeZone: 'Asia/Shanghai', quietHours: { from: '22:00', to: '08:00' }, scenarios: { hesitating: scenario } });
    expect(Object.keys(rules.scenarios)).toEqual(['hesitating']);
  });

  it('refuse what a trainer could get wrong, naming the field', () => {
    const problems = (value: unknown): string[] => {
      const parsed = shopOutreachSchema.safeParse(value);
      return parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    };
    expect(problems({ timeZone: 'Mars/Olympus', scenarios: { hesitating: scenario } })).toEqual(['timeZone: expected an IANA time zone, e.g. Asia/Shanghai']);
    expect(problems({ timeZone: 'UTC', quietHours: { from: '22:00', to: '22:00' }, scenarios: { hesitating: scenario } })).toEqual(['quietHours: from and to must differ']);
    expect(problems({ timeZone: 'UTC', quietHours: { from: '24:00', to: '08:00' }, scenarios: { hesitating: scenario } })).toEqual(['quietHours.from: expected HH:MM']);
    expect(problems({ timeZone: 'UTC', scenarios: {} })).toEqual(['scenarios: name at least one scenario']);
    expect(problems({ timeZone: 'UTC', scenarios: { browsing: scenario } })).toContain('scenarios: Unrecognized key: "browsing"');
    expect(problems({ timeZone: 'UTC', scenarios: { hesitating: { ...scenario, threshold: 0 } } })).toHaveLength(1);
    expect(problems({ timeZone: 'UTC', scenarios: { hesitating: { ...scenario, handledBy: 'robot' } } })).toHaveLength(1);
    expect(problems({ timeZone: 'UTC', scenarios: { hesitating: { ...scenario, cues: [{ id: 'Price!', phrases: ['x'], weight: 1.5 }] } } })).toHaveLength(2);
  });

  it('are an optional part of a shop pack, reported with their line', () => {
    const text = JSON.stringify(
      { v: 1, kind: 'shop', shopId: 'demo', industry: 'ce', title: '店', revision: 1, overrides: [], answers: [], outreach: { timeZone: 'Nowhere', scenarios: { hesitating: scenario } } },
      null,
      2,
    );
    const parsed = parseKbPackFile('shops/demo.json', text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.problems).toMatchObject([{ path: 'outreach.timeZone', line: 11 }]);
  });
});
