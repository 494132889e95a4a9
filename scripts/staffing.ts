/**
 * Agents needed for one interval of chat traffic (Erlang C, or Erlang A with --patience-sec).
 *
 *   npm run -s staffing -- --chats-per-hour 200 --aht-sec 180 --target-sl 0.8 --target-sec 20 [--json]
 *
 * See STAFFING_USAGE in libs/staffing/src/cli.ts for every flag. With --json the last line of stdout is
 * {"agents","serviceLevel","asa","occupancy","abandonRate"}. A bad command line exits with code 2.
 */
import {
  STAFFING_USAGE,
  StaffingUsageError,
  formatStaffingSummary,
  parseStaffingArgs,
  requiredAgents,
  staffingCliResult,
  type StaffingCommand,
} from '@warroom/staffing';

function main(argv: readonly string[]): number {
  let command: StaffingCommand;
  try {
    command = parseStaffingArgs(argv);
  } catch (error) {
    if (!(error instanceof StaffingUsageError)) throw error;
    process.stderr.write(`staffing: ${error.message}\n\n${STAFFING_USAGE}`);
    return 2;
  }
  if (command.kind === 'help') {
    process.stdout.write(STAFFING_USAGE);
    return 0;
  }
  const plan = requiredAgents(command.workload, command.target);
  process.stdout.write(
    command.json
      ? `${JSON.stringify(staffingCliResult(plan))}\n`
      : formatStaffingSummary(plan, command.workload, command.target),
  );
  return 0;
}

process.exitCode = main(process.argv.slice(2));
