/**
 * Erlang A (M/M/N+M, Palm's model): Erlang C's queue, except that each waiting customer has an
 * exponential patience with mean `patienceSec` and leaves (abandons) when it runs out before an agent
 * answers. The queue is stable for any N, so Erlang A is also meaningful below A servers.
 *
 * Notation: λ arrival rate, μ = 1/AHT, θ = 1/patience, N servers, A = λ/μ, π_k the stationary
 * probability of k customers in the system. The chain is birth–death with birth λ and death
 * min(k, N)·μ + max(k − N, 0)·θ, so with w_m = Π_{i=1..m} λ / (Nμ + iθ):
 *
 *   π_{N+m} = π_N · w_m,   Σ_{k<N} π_k = π_N · R,   R = 1/B(N, A) − 1,   π_N = 1 / (R + Σ_m w_m).
 *
 * A customer who arrives to find m others waiting (probability π_{N+m}, PASTA) moves up at rate
 * Nμ + jθ while j are ahead of it and abandons at rate θ, so
 *   P(answered | m)          = Nμ / (Nμ + (m+1)θ)
 *   E[wait | answered, m]    = Σ_{j=0..m} 1 / (Nμ + (j+1)θ)
 * and, summing over m, P(abandon) = θ·E[queue]/λ and ASA = E[wait · 1{answered}] / P(answered).
 *
 * For the service level the offered wait V_m (time to reach an agent ignoring one's own patience) is a
 * sum of exponentials with rates θ(a + j), j = 0..m, a = Nμ/θ, so e^{−θV_m} ~ Beta(a, m+1). Summing
 * P(V ≤ t, V < patience) = E[e^{−θV} 1{V ≤ t}] over m against π_{N+m} collapses to the incomplete-gamma
 * form of Garnett, Mandelbaum and Reiman (2002):
 *
 *   P(answered after waiting, within t) = π_N · [U(λ) − K · U(λ e^{−θt})],
 *   K = exp(−(Nμ + θ)·t + (λ/θ)(1 − e^{−θt})),
 *   U(x) = Σ_{k≥0} Nμ x^k / Π_{j=1..k+1} (Nμ + jθ)     (the series of γ(a+1, x/θ)).
 *
 * Every series is summed in log space and stopped once the remaining tail, bounded by a geometric
 * series, is below 1e-17 of the sum; R comes from the Erlang B recursion in log space. Nothing
 * overflows for thousands of servers, and as patience → ∞ the results converge to Erlang C.
 */
import { LogSum, MAX_SERIES_TERMS, logAddExp, softplus } from './numeric';
import type { QueueMetrics } from './erlang-c';
import { requireNonNegative, requirePositive, requirePositiveInteger } from './validate';

export interface ErlangAInput {
  servers: number;
  trafficErlangs: number;
  ahtSec: number;
  /** Mean of the exponential patience of waiting customers, seconds. */
  patienceSec: number;
  /** Service-level threshold: "answered within targetSec seconds". */
  targetSec: number;
}

export interface ErlangAMetrics extends QueueMetrics {
  /** Answered within the target / answered (abandons left out of both). */
  serviceLevelOfAnswered: number;
  /** Mean number of customers waiting. */
  meanQueueLength: number;
}

/** Erlang A metrics for one interval; see the module comment for the definitions. */
export function erlangAMetrics(input: ErlangAInput): ErlangAMetrics {
  const servers = requirePositiveInteger('servers', input.servers);
  const traffic = requirePositive('trafficErlangs', input.trafficErlangs);
  const aht = requirePositive('ahtSec', input.ahtSec);
  const patience = requirePositive('patienceSec', input.patienceSec);
  const target = requireNonNegative('targetSec', input.targetSec);
  return erlangAUnchecked(servers, traffic, aht, patience, target);
}

/** log R with R = Σ_{k<N} π_k / π_N = 1/B(N, A) − 1, from R_k = (k/A)·(1 + R_{k−1}), R_0 = 0. */
export function logIdleOdds(servers: number, traffic: number): number {
  let logR = -Infinity;
  const logA = Math.log(traffic);
  for (let k = 1; k <= servers; k++) logR = Math.log(k) - logA + softplus(logR);
  return logR;
}

