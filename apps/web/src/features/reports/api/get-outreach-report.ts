import { skipToken, keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import { outreachReportSchema, type OutreachReport, type StaffingReportRequest } from '@warroom/contracts';
import { apiRequest, apiText } from '../../../lib/api-client';

const HOUR_MS = 3_600_000;

/**
 * The outreach report's query for the staffing form's range: the same shop and source, widened to whole
 * hours (the outreach report counts per hour; a quarter-hour range takes the hours it touches).
 */
export function outreachParams(request: StaffingReportRequest): URLSearchParams {
  const from = Math.floor(Date.parse(request.from) / HOUR_MS) * HOUR_MS;
  const to = Math.ceil(Date.parse(request.to) / HOUR_MS) * HOUR_MS;
  return new URLSearchParams({ shop: request.shop, source: request.source, from: new Date(from).toISOString(), to: new Date(to).toISOString() });
}

export function outreachReportQueryOptions(token: string, request: StaffingReportRequest | null) {
  return queryOptions({
    queryKey: ['outreach-report', request],
    queryFn:
      request === null
        ? skipToken
        : ({ signal }) => apiRequest(token, 'GET', `/api/reports/outreach?${outreachParams(request).toString()}`, outreachReportSchema, undefined, signal),
    placeholderData: keepPreviousData,
  });
}

export function useOutreachReport(token: string, request: StaffingReportRequest | null): { report: OutreachReport | null; error: unknown } {
  const query = useQuery(outreachReportQueryOptions(token, request));
  return { report: query.data ?? null, error: query.error };
}

/** GET /api/reports/outreach.csv for the same query, as a file the browser saves. */
export async function downloadOutreachCsv(token: string, request: StaffingReportRequest): Promise<void> {
  const params = outreachParams(request);
  const blob = new Blob([await apiText(token, 'GET', `/api/reports/outreach.csv?${params.toString()}`)], { type: 'text/csv;charset=utf-8' });
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = `outreach-${request.shop}-${params.get('from')!.slice(0, 13)}.csv`.replace(/[^A-Za-z0-9_.-]+/g, '-');
  document.body.append(link);
  link.click();
  link.remove();
  // Revoked later: revoking at once can cancel the download in some browsers.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
