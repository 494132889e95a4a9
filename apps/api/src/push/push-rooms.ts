import type { EncodedFrame } from './frames';

/** Receives encoded frames (see `encodeFrame`, which types each payload by its event name). */
export interface PushViewer {
  send(frame: EncodedFrame): void;
}

/** The viewers of one query of a view (a shop, window and source of the metrics; a source and shop of the gaps). */
export interface Room<Query, State> {
  readonly query: Query;
  /** What the view's service keeps per room (the newest snapshot, ...), made when the room opens. */
  readonly state: State;
  readonly viewers: ReadonlySet<PushViewer>;
}

interface OpenRoom<Query, State> extends Room<Query, State> {
  readonly viewers: Set<PushViewer>;
}

/**
 * The rooms of one view: a viewer joins the room of its query (opened by its first viewer, closed with its
 * last), and a frame is encoded once and sent to every viewer it concerns, however many there are.
 */
export class PushRooms<Query, State> {
  private readonly rooms = new Map<string, OpenRoom<Query, State>>();

  constructor(
    private readonly keyOf: (query: Query) => string,
    private readonly open: (query: Query) => State,
  ) {}

  /** Open rooms (those with a viewer). */
  get size(): number {
    return this.rooms.size;
  }

  all(): IterableIterator<Room<Query, State>> {
    return this.rooms.values();
  }

  /** The open room of the queries with this key, if any viewer watches it. */
  byKey(key: string): Room<Query, State> | undefined {
    return this.rooms.get(key);
  }

  viewerCount(): number {
    let count = 0;
    for (const room of this.rooms.values()) count += room.viewers.size;
    return count;
  }

  /** Puts `viewer` in the room of `query`; `leave` takes it out, and closes the room if it was the last. */
  join(query: Query, viewer: PushViewer): { room: Room<Query, State>; leave: () => void } {
    const key = this.keyOf(query);
    let room = this.rooms.get(key);
    if (!room) {
      room = { query, state: this.open(query), viewers: new Set() };
      this.rooms.set(key, room);
    }
    const joined = room;
    joined.viewers.add(viewer);
    const leave = (): void => {
      joined.viewers.delete(viewer);
      if (joined.viewers.size === 0 && this.rooms.get(key) === joined) this.rooms.delete(key);
    };
    return { room: joined, leave };
  }

  /** Sends `frame` to every viewer of `room`. */
  send(room: Room<Query, State>, frame: EncodedFrame): void {
    for (const viewer of room.viewers) viewer.send(frame);
  }

  /** Encodes `frame` once, only if a room's query `matches`, and sends it to the viewers of those rooms. */
  sendWhere(matches: (query: Query) => boolean, frame: () => EncodedFrame): void {
    let encoded: EncodedFrame | null = null;
    for (const room of this.rooms.values()) {
      if (!matches(room.query)) continue;
      encoded ??= frame();
      this.send(room, encoded);
    }
  }

  /** Sends `frame` (encoded only if anyone watches) to every viewer once, even one in several rooms. */
  sendToEveryViewer(frame: () => EncodedFrame): void {
    if (this.rooms.size === 0) return;
    const encoded = frame();
    const viewers = new Set<PushViewer>();
    for (const room of this.rooms.values()) for (const viewer of room.viewers) viewers.add(viewer);
    for (const viewer of viewers) viewer.send(encoded);
  }
}
