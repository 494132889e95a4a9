/**
 * Input checks shared by the formulas, the staffing search and the CLI. Every public function of the
 * library validates its arguments and throws {@link StaffingInputError}, which names the offending field,
 * so a caller (the CLI maps fields to its flags) can report exactly what is wrong.
 */

export class StaffingInputError extends RangeError {
  override readonly name = 'StaffingInputError';

  constructor(
    /** The argument or field at fault, e.g. `chatsPerHour`. */
    readonly field: string,
    /** What it must be, e.g. `must be a positive finite number`. */
    readonly requirement: string,
    readonly value: unknown,
  ) {
    super(`${field} ${requirement}, got ${String(value)}`);
  }
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** A finite number > 0 (rates, handle times, patience). */
export function requirePositive(field: string, value: unknown): number {
  if (!isFiniteNumber(value) || value <= 0) {
    throw new StaffingInputError(field, 'must be a positive finite number', value);
  }
  return value;
}

/** A finite number ≥ 0 (answer-time thresholds). */
export function requireNonNegative(field: string, value: unknown): number {
  if (!isFiniteNumber(value) || value < 0) throw new StaffingInputError(field, 'must be a finite number ≥ 0', value);
  return value;
}

/** An integer ≥ 1 (agents, servers, concurrency). */
export function requirePositiveInteger(field: string, value: unknown): number {
  if (!isFiniteNumber(value) || !Number.isInteger(value) || value < 1) {
    throw new StaffingInputError(field, 'must be an integer ≥ 1', value);
  }
  return value;
}

/**
 * A fraction within bounds; `lowOpen`/`highOpen` exclude the end points. Fractions are 0–1, never
 * percentages, so the message says so.
 */
export function requireFraction(
  field: string,
  value: unknown,
  bounds: { lowOpen: boolean; highOpen: boolean },
): number {
  const lowOk = isFiniteNumber(value) && (bounds.lowOpen ? value > 0 : value >= 0);
  const highOk = isFiniteNumber(value) && (bounds.highOpen ? value < 1 : value <= 1);
  if (!lowOk || !highOk) {
    const range = `${bounds.lowOpen ? '(' : '['}0, 1${bounds.highOpen ? ')' : ']'}`;
    throw new StaffingInputError(field, `must be a fraction in ${range} (e.g. 0.8 for 80 %)`, value);
  }
  return value;
}
