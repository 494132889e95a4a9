import type { Response } from 'express';
import { describe, expect, it, vi } from 'vitest';
import { IngestHealthController } from './ingest-health.controller';
import type { IngestHealth, IngestService } from './ingest.service';

const HEALTH: IngestHealth = {
  status: 'ok',
  consumerCrashes: 0,
  stored: 12,
  deadLettered: 0,
  refusedByStore: 0,
  duplicatesSkipped: 0,
  skippedAsAlreadyStored: 0,
  missingEvents: 0,
  partitions: [],
};

/** The controller's answer to `health`: the body, and the status it set on the response (if any). */
function answer(health: IngestHealth): { body: IngestHealth; status: ReturnType<typeof vi.fn> } {
  const ingest: Pick<IngestService, 'health'> = { health: () => health };
  const response = { status: vi.fn() };
  response.status.mockReturnValue(response);
  const body = new IngestHealthController(ingest as IngestService).health(response as unknown as Response);
  return { body, status: response.status };
}

describe('IngestHealthController', () => {
  it('answers the report with 200 while ingest works', () => {
    const { body, status } = answer(HEALTH);
    expect(body).toBe(HEALTH);
    expect(status).not.toHaveBeenCalled();
  });

  it('answers 503 once the consumer gave up, still with the whole report (the status strip reads why)', () => {
    const failed: IngestHealth = { ...HEALTH, status: 'failed', consumerCrashes: 3 };
    const { body, status } = answer(failed);
    expect(body).toBe(failed);
    expect(status).toHaveBeenCalledWith(503);
  });
});