function tooManyTerms(): never {
  throw new RangeError(
    `Erlang A series needed more than ${MAX_SERIES_TERMS} terms: the queue is far overloaded with a very long patience`,
  );
}

/** log U(x), U(x) = Σ_{k≥0} Nμ x^k / Π_{j=1..k+1} (Nμ + jθ). */
function logU(x: number, nMu: number, theta: number): number {
  const sum = new LogSum();
  const logX = Math.log(x);
  let logTerm = Math.log(nMu) - Math.log(nMu + theta);
  for (let k = 0; ; k++) {
    if (k > MAX_SERIES_TERMS) tooManyTerms();
    sum.add(logTerm);
    const denominator = nMu + (k + 2) * theta;
    const ratio = x / denominator;
    if (ratio < 1 && sum.negligible(logTerm, ratio)) return sum.log;
    logTerm += logX - Math.log(denominator);
  }
}

export function erlangAUnchecked(
  servers: number,
  traffic: number,
  aht: number,
  patience: number,
  target: number,
  logR: number = logIdleOdds(servers, traffic),
): ErlangAMetrics {
  const mu = 1 / aht;
  const lambda = traffic * mu;
  const theta = 1 / patience;
  const nMu = servers * mu;

  // Sums over m ≥ 0 of w_m (queue distribution), m·w_m (queue length), w_m·P(answered | m) and
  // w_m·P(answered | m)·E[wait | answered, m].
  const all = new LogSum();
  const queue = new LogSum();
  const answered = new LogSum();
  const waitAnswered = new LogSum();
  const logLambda = Math.log(lambda);
  let logW = 0;
  let meanWait = 0;
  for (let m = 0; ; m++) {
    if (m > MAX_SERIES_TERMS) tooManyTerms();
    const leave = nMu + (m + 1) * theta; // rate of leaving the queue position with m ahead
    meanWait += 1 / leave;
    const logAnswered = Math.log(nMu) - Math.log(leave);
    all.add(logW);
    if (m > 0) queue.add(logW + Math.log(m));
    answered.add(logW + logAnswered);
    waitAnswered.add(logW + logAnswered + Math.log(meanWait));
    const ratio = lambda / leave; // w_{m+1} / w_m
    // Later terms of every sum shrink by at most ratio·(m+1)/m per step (the weights m, meanWait grow
    // no faster than that), so once that is < 1 the tails are geometric.
    if (m > 0) {
      const bound = (ratio * (m + 1)) / m;
      if (
        bound < 1 &&
        all.negligible(logW, bound) &&
        queue.negligible(logW + Math.log(m), bound) &&
        answered.negligible(logW + logAnswered, bound) &&
        waitAnswered.negligible(logW + logAnswered + Math.log(meanWait), bound)
      ) {
        break;
      }
    }
    logW += logLambda - Math.log(leave);
  }

  const logPiN = -logAddExp(logR, all.log);
  const probWait = Math.exp(logPiN + all.log);
  const probNoWait = Math.exp(logPiN + logR);
  const abandonRate = Math.exp(logPiN + queue.log + Math.log(theta) - logLambda);
  const answeredAfterWait = Math.exp(logPiN + answered.log);
  const probAnswered = probNoWait + answeredAfterWait;

  // Answered after waiting, within the target: π_N · [U(λ) − K·U(λe^{−θt})]; U(λ) = Σ w_m P(answered | m).
  let answeredWithin = 0;
  if (target > 0) {
    const logK = -(nMu + theta) * target - (lambda / theta) * Math.expm1(-theta * target);
    const late = Math.exp(logPiN + logK + logU(lambda * Math.exp(-theta * target), nMu, theta));
    answeredWithin = Math.min(answeredAfterWait, Math.max(0, answeredAfterWait - late));
  }
  const serviceLevel = probNoWait + answeredWithin;

  return {
    probWait,
    serviceLevel,
    serviceLevelOfAnswered: probAnswered > 0 ? Math.min(1, serviceLevel / probAnswered) : 0,
    asaSec: probAnswered > 0 ? Math.exp(logPiN + waitAnswered.log) / probAnswered : Infinity,
    occupancy: (traffic * probAnswered) / servers,
    abandonRate,
    meanQueueLength: Math.exp(logPiN + queue.log),
  };
}
