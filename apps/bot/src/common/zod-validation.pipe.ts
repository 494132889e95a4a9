import { BadRequestException, type PipeTransform } from '@nestjs/common';
import type { z } from 'zod';

/** The body of a 400 for a request part that failed its schema: every failing path named. */
export function invalidRequestBody(error: z.ZodError): { message: string; issues: { path: string; message: string }[] } {
  return { message: 'Invalid request', issues: error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })) };
}

/** Parses a request part with a contract schema; a failure is a 400 that names every failing path. */
export class ZodValidationPipe<S extends z.ZodType> implements PipeTransform<unknown, z.infer<S>> {
  constructor(private readonly schema: S) {}

  transform(value: unknown): z.infer<S> {
    const parsed = this.schema.safeParse(value);
    if (parsed.success) return parsed.data;
    throw new BadRequestException(invalidRequestBody(parsed.error));
  }
}
