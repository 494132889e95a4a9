import type { StaffingReportRequest } from '@warroom/contracts';
import { useCallback, useState } from 'react';
import { ReportRequestError, ensureOk, type ReportProblem } from './get-staffing-report';

/** POST /api/reports/staffing.csv: the report of a request as CSV text. */
export async function fetchStaffingCsv(token: string, request: StaffingReportRequest): Promise<Blob> {
  const response = await fetch('/api/reports/staffing.csv', {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(request),
  });
  await ensureOk(response);
  return new Blob([await response.text()], { type: 'text/csv;charset=utf-8' });
}

/** `staffing-<shop>-<from>-<interval>.csv`, safe as a file name. */
export function csvFileName(request: StaffingReportRequest): string {
  return `staffing-${request.shop}-${request.from.slice(0, 16)}-${request.interval}.csv`.replace(/[^A-Za-z0-9_.-]+/g, '-');
}

/**
 * Downloads the CSV of a request: the api needs the token in a header, which a plain link cannot send, so
 * the file is fetched and handed to the browser as a blob link.
 */
export function useCsvDownload(token: string): { download: (request: StaffingReportRequest) => void; busy: boolean; problem: ReportProblem | null } {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ReportProblem | null>(null);
  const download = useCallback(
    (request: StaffingReportRequest) => {
      setBusy(true);
      setProblem(null);
      fetchStaffingCsv(token, request)
        .then((blob) => {
          const url = URL.createObjectURL(blob);
          const link = document.createElement('a');
          link.href = url;
          link.download = csvFileName(request);
          document.body.append(link);
          link.click();
          link.remove();
          // Revoked later: revoking at once can cancel the download in some browsers.
          setTimeout(() => URL.revokeObjectURL(url), 60_000);
        })
        .catch((error: unknown) => {
          setProblem(
            error instanceof ReportRequestError ? error.problem : { kind: 'failed', detail: error instanceof Error ? error.message : String(error) },
          );
        })
        .finally(() => setBusy(false));
    },
    [token],
  );
  return { download, busy, problem };
}
