import { skipToken, keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import { staffingReportSchema, type Issue, type StaffingReport, type StaffingReportRequest } from '@warroom/contracts';
import { ApiError, ContractError, apiRequest, errorText } from '../../../lib/api-client';

/** Why a report is not shown: the request's failing paths (400), or what else went wrong. */
export type ReportProblem =
  | { kind: 'bad-request'; issues: readonly Issue[] }
  | { kind: 'bad-response'; detail: string }
  | { kind: 'failed'; detail: string };

/** A failed report call as the page shows it: a 400's failing fields, a reply outside the contract, or the words. */
export function reportProblemOf(error: unknown): ReportProblem {
  if (error instanceof ApiError && error.status === 400) {
    return { kind: 'bad-request', issues: error.issues.length > 0 ? error.issues : [{ path: '', message: error.message }] };
  }
  if (error instanceof ContractError) return { kind: 'bad-response', detail: error.message };
  return { kind: 'failed', detail: errorText(error) };
}

/** POST /api/reports/staffing: the report of a request (with its roster, if any), parsed with the contract. */
export function fetchStaffingReport(token: string, request: StaffingReportRequest, signal?: AbortSignal): Promise<StaffingReport> {
  return apiRequest(token, 'POST', '/api/reports/staffing', staffingReportSchema, request, signal);
}

/** A request as the form submitted it: `submission` counts submits, so asking for the same range again reads it again. */
export interface SubmittedReport {
  request: StaffingReportRequest;
  submission: number;
}

export function staffingReportQueryOptions(token: string, submitted: SubmittedReport | null) {
  return queryOptions({
    queryKey: ['staffing-report', submitted],
    queryFn: submitted === null ? skipToken : ({ signal }) => fetchStaffingReport(token, submitted.request, signal),
    // The report on screen stays while the next one loads (the page marks it as loading).
    placeholderData: keepPreviousData,
  });
}

export type ReportState =
  | { status: 'idle' }
  | { status: 'loading'; previous: StaffingReport | null }
  | { status: 'ready'; report: StaffingReport }
  | { status: 'error'; problem: ReportProblem };

/** The report of the submitted request, read again at every submit (the last one wins); idle while none. */
export function useStaffingReport(token: string, submitted: SubmittedReport | null): ReportState {
  const query = useQuery(staffingReportQueryOptions(token, submitted));
  if (submitted === null) return { status: 'idle' };
  if (query.isError) return { status: 'error', problem: reportProblemOf(query.error) };
  if (query.isPending || query.isPlaceholderData) return { status: 'loading', previous: query.data ?? null };
  return { status: 'ready', report: query.data };
}
