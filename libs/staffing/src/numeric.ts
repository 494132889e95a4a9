/** Log-space helpers: the queue formulas multiply terms that overflow a double long before they matter. */

/** log(1 + e^x) without overflow; softplus(−∞) = 0. */
export function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

/** log(e^x + e^y); either may be −∞. */
export function logAddExp(x: number, y: number): number {
  if (x === -Infinity) return y;
  if (y === -Infinity) return x;
  return x > y ? x + Math.log1p(Math.exp(y - x)) : y + Math.log1p(Math.exp(x - y));
}

/** A sum of positive terms given by their logarithms, kept as scale · sum so nothing overflows. */
export class LogSum {
  private scale = -Infinity;
  private sum = 0;

  add(logTerm: number): void {
    if (logTerm === -Infinity) return;
    if (logTerm > this.scale) {
      this.sum = this.sum * Math.exp(this.scale - logTerm) + 1;
      this.scale = logTerm;
    } else {
      this.sum += Math.exp(logTerm - this.scale);
    }
  }

  /** log of the sum; −∞ while empty. */
  get log(): number {
    return this.scale === -Infinity ? -Infinity : this.scale + Math.log(this.sum);
  }

  /**
   * True when a tail whose first term is e^logTerm and whose terms then shrink at least geometrically
   * with ratio ≤ `ratioBound` < 1 cannot change the sum by a relative 1e-17.
   */
  negligible(logTerm: number, ratioBound: number): boolean {
    return logTerm + Math.log(ratioBound / (1 - ratioBound)) < this.log - 40;
  }
}

/** Upper bound on series terms before a computation gives up (only absurd inputs come near it). */
export const MAX_SERIES_TERMS = 100_000_000;
