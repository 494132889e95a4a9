/**
 * Which ingest process holds which partitions of chat.events, from what each process's Kafka client says
 * when it joins its group (kafkajs logs "Consumer has joined the group" with the member's assignment at
 * level INFO, which `KAFKAJS_LOG_LEVEL=info` turns on), and how many times the group's assignment changed:
 * a rebalance is counted each time the live processes together hold every partition once, in an assignment
 * other than the last such one, or in any assignment after a process died (the group's round-robin gives a
 * restarted process the same partitions again, so the arrangement alone would not show the rebalance). Pure, apart from parsing log lines. (The dev broker does not answer
 * DescribeGroups, so the group cannot be asked from outside.)
 */
import { z } from 'zod';

const JOINED = 'Consumer has joined the group';
const joinedLineSchema = z.object({
  message: z.string(),
  groupId: z.string(),
  memberAssignment: z.record(z.string(), z.array(z.number().int().nonnegative())),
});

/** The partitions of `topic` a process's output line says its member of `groupId` was assigned, or null if the line says nothing about it. */
export function assignmentIn(line: string, groupId: string, topic: string): number[] | null {
  if (!line.includes(JOINED)) return null;
  const parsed = joinedLineSchema.safeParse(jsonOrUndefined(line));
  if (!parsed.success || !parsed.data.message.includes(JOINED) || parsed.data.groupId !== groupId) return null;
  return parsed.data.memberAssignment[topic] ?? [];
}

function jsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export class AssignmentLedger {
  /** Changes between complete assignments since the ledger was made. */
  rebalances = 0;
  private readonly held = new Map<string, readonly number[]>();
  private lastComplete: string | null = null;
  /** A process died since the last complete assignment: the next complete one is a rebalance, however it looks. */
  private memberLeft = false;

  constructor(private readonly partitionCount: number) {}

  /** A process announced its new assignment. */
  assigned(process: string, partitions: readonly number[]): void {
    this.held.set(process, [...partitions].sort((a, b) => a - b));
    this.observe();
  }

  /** A process died: whatever it held is held by nobody until the group reassigns it. */
  gone(process: string): void {
    this.held.delete(process);
    this.memberLeft = true;
  }

  /** Every partition held by exactly one live process. */
  complete(): boolean {
    const all = [...this.held.values()].flat();
    return all.length === this.partitionCount && new Set(all).size === this.partitionCount && all.every((p) => p >= 0 && p < this.partitionCount);
  }

  /** The processes holding at least one partition, by name. */
  holders(): string[] {
    return [...this.held].filter(([, partitions]) => partitions.length > 0).map(([process]) => process).sort();
  }

  /** The current assignment as one comparable string (process: partitions; …). */
  describe(): string {
    return [...this.held]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([process, partitions]) => `${process}: ${partitions.join(',') || '-'}`)
      .join('; ');
  }

  private observe(): void {
    if (!this.complete()) return;
    const now = this.describe();
    if (this.lastComplete !== null && (now !== this.lastComplete || this.memberLeft)) this.rebalances += 1;
    this.lastComplete = now;
    this.memberLeft = false;
  }
}
