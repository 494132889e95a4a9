import { describe, expect, it } from 'vitest';
import type { ReplySeen } from './conversation';
import { parseChatSample, ReplayConversations } from './chat-sample';
import { mulberry32 } from './traffic';

// Lines in the chat-sample.tsv format, written for this test.
const SAMPLE = [
  ['s1', 'u1', '0', '0', '0', 'nan', '你好'],
  ['s1', 'u1', '1', '0', '0', 'nan', '您好，请问有什么可以帮您'],
  ['s1', 'u1', '0', '0', '0', '100012345', '这个耳机什么时候发货'],
  ['s1', 'u1', '0', '0', '1', 'nan', '还有，能开发票吗'],
  ['s2', 'u2', '0', '1', '0', 'nan', '转人工'],
  ['s2', 'u2', '0', '0', '0', 'nan', '   '],
  ['s3', 'u3', '1', '0', '0', 'nan', '只有客服说话的会话'],
]
  .map((columns) => columns.join('\t'))
  .concat(['broken line without tabs', ''])
  .join('\n');

describe('replay corpus (--corpus)', () => {
  it('keeps the customer messages of each session, in order, and counts malformed lines', () => {
    const { sessions, skippedLines } = parseChatSample(SAMPLE);
    expect(sessions).toEqual([
      { id: 's1', messages: ['你好', '这个耳机什么时候发货', '还有，能开发票吗'] },
      { id: 's2', messages: ['转人工'] },
    ]);
    expect(skippedLines).toBe(1);
  });

  it('replays a recorded session message by message and stops at a handoff', () => {
    const { sessions } = parseChatSample(SAMPLE);
    const source = new ReplayConversations(sessions, { orders: { share: 0, amountCents: { min: 100, max: 200 } } }, new Map(), mulberry32(1));
    const seen = new Map<string, string[]>();
    for (let i = 0; i < 2; i += 1) {
      const conversation = source.start('demo-electronics');
      const texts: string[] = [];
      let previous: ReplySeen | null = null;
      for (let message = conversation.next(null); message; message = conversation.next(previous)) {
        texts.push(message.text);
        previous = { outcome: message.text === '你好' ? 'handoff' : 'answered' };
      }
      seen.set(texts[0] ?? '', texts);
      expect(conversation.stage).toBeNull();
    }
    // s1 stops after its first message (handed off), s2 asks its one message.
    expect([...seen.values()].sort()).toEqual([['你好'], ['转人工']]);
  });
});
