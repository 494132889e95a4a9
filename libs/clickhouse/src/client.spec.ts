import { afterEach, describe, expect, it, vi } from 'vitest';
import { WithoutDataLogger } from './client';

describe('WithoutDataLogger', () => {
  afterEach(() => vi.restoreAllMocks());

  it("logs a failed request's line and error code, never the server's message or the query's parameters", () => {
    const printed = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const error = Object.assign(new Error("Cannot parse escape sequence: before: '退货 13812345678'"), { code: '25', type: 'CANNOT_PARSE_ESCAPE_SEQUENCE' });
    new WithoutDataLogger().error({ module: 'HTTP Adapter', message: 'Insert failed', args: { query_params: { text: '退货 13812345678' } }, err: error });
    expect(printed).toHaveBeenCalledWith('[@clickhouse/client][HTTP Adapter] Insert failed (Error, CANNOT_PARSE_ESCAPE_SEQUENCE, code 25)');
    expect(JSON.stringify(printed.mock.calls)).not.toContain('13812345678');
  });
});
