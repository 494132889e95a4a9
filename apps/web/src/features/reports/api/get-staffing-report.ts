import {
  badRequestBodySchema,
  staffingReportSchema,
  type StaffingReport,
  type StaffingReportRequest,
} from '@warroom/contracts';
import { useEffect, useState } from 'react';
import { announceRejectedSession } from '../../../lib/api-client';

/** Why a report is not shown: the request's failing paths (400), or what else went wrong. */
export type ReportProblem =
  | { kind: 'bad-request'; issues: { path: string; message: string }[] }
  | { kind: 'bad-response'; detail: string }
  | { kind: 'failed'; detail: string };

export class ReportRequestError extends Error {
  constructor(readonly problem: ReportProblem) {
    super(problem.kind === 'bad-request' ? problem.issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ') : problem.detail);
  }
}

/** Throws a ReportRequestError for a response that is not 2xx, with the 400's failing paths when it has them. */
export async function ensureOk(response: Response): Promise<void> {
  if (response.ok) return;
  announceRejectedSession(response);
  const text = await response.text();
  if (response.status === 400) {
    let json: unknown = null;
    try {
      json = JSON.parse(text);
    } catch {
      // Not JSON: reported as text below.
    }
    const body = badRequestBodySchema.safeParse(json);
    if (body.success) {
      const issues = body.data.issues ?? [{ path: '', message: [body.data.message].flat().join('; ') }];
      throw new ReportRequestError({ kind: 'bad-request', issues });
    }
  }
  throw new ReportRequestError({ kind: 'failed', detail: `HTTP ${response.status}: ${text.slice(0, 300)}` });
}

/** POST /api/reports/staffing: the report of a request (with its roster, if any), parsed with the contract. */
export async function fetchStaffingReport(token: string, request: StaffingReportRequest, signal?: AbortSignal): Promise<StaffingReport> {
  const response = await fetch('/api/reports/staffing', {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(request),
    signal,
  });
  await ensureOk(response);
  const parsed = staffingReportSchema.safeParse(await response.json());
  if (!parsed.success) {
    throw new ReportRequestError({ kind: 'bad-response', detail: parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
  }
  return parsed.data;
}

export type ReportState =
  | { status: 'idle' }
  | { status: 'loading'; previous: StaffingReport | null }
  | { status: 'ready'; report: StaffingReport }
  | { status: 'error'; problem: ReportProblem };

/** The report of `request`, fetched again whenever it changes (the last request wins); idle while null. */
export function useStaffingReport(token: string, request: StaffingReportRequest | null): ReportState {
  const [state, setState] = useState<ReportState>({ status: 'idle' });

  useEffect(() => {
    if (request === null) return;
    const controller = new AbortController();
    setState((previous) => ({ status: 'loading', previous: previous.status === 'ready' ? previous.report : null }));
    fetchStaffingReport(token, request, controller.signal).then(
      (report) => setState({ status: 'ready', report }),
      (error: unknown) => {
        if (controller.signal.aborted) return;
        const problem: ReportProblem =
          error instanceof ReportRequestError ? error.problem : { kind: 'failed', detail: error instanceof Error ? error.message : String(error) };
        setState({ status: 'error', problem });
      },
    );
    return () => controller.abort();
  }, [token, request]);

  return state;
}
