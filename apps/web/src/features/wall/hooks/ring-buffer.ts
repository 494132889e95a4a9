/**
 * A fixed-capacity ring: pushing past capacity overwrites the oldest item, so a wall that runs all night
 * keeps a constant amount of history. `toArray()` returns a bounded snapshot (oldest first) for charts.
 */
export class RingBuffer<T> {
  private readonly items: (T | undefined)[];
  private start = 0;
  private size = 0;

  constructor(readonly capacity: number) {
    this.items = new Array<T | undefined>(capacity).fill(undefined);
  }

  push(item: T): void {
    const end = (this.start + this.size) % this.capacity;
    this.items[end] = item;
    if (this.size < this.capacity) this.size += 1;
    else this.start = (this.start + 1) % this.capacity;
  }

  /** Overwrites the newest item (or pushes when empty). */
  replaceLast(item: T): void {
    if (this.size === 0) return this.push(item);
    this.items[(this.start + this.size - 1) % this.capacity] = item;
  }

  last(): T | undefined {
    return this.size === 0 ? undefined : this.items[(this.start + this.size - 1) % this.capacity];
  }

  get length(): number {
    return this.size;
  }

  toArray(): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.size; i += 1) {
      const item = this.items[(this.start + i) % this.capacity];
      if (item !== undefined) out.push(item);
    }
    return out;
  }
}
