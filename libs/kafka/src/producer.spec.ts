import type { Message, Producer, ProducerRecord, RecordMetadata } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { chunkMessages, DEFAULT_MAX_REQUEST_BYTES, messageBytes, sendBatch } from './producer';

/** A producer that records what each request would carry. */
function recordingProducer() {
  const requests: Message[][] = [];
  const producer = {
    send: (record: ProducerRecord): Promise<RecordMetadata[]> => {
      requests.push(record.messages);
      return Promise.resolve([]);
    },
  } as unknown as Producer;
  return { producer, requests };
}

const letter = (i: number): Message => ({ key: `chat.events/3`, value: JSON.stringify({ i, original: 'A'.repeat(87_400) }) });

describe('sendBatch', () => {
  it('keeps each request under the broker limit: a fetch of big dead letters goes out in several, in order', async () => {
    const { producer, requests } = recordingProducer();
    const letters = Array.from({ length: 45 }, (_, i) => letter(i));
    await sendBatch(producer, 'chat.events.dlq', letters);
    expect(requests.length).toBeGreaterThan(1);
    for (const request of requests) {
      expect(request.reduce((sum, message) => sum + messageBytes(message), 0)).toBeLessThanOrEqual(DEFAULT_MAX_REQUEST_BYTES);
      expect(request.reduce((sum, message) => sum + Buffer.byteLength(String(message.value)), 0)).toBeLessThan(1_000_000);
    }
    expect(requests.flat()).toEqual(letters);
  });

  it('still cuts at chunkSize small messages', async () => {
    const { producer, requests } = recordingProducer();
    await sendBatch(producer, 't', Array.from({ length: 2_500 }, (_, i) => ({ key: null, value: String(i) })));
    expect(requests.map((request) => request.length)).toEqual([1_000, 1_000, 500]);
  });
});

describe('chunkMessages', () => {
  it('cuts by count and by bytes, whichever comes first, and refuses a message no request can carry', () => {
    const small = { key: 'k', value: 'x'.repeat(68) };
    expect(messageBytes(small)).toBe(101);
    expect(chunkMessages([small, small, small], 10, 250).map((chunk) => chunk.length)).toEqual([2, 1]);
    expect(chunkMessages([small, small, small], 2, 10_000).map((chunk) => chunk.length)).toEqual([2, 1]);
    expect(chunkMessages([], 2, 10_000)).toEqual([]);
    expect(() => chunkMessages([{ key: null, value: 'x'.repeat(1_000) }], 10, 500)).toThrow(/cannot fit/);
  });

  it('counts headers', () => {
    expect(messageBytes({ key: null, value: null, headers: { a: 'bc', d: ['e', Buffer.from('fg')] } })).toBe(32 + 3 + 4);
  });
});
