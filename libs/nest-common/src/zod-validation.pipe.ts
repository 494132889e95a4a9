import type { PipeTransform } from '@nestjs/common';
import { issueList } from '@warroom/contracts';
import type { z } from 'zod';
import { InvalidInput } from './domain-errors';

/** Parses a request part with a contract schema; a failure is `InvalidInput` naming every failing field. */
export class ZodValidationPipe<S extends z.ZodType> implements PipeTransform<unknown, z.infer<S>> {
  constructor(private readonly schema: S) {}

  transform(value: unknown): z.infer<S> {
    const parsed = this.schema.safeParse(value);
    if (parsed.success) return parsed.data;
    throw new InvalidInput('Invalid request', issueList(parsed.error));
  }
}
