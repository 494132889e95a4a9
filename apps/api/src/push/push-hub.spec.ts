import type { SnapshotQuery } from '@warroom/contracts';
import { describe, expect, it } from 'vitest';
import { encodeFrame } from './frames';
import { PushHub } from './push-hub';
import { PushRooms, type PushViewer } from './push-rooms';
import { RecordingViewer } from '../testing/fakes';

const heartbeat = () => encodeFrame('heartbeat', { asOf: '2026-11-11T10:00:00.000Z', serverTime: '2026-11-11T10:00:01.000Z' });

describe('PushRooms', () => {
  const rooms = () => new PushRooms<{ shop: string }, null>((query) => query.shop, () => null);

  it('puts viewers of one query in one room and closes it with its last viewer', () => {
    const shops = rooms();
    const first = shops.join({ shop: 'shop-a' }, new RecordingViewer());
    const second = shops.join({ shop: 'shop-a' }, new RecordingViewer());
    expect(second.room).toBe(first.room);
    expect([shops.size, shops.viewerCount()]).toEqual([1, 2]);
    first.leave();
    expect(shops.size).toBe(1);
    second.leave();
    expect(shops.size).toBe(0);
  });

  it('encodes a frame once, only when a room it concerns has viewers', () => {
    const shops = rooms();
    const a = new RecordingViewer();
    const b = new RecordingViewer();
    shops.join({ shop: 'shop-a' }, a);
    shops.join({ shop: 'shop-b' }, b);
    let encoded = 0;
    const frame = () => {
      encoded += 1;
      return heartbeat();
    };
    shops.sendWhere((query) => query.shop === 'shop-c', frame);
    expect(encoded).toBe(0);
    shops.sendWhere((query) => query.shop !== 'shop-c', frame);
    expect(encoded).toBe(1);
    expect([a.raw.length, b.raw.length]).toEqual([1, 1]);
  });

  it('sends to every viewer once, even one in two rooms', () => {
    const shops = rooms();
    const viewer = new RecordingViewer();
    shops.join({ shop: 'shop-a' }, viewer);
    shops.join({ shop: 'shop-b' }, viewer);
    shops.sendToEveryViewer(heartbeat);
    expect(viewer.raw).toHaveLength(1);
  });
});

describe('PushHub', () => {
  const query: SnapshotQuery = { shop: 'shop-a', window: '5m', source: 'live' };

  it('hands a subscription to the service that serves its view, once per view', async () => {
    const hub = new PushHub();
    const subscribed: SnapshotQuery[] = [];
    const server = {
      key: (q: SnapshotQuery) => q.shop,
      open: () => null,
      subscribe: (_viewer: PushViewer, q: SnapshotQuery) => {
        subscribed.push(q);
        return Promise.resolve(() => undefined);
      },
    };
    hub.serve('metrics', server);
    await hub.subscribe('metrics', new RecordingViewer(), query);
    expect(subscribed).toEqual([query]);
    expect(() => hub.serve('metrics', server)).toThrow(/served already/);
    await expect(hub.subscribe('gaps', new RecordingViewer(), { shop: 'all', source: 'live' })).rejects.toThrow(/nothing serves the gaps view/);
  });
});
