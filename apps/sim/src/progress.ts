import { minutesToClock } from './curve';
import type { ProgressSnapshot } from './rehearsal';

/**
 * The progress display on stderr: on a terminal one line redrawn twice a second, otherwise (npm start,
 * CI logs) a line every few seconds.
 */

export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const mmss = `${String(minutes).padStart(hours > 0 ? 2 : 1, '0')}:${String(seconds).padStart(2, '0')}`;
  return hours > 0 ? `${hours}:${mmss}` : mmss;
}

export function formatProgress(snapshot: ProgressSnapshot, startClockMinute: number): string {
  const s = snapshot;
  const answeredShare = s.questions === 0 ? 0 : Math.round((s.answered / s.questions) * 100);
  const time =
    s.remainingMs === null ? `${formatDuration(s.elapsedMs)} elapsed, looping` : `${formatDuration(s.elapsedMs)} elapsed, ${formatDuration(s.remainingMs)} left`;
  return [
    `curve ${minutesToClock(startClockMinute + s.curveMinute)} x${s.multiplier.toFixed(1)}`,
    `rate ${s.actualPerSec.toFixed(1)}/s (curve ${s.targetPerSec.toFixed(1)}/s)`,
    `sent ${s.questions} answered ${answeredShare}% unmatched ${s.unmatched} handoffs ${s.handoffs} orders ${s.orders}`,
    ...(s.agents
      ? [`agents ${s.agents.onShift} on shift, ${s.agents.busyChats} chats, ${s.agents.waiting} waiting, accepted ${s.agents.accepted} abandoned ${s.agents.abandoned}`]
      : []),
    `errors ${s.errors}${s.skipped > 0 ? ` skipped ${s.skipped}` : ''}`,
    time,
  ].join(' | ');
}

export class ProgressDisplay {
  private timer: NodeJS.Timeout | null = null;
  private readonly tty: boolean;
  private lastLineAt = 0;

  constructor(
    private readonly snapshot: () => ProgressSnapshot,
    private readonly startClockMinute: number,
    private readonly options: { everySeconds: number; stream?: NodeJS.WriteStream },
  ) {
    this.tty = (options.stream ?? process.stderr).isTTY === true;
  }

  start(): void {
    const stream = this.options.stream ?? process.stderr;
    const every = this.tty ? 500 : this.options.everySeconds * 1000;
    this.timer = setInterval(() => {
      const line = formatProgress(this.snapshot(), this.startClockMinute);
      stream.write(this.tty ? `\r\x1b[2K${line}` : `${line}\n`);
      this.lastLineAt = Date.now();
    }, every);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const stream = this.options.stream ?? process.stderr;
    // The final state, unless a line just said it.
    if (this.tty || Date.now() - this.lastLineAt > 1000) {
      stream.write(`${this.tty ? '\r\x1b[2K' : ''}${formatProgress(this.snapshot(), this.startClockMinute)}\n`);
    }
  }
}
