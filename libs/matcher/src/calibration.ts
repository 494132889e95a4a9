/**
 * Confidence calibration: a small logistic regression that maps the matcher's raw signals for its top
 * answer (classifier probability, margin over the runner-up, example similarity) to P(answer is right).
 *
 * It is fitted on simulated traffic made from the knowledge base itself (see Matcher.calibrate): held-out
 * examples of known answers are the known queries, and all examples of answers left out of the fold play
 * the questions the KB cannot answer. No labelled traffic is needed.
 */

export interface CalibrationSample {
  features: readonly number[];
  /** The top answer was the right one. */
  correct: boolean;
}

export class LogisticCalibrator {
  private constructor(
    private readonly mean: readonly number[],
    private readonly scale: readonly number[],
    private readonly weights: readonly number[],
    private readonly bias: number,
  ) {}

  /**
   * Fits by Newton's method (IRLS) on standardised features with a small L2 penalty, which keeps the fit
   * finite when the classes separate perfectly (tiny knowledge bases).
   */
  static fit(samples: readonly CalibrationSample[], l2 = 1e-2, iterations = 25): LogisticCalibrator {
    const d = samples[0]?.features.length ?? 0;
    const n = samples.length;
    const mean = new Array<number>(d).fill(0);
    const scale = new Array<number>(d).fill(0);
    for (const s of samples) for (let j = 0; j < d; j++) mean[j] = (mean[j] as number) + (s.features[j] as number) / n;
    for (const s of samples) {
      for (let j = 0; j < d; j++) scale[j] = (scale[j] as number) + ((s.features[j] as number) - (mean[j] as number)) ** 2 / n;
    }
    for (let j = 0; j < d; j++) scale[j] = Math.sqrt(scale[j] as number) || 1;
    const xs = samples.map((s) => [1, ...s.features.map((v, j) => (v - (mean[j] as number)) / (scale[j] as number))]);
    const ys = samples.map((s) => (s.correct ? 1 : 0));
    // beta[0] is the intercept (not penalised).
    let beta = new Array<number>(d + 1).fill(0);
    for (let it = 0; it < iterations; it++) {
      const grad = new Array<number>(d + 1).fill(0);
      const hess = Array.from({ length: d + 1 }, () => new Array<number>(d + 1).fill(0));
      for (let i = 0; i < n; i++) {
        const x = xs[i] as number[];
        const p = sigmoid(dotDense(beta, x));
        const r = p - (ys[i] as number);
        const w = Math.max(p * (1 - p), 1e-9);
        for (let a = 0; a <= d; a++) {
          grad[a] = (grad[a] as number) + r * (x[a] as number);
          const row = hess[a] as number[];
          for (let b = 0; b <= d; b++) row[b] = (row[b] as number) + w * (x[a] as number) * (x[b] as number);
        }
      }
      for (let a = 1; a <= d; a++) {
        grad[a] = (grad[a] as number) + l2 * n * (beta[a] as number);
        (hess[a] as number[])[a] = ((hess[a] as number[])[a] as number) + l2 * n;
      }
      const step = solve(hess, grad);
      beta = beta.map((b, j) => b - (step[j] as number));
      if (Math.max(...step.map(Math.abs)) < 1e-8) break;
    }
    return new LogisticCalibrator(mean, scale, beta.slice(1), beta[0] as number);
  }

  predict(features: readonly number[]): number {
    let z = this.bias;
    for (let j = 0; j < this.weights.length; j++) {
      z += (this.weights[j] as number) * (((features[j] ?? 0) - (this.mean[j] as number)) / (this.scale[j] as number));
    }
    return sigmoid(z);
  }
}

export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

function dotDense(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] as number) * (b[i] as number);
  return s;
}

/** Solves A x = b by Gaussian elimination with partial pivoting (A is small and positive definite). */
function solve(a: readonly (readonly number[])[], b: readonly number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i] as number]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) {
      if (Math.abs((m[r] as number[])[col] as number) > Math.abs((m[pivot] as number[])[col] as number)) pivot = r;
    }
    [m[col], m[pivot]] = [m[pivot] as number[], m[col] as number[]];
    const p = (m[col] as number[])[col] as number;
    if (Math.abs(p) < 1e-12) continue;
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = ((m[r] as number[])[col] as number) / p;
      if (f === 0) continue;
      for (let c = col; c <= n; c++) (m[r] as number[])[c] = ((m[r] as number[])[c] as number) - f * ((m[col] as number[])[c] as number);
    }
  }
  return m.map((row, i) => {
    const p = row[i] as number;
    return Math.abs(p) < 1e-12 ? 0 : (row[n] as number) / p;
  });
}
