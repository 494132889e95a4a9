import { useMutation } from '@tanstack/react-query';
import type { StaffingReportRequest } from '@warroom/contracts';
import { apiText } from '../../../lib/api-client';
import { reportProblemOf, type ReportProblem } from './get-staffing-report';

/** POST /api/reports/staffing.csv: the report of a request as CSV text. */
export async function fetchStaffingCsv(token: string, request: StaffingReportRequest): Promise<Blob> {
  return new Blob([await apiText(token, 'POST', '/api/reports/staffing.csv', request)], { type: 'text/csv;charset=utf-8' });
}

/** `staffing-<shop>-<from>-<interval>.csv`, safe as a file name. */
export function csvFileName(request: StaffingReportRequest): string {
  return `staffing-${request.shop}-${request.from.slice(0, 16)}-${request.interval}.csv`.replace(/[^A-Za-z0-9_.-]+/g, '-');
}

function saveAs(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  // Revoked later: revoking at once can cancel the download in some browsers.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/**
 * Downloads the CSV of a request: the api needs the token in a header, which a plain link cannot send, so
 * the file is fetched and handed to the browser as a blob link.
 */
export function useCsvDownload(token: string): { download: (request: StaffingReportRequest) => void; busy: boolean; problem: ReportProblem | null } {
  const mutation = useMutation({
    mutationFn: (request: StaffingReportRequest) => fetchStaffingCsv(token, request),
    onSuccess: (blob, request) => saveAs(blob, csvFileName(request)),
  });
  return { download: mutation.mutate, busy: mutation.isPending, problem: mutation.error ? reportProblemOf(mutation.error) : null };
}
