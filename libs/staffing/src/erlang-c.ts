/**
 * Erlang B and Erlang C (M/M/N): Poisson arrivals, exponential handle times, N identical servers, an
 * unlimited FIFO queue and customers who never give up.
 *
 * Units: `trafficErlangs` is the offered load A = arrival rate × mean handle time; `ahtSec` and
 * `targetSec` are seconds. Nothing computes a factorial or a power: Erlang B comes from the recursion
 * B(0) = 1, B(k) = A·B(k−1) / (k + A·B(k−1)), which stays in [0, 1] for any N, and Erlang C from B.
 */
import { requireNonNegative, requirePositive, requirePositiveInteger } from './validate';

/** Blocking probability of the M/M/N/N loss system (Erlang B). */
export function erlangB(servers: number, trafficErlangs: number): number {
  requirePositiveInteger('servers', servers);
  requirePositive('trafficErlangs', trafficErlangs);
  return erlangBUnchecked(servers, trafficErlangs);
}

export function erlangBUnchecked(servers: number, traffic: number): number {
  let b = 1;
  for (let k = 1; k <= servers; k++) b = (traffic * b) / (k + traffic * b);
  return b;
}

/**
 * Probability that an arriving customer waits (Erlang C), C = N·B / (N − A·(1 − B)).
 * 1 when N ≤ A: the queue is unstable and everyone waits.
 */
export function erlangC(servers: number, trafficErlangs: number): number {
  requirePositiveInteger('servers', servers);
  requirePositive('trafficErlangs', trafficErlangs);
  return erlangCUnchecked(servers, trafficErlangs);
}

export function erlangCUnchecked(servers: number, traffic: number): number {
  if (servers <= traffic) return 1;
  const b = erlangBUnchecked(servers, traffic);
  return (servers * b) / (servers - traffic * (1 - b));
}

/** What one interval looks like with a given number of servers. */
export interface QueueMetrics {
  /** P(an arriving customer has to wait at all). */
  probWait: number;
  /** Share of offered customers answered within the target time (an abandon counts as a miss). */
  serviceLevel: number;
  /** Average speed of answer: mean wait of answered customers, seconds (∞ when the queue is unstable). */
  asaSec: number;
  /** Carried load per server: the share of server time spent handling. */
  occupancy: number;
  /** Share of offered customers who abandon; 0 for Erlang C, whose customers never do. */
  abandonRate: number;
}

export interface ErlangCInput {
  servers: number;
  trafficErlangs: number;
  ahtSec: number;
  /** Service-level threshold: "answered within targetSec seconds". */
  targetSec: number;
}

/**
 * Erlang C metrics. With C the probability of waiting, the wait of a delayed customer is exponential
 * with rate (N − A)/AHT, so
 *   service level  SL(t) = 1 − C · exp(−(N − A) · t / AHT)
 *   ASA            C · AHT / (N − A)
 *   occupancy      A / N
 * When N ≤ A the queue grows without bound: SL 0, ASA ∞, occupancy 1.
 */
export function erlangCMetrics(input: ErlangCInput): QueueMetrics {
  const servers = requirePositiveInteger('servers', input.servers);
  const traffic = requirePositive('trafficErlangs', input.trafficErlangs);
  const aht = requirePositive('ahtSec', input.ahtSec);
  const target = requireNonNegative('targetSec', input.targetSec);
  return erlangCMetricsFromWait(servers, traffic, aht, target, erlangCUnchecked(servers, traffic));
}

export function erlangCMetricsFromWait(
  servers: number,
  traffic: number,
  aht: number,
  target: number,
  probWait: number,
): QueueMetrics {
  if (servers <= traffic) return { probWait: 1, serviceLevel: 0, asaSec: Infinity, occupancy: 1, abandonRate: 0 };
  const spare = servers - traffic;
  return {
    probWait,
    serviceLevel: 1 - probWait * Math.exp((-spare * target) / aht),
    asaSec: (probWait * aht) / spare,
    occupancy: traffic / servers,
    abandonRate: 0,
  };
}

/** Erlang C service level: share answered within `targetSec`. */
export function erlangCServiceLevel(
  servers: number,
  trafficErlangs: number,
  ahtSec: number,
  targetSec: number,
): number {
  return erlangCMetrics({ servers, trafficErlangs, ahtSec, targetSec }).serviceLevel;
}

/** Erlang C average speed of answer, seconds (∞ when servers ≤ traffic). */
export function erlangCAsa(servers: number, trafficErlangs: number, ahtSec: number): number {
  return erlangCMetrics({ servers, trafficErlangs, ahtSec, targetSec: 0 }).asaSec;
}
