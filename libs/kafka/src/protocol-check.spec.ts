import { describe, expect, it } from 'vitest';
import { apiVersionsRequest, kafkajsVersions, negotiate, parseApiVersionsResponse, type VersionRange } from './protocol-check';

/** An ApiVersions v0 response frame as a broker writes it. */
function responseFrame(correlationId: number, apis: [number, number, number][], errorCode = 0): Buffer {
  const body = Buffer.alloc(4 + 2 + 4 + apis.length * 6);
  body.writeInt32BE(correlationId, 0);
  body.writeInt16BE(errorCode, 4);
  body.writeInt32BE(apis.length, 6);
  apis.forEach(([key, min, max], i) => {
    body.writeInt16BE(key, 10 + i * 6);
    body.writeInt16BE(min, 12 + i * 6);
    body.writeInt16BE(max, 14 + i * 6);
  });
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length, 0);
  return Buffer.concat([size, body]);
}

describe('the ApiVersions exchange', () => {
  it('writes a v0 request with its size, key, version, correlation id and client id', () => {
    const frame = apiVersionsRequest(7, 'c');
    expect(frame.readInt32BE(0)).toBe(frame.length - 4);
    expect([frame.readInt16BE(4), frame.readInt16BE(6), frame.readInt32BE(8), frame.readInt16BE(12), frame.toString('utf8', 14)]).toEqual([18, 0, 7, 1, 'c']);
  });

  it("reads the broker's ranges, and refuses an error or another request's answer", () => {
    const ranges = parseApiVersionsResponse(responseFrame(1, [[0, 3, 11], [11, 2, 9]]), 1);
    expect(ranges.get(0)).toEqual({ min: 3, max: 11 });
    expect(ranges.get(11)).toEqual({ min: 2, max: 9 });
    expect(() => parseApiVersionsResponse(responseFrame(1, [], 35), 1)).toThrow(/error code 35/);
    expect(() => parseApiVersionsResponse(responseFrame(2, []), 1)).toThrow(/another request/);
  });
});

describe('negotiate', () => {
  const client = kafkajsVersions();

  it("knows the installed kafkajs's versions", () => {
    expect(client.Produce).toEqual({ min: 0, max: 7 });
    expect(client.JoinGroup.max).toBe(5);
  });

  it('takes the highest version both know, and none when the ranges do not meet', () => {
    const broker = new Map<number, VersionRange>([
      [0, { min: 3, max: 12 }],
      [11, { min: 6, max: 9 }],
    ]);
    const verdicts = negotiate(client, broker);
    const byApi = new Map(verdicts.map((verdict) => [verdict.api, verdict]));
    expect(byApi.get('Produce')?.negotiated).toBe(7);
    expect(byApi.get('JoinGroup')).toMatchObject({ negotiated: null, required: true });
    expect(byApi.get('Fetch')).toMatchObject({ broker: null, negotiated: null });
    expect(byApi.get('CreateTopics')?.required).toBe(false);
  });
});
