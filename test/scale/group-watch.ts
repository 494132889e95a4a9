/**
 * Watches the ingest consumer group through the broker (DescribeGroups), as an operator would: which
 * members it has and how many of them hold partitions. Every change of the member set is one rebalance
 * the group went through, counted from what the broker says rather than from what the runner did.
 */
import { AssignerProtocol, type Admin } from 'kafkajs';
import { INGEST_GROUP_ID } from '../chaos/system';

const POLL_MS = 200;

export interface GroupState {
  state: string;
  /** Member ids, sorted. */
  members: string[];
  /** Members with at least one partition assigned. */
  assigned: number;
}

export async function describeIngestGroup(admin: Admin): Promise<GroupState> {
  const { groups } = await admin.describeGroups([INGEST_GROUP_ID]);
  const group = groups[0];
  if (!group) throw new Error(`the broker did not describe group ${INGEST_GROUP_ID}`);
  const assigned = group.members.filter((member) => {
    const assignment = AssignerProtocol.MemberAssignment.decode(member.memberAssignment);
    return assignment !== null && Object.values(assignment.assignment).some((partitions) => partitions.length > 0);
  }).length;
  return { state: group.state, members: group.members.map((member) => member.memberId).sort(), assigned };
}

export class GroupWatch {
  /** Times the member set changed since start(). */
  membershipChanges = 0;
  latest: GroupState | null = null;
  readonly errors: string[] = [];
  private timer: NodeJS.Timeout | null = null;
  private polling: Promise<void> = Promise.resolve();

  constructor(private readonly admin: Admin) {}

  start(): void {
    if (this.timer) throw new Error('the group watch is already running');
    this.timer = setInterval(() => {
      this.polling = this.polling.then(() => this.poll());
    }, POLL_MS);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.polling;
  }

  /** Whether the group is stable with `members` members, each holding partitions. */
  settledWith(members: number): boolean {
    const state = this.latest;
    return state !== null && state.state === 'Stable' && state.members.length === members && state.assigned === members;
  }

  private async poll(): Promise<void> {
    try {
      const state = await describeIngestGroup(this.admin);
      if (this.latest !== null && state.members.join(',') !== this.latest.members.join(',')) this.membershipChanges += 1;
      this.latest = state;
    } catch (error) {
      // Kept, not thrown: a broker that cannot describe the group leaves the count unmeasured, which the phase reports.
      this.errors.push((error as Error).message);
    }
  }
}
