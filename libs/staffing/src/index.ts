export { StaffingInputError } from './validate';
export { erlangB, erlangC, erlangCMetrics, erlangCServiceLevel, erlangCAsa } from './erlang-c';
export type { ErlangCInput, QueueMetrics } from './erlang-c';
export { erlangAMetrics } from './erlang-a';
export type { ErlangAInput, ErlangAMetrics } from './erlang-a';
export { evaluateStaffing, requiredAgents, scheduledAgents } from './staffing';
export type { IntervalPerformance, StaffingModel, StaffingPlan, StaffingTarget, Workload } from './staffing';
export {
  STAFFING_USAGE,
  StaffingUsageError,
  formatStaffingSummary,
  parseStaffingArgs,
  staffingCliResult,
} from './cli';
export type { StaffingCliResult, StaffingCommand } from './cli';
