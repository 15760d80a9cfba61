// Statistics for the study's claims: exact tests for the comparisons the claims make and a seeded two-stage
// bootstrap for intervals. Pure and deterministic: the same inputs and seed give the same interval.
//
// Why these: the SAEs of a run are not independent units (the realizations of a cell share one data stream,
// the cells of an experiment share one toy model), so a Fisher test that counts SAEs is anti-conservative.
// Each comparison therefore also gets a sign test over seeds (independent toy models, data and inits), and
// intervals resample seeds first, then cells within each seed (a cluster bootstrap).
import { rngU32 } from '../core/rng';

function logFactorials(n: number): Float64Array {
  const lf = new Float64Array(n + 1);
  for (let i = 1; i <= n; i++) lf[i] = lf[i - 1] + Math.log(i);
  return lf;
}

/**
 * One-sided Fisher exact test that group 1 has the larger success probability: P(X >= x1) where X is
 * hypergeometric with the table's margins (x1 successes of n1 in group 1, x2 of n2 in group 2).
 */
export function fisherGreater(x1: number, n1: number, x2: number, n2: number): number {
  for (const [v, name] of [
    [x1, 'x1'],
    [n1, 'n1'],
    [x2, 'x2'],
    [n2, 'n2'],
  ] as const)
    if (!Number.isInteger(v) || v < 0) throw new Error(`fisherGreater: ${name} = ${v} must be a non-negative integer`);
  if (x1 > n1 || x2 > n2) throw new Error(`fisherGreater: successes exceed trials (${x1}/${n1}, ${x2}/${n2})`);
  const N = n1 + n2,
    K = x1 + x2;
  if (N === 0) return 1;
  const lf = logFactorials(N);
  const logC = (n: number, k: number) => lf[n] - lf[k] - lf[n - k];
  const denom = logC(N, n1);
  let p = 0;
  for (let x = x1; x <= Math.min(K, n1); x++) if (K - x <= n2) p += Math.exp(logC(K, x) + logC(N - K, n1 - x) - denom);
  return Math.min(1, p);
}

/** One-sided exact binomial test P(X >= k) for X ~ Bin(n, q). */
export function binomialGreater(k: number, n: number, q = 0.5): number {
  if (!Number.isInteger(k) || !Number.isInteger(n) || k < 0 || n < 0 || k > n)
    throw new Error(`binomialGreater: k = ${k}, n = ${n} must be integers with 0 <= k <= n`);
  if (!(q >= 0 && q <= 1)) throw new Error(`binomialGreater: q = ${q} must lie in [0, 1]`);
  if (k === 0) return 1;
  if (q === 0) return 0;
  if (q === 1) return 1;
  const lf = logFactorials(n);
  let p = 0;
  for (let x = k; x <= n; x++) p += Math.exp(lf[n] - lf[x] - lf[n - x] + x * Math.log(q) + (n - x) * Math.log1p(-q));
  return Math.min(1, p);
}

/**
 * Sign test over paired units (seeds): `diffs` are per-unit differences in the claim's direction; ties (0)
 * are dropped. Returns how many are positive and negative, and P(at least that many positive | no effect).
 */
export function signTest(diffs: number[]): { pos: number; neg: number; p: number } {
  const pos = diffs.filter((d) => d > 0).length,
    neg = diffs.filter((d) => d < 0).length;
  return { pos, neg, p: binomialGreater(pos, pos + neg) };
}

/** The q-quantile of sorted values (linear interpolation between order statistics, numpy's default). */
export function quantileSorted(sorted: number[], q: number): number {
  if (!sorted.length) return Number.NaN;
  const h = (sorted.length - 1) * q,
    lo = Math.floor(h),
    hi = Math.ceil(h);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

export const median = (values: number[]) =>
  quantileSorted(
    [...values].sort((a, b) => a - b),
    0.5,
  );

export interface Interval {
  /** the statistic on the data as observed */
  value: number;
  /** 2.5 % and 97.5 % percentiles of the bootstrap distribution */
  lo: number;
  hi: number;
  /** bootstrap replicates whose statistic was finite */
  reps: number;
}

/** Bootstrap settings of every interval the reports print (fixed, so the published reports are reproducible). */
export const BOOTSTRAP = { reps: 2000, seed: 20261206, level: 0.95 } as const;

/** A stream id for the bootstrap's draws, apart from the kit's data streams. */
const BOOT_STREAM = 0xb007;

/**
 * Two-stage (cluster) bootstrap: `groups[g]` are the units of one independent group (a seed's cells). Each
 * replicate draws groups with replacement, then units with replacement within each drawn group, and
 * evaluates `stat` on the resampled groups. With one group only the second stage varies. Deterministic
 * for a given `seed` (counter-based draws: replicate, stage, index).
 */
export function clusterBootstrap<T>(groups: T[][], stat: (groups: T[][]) => number, opts: { reps?: number; seed?: number; level?: number } = {}): Interval {
  const reps = opts.reps ?? BOOTSTRAP.reps,
    seed = opts.seed ?? BOOTSTRAP.seed,
    level = opts.level ?? BOOTSTRAP.level;
  const value = stat(groups);
  const G = groups.length;
  if (!G) return { value, lo: Number.NaN, hi: Number.NaN, reps: 0 };
  const draw = (r: number, stage: number, i: number, n: number) => rngU32(seed, BOOT_STREAM, r, stage, i) % n;
  const out: number[] = [];
  for (let r = 0; r < reps; r++) {
    const sample: T[][] = [];
    for (let g = 0; g < G; g++) {
      const src = groups[G === 1 ? 0 : draw(r, 0, g, G)];
      sample.push(src.map((_, i) => src[draw(r, 1 + g, i, src.length)]));
    }
    const v = stat(sample);
    if (Number.isFinite(v)) out.push(v);
  }
  out.sort((a, b) => a - b);
  const a = (1 - level) / 2;
  return { value, lo: quantileSorted(out, a), hi: quantileSorted(out, 1 - a), reps: out.length };
}

/** Share of a count over groups of items: sum(count) / sum(total). */
export function pooledShare<T>(count: (t: T) => number, total: (t: T) => number): (groups: T[][]) => number {
  return (groups) => {
    let c = 0,
      n = 0;
    for (const g of groups)
      for (const t of g) {
        c += count(t);
        n += total(t);
      }
    return n ? c / n : Number.NaN;
  };
}

/** "0.53 [0.47, 0.60]" (a share with its interval), or a percent form. */
export function fmtInterval(iv: Interval, asPercent = true): string {
  const f = (v: number) => (Number.isFinite(v) ? (asPercent ? `${(100 * v).toFixed(0)} %` : v.toFixed(3)) : 'n/a');
  return `${f(iv.value)} [95 % CI ${f(iv.lo)}, ${f(iv.hi)}]`;
}

/** "p = 0.031" with enough digits for small values. */
export function fmtP(p: number): string {
  if (!Number.isFinite(p)) return 'p n/a';
  return p < 1e-4 ? `p = ${p.toExponential(1)}` : `p = ${p < 0.01 ? p.toPrecision(2) : p.toFixed(3)}`;
}
