/**
 * Stand-ins the api's unit specs share (never imported by the app): a clock the spec sets, and a viewer
 * that records what the push hub sent it. The pipeline's own tests use the real parts.
 */
import { serverFrameSchema, type LiveSnapshot, type ServerFrame } from '@warroom/contracts';
import { Clock } from '../common/clock';
import type { EncodedFrame } from '../push/frames';
import type { PushViewer } from '../push/push-rooms';

export class FakeClock extends Clock {
  constructor(public time: number) {
    super();
  }
  override now(): number {
    return this.time;
  }
}

/** Keeps every frame sent to it, as sent (`raw`) and parsed with the contract (`frames`). */
export class RecordingViewer implements PushViewer {
  readonly raw: EncodedFrame[] = [];
  readonly frames: ServerFrame[] = [];
  send(frame: EncodedFrame): void {
    this.raw.push(frame);
    this.frames.push(serverFrameSchema.parse(JSON.parse(frame)));
  }
  events(): string[] {
    return this.frames.map((frame) => frame.event);
  }
  snapshots(): LiveSnapshot[] {
    return this.frames.flatMap((frame) => (frame.event === 'snapshot' ? [frame.data] : []));
  }
}
