import { describe, expect, it } from 'vitest';
import { mulberry32, TrafficGenerator } from '../../apps/sim/src/traffic';
import { classify, HOSTILE_KINDS, HostileGenerator, type HostileKind, type HostileMessage } from './hostile';

function generate(count: number): HostileMessage[] {
  const traffic = new TrafficGenerator({ shops: ['shop-a'], source: 'live', campaignId: 'chaos-spec', seed: 7, runId: 'spec' });
  const generator = new HostileGenerator(mulberry32(11), () => {
    const [question] = traffic.nextQuestion(new Date());
    if (!question) throw new Error('no question');
    return question;
  });
  return Array.from({ length: count }, () => generator.next());
}

describe('HostileGenerator', () => {
  const messages = generate(2_000);
  const now = Date.now();
  const ofKind = (kind: HostileKind): HostileMessage[] => messages.filter((message) => message.kind === kind);

  it('produces every kind, huge strings only now and then', () => {
    for (const kind of HOSTILE_KINDS) expect(ofKind(kind).length, kind).toBeGreaterThan(0);
    expect(ofKind('huge_string')).toHaveLength(2);
    expect(ofKind('huge_string')[0]!.value.length).toBeGreaterThan(900_000);
    expect(ofKind('huge_string')[0]!.value.length).toBeLessThan(1_000_000);
  });

  it('sends a duplicate as two identical messages in a row, valid with one event id', () => {
    const index = messages.findIndex((message) => message.kind === 'duplicate_id');
    const [first, second] = [messages[index]!, messages[index + 1]!];
    expect(second.kind).toBe('duplicate_id');
    expect(second.value.equals(first.value)).toBe(true);
    expect(classify(first.value, now)).toEqual(classify(second.value, now));
    expect(classify(first.value, now).valid).toBe(true);
  });

  it('leaves SQL and HTML in text valid: text is data', () => {
    for (const message of [...ofKind('sql_text'), ...ofKind('html_text')]) expect(classify(message.value, now).valid).toBe(true);
  });

  it('makes the kinds no contract can accept invalid, with reasons', () => {
    const refused: HostileKind[] = ['huge_string', 'deep_nesting', 'wrong_types', 'unknown_version', 'far_future', 'far_past', 'not_json'];
    for (const kind of refused) {
      for (const message of ofKind(kind)) {
        const verdict = classify(message.value, now);
        expect(verdict.valid, `${kind}: ${message.value.subarray(0, 120).toString()}`).toBe(false);
        if (!verdict.valid) expect(verdict.reasons.length).toBeGreaterThan(0);
      }
    }
  });

  it('puts invalid UTF-8 bytes on the wire as they are', () => {
    const message = ofKind('invalid_utf8')[0]!;
    expect(Buffer.from(message.value.toString('utf8')).equals(message.value)).toBe(false);
  });

  it('writes lone surrogates as escapes in well-formed JSON', () => {
    const message = ofKind('lone_surrogate')[0]!;
    expect(message.value.toString('utf8')).toMatch(/\\ud[89a-f][0-9a-f]{2}/);
    expect(() => JSON.parse(message.value.toString('utf8')) as unknown).not.toThrow();
  });
});
