// Host-side analysis of trained models (docs/science.md §5): feature directions in the hidden space, the figure
// rotation, closest true and composed directions per latent, the old nearest-line verdict, MMCS, principal components
// and the expected-L1 comparison of the true and composed dictionaries.

export type Vec = number[];

export const dot = (a: Vec, b: Vec) => a.reduce((s, v, i) => s + v * b[i], 0);
export const norm = (a: Vec) => Math.sqrt(dot(a, a));
export const unit = (a: Vec) => {
  const n = norm(a);
  return n > 0 ? a.map((v) => v / n) : a.map(() => 0);
};
export const cosine = (a: Vec, b: Vec) => {
  const d = norm(a) * norm(b);
  return d > 0 ? dot(a, b) / d : 0;
};

/** Toy model feature directions w_i = W[i, :] (h = W^T x puts feature i along row i). */
export function featureDirections(W: ArrayLike<number>, N: number, D: number): Vec[] {
  return Array.from({ length: N }, (_, i) => Array.from({ length: D }, (_, j) => W[i * D + j]));
}

/**
 * Composed directions: unit(sum of one feature per set) for every combination with non-zero probability
 * (features are indexed set by set). Labels like "x1+y2".
 */
export function composedDirections(features: Vec[], sets: number[], joint: number[]): { dir: Vec; label: string; members: number[] }[] {
  const out: { dir: Vec; label: string; members: number[] }[] = [];
  const offsets = sets.map((_, j) => sets.slice(0, j).reduce((a, b) => a + b, 0));
  joint.forEach((p, c) => {
    if (p <= 0) return;
    const members: number[] = [];
    let rest = c;
    for (let j = sets.length - 1; j >= 0; j--) {
      members.unshift(offsets[j] + (rest % sets[j]));
      rest = Math.floor(rest / sets[j]);
    }
    const sum = features[0].map((_, d) => members.reduce((s, i) => s + features[i][d], 0));
    out.push({ dir: unit(sum), label: members.map((i) => featureLabel(i, sets)).join('+'), members });
  });
  return out;
}

const SET_NAMES = 'xyzuvwabcdefghijklmnopqrst';
export function featureLabel(i: number, sets: number[]): string {
  let j = 0,
    k = i;
  while (j < sets.length && k >= sets[j]) {
    k -= sets[j];
    j++;
  }
  return `${SET_NAMES[j] ?? `s${j}_`}${k + 1}`;
}

/** Rotation angle (radians) that puts feature 0 on the positive x axis (2-D). */
export function figureRotation(features: Vec[]): number {
  return -Math.atan2(features[0][1], features[0][0]);
}

export function rotate2(v: Vec, theta: number): Vec {
  const c = Math.cos(theta),
    s = Math.sin(theta);
  return [c * v[0] - s * v[1], s * v[0] + c * v[1]];
}

export function angleDeg(v: Vec): number {
  return (Math.atan2(v[1], v[0]) * 180) / Math.PI;
}

export const LATENT_KINDS = ['true', 'composed', 'other', 'dead'] as const;
export type LatentKind = (typeof LATENT_KINDS)[number];
/** The old nearest-line verdict (secondary; see recovery.ts for the SAE verdict the kit reports). */
export const NEAREST_VERDICTS = ['true', 'composed', 'mixed', 'dead'] as const;
export type NearestVerdict = (typeof NEAREST_VERDICTS)[number];

export interface LatentMatch {
  kind: LatentKind;
  closest_true: string;
  cos_true: number;
  closest_composed: string;
  cos_composed: number;
}

export const MATCH_THRESHOLD = 0.9;

/**
 * Which latents of one SAE fire (activation > 1e-6) on some of `count` samples h ([count][D], row-major):
 * pre = W_enc (h - preBias b_dec) + b_enc through the variant's `activation`. Stops once every latent has fired.
 * The runner uses it for TopK, whose latents fire only among the k largest pre-activations of a sample: on a
 * one-hot probe (one feature alone) the k winners are the latents nearest that feature, so a latent on a
 * composed direction can fire on every composed sample and on no probe.
 */
export function latentsFiring(
  enc: { W: ArrayLike<number>; b: ArrayLike<number>; bDec: ArrayLike<number>; preBias: boolean },
  S: number,
  D: number,
  h: ArrayLike<number>,
  count: number,
  activation: (pre: number[]) => ArrayLike<number>,
): boolean[] {
  const fired = new Array<boolean>(S).fill(false);
  let left = S;
  const pre = new Array<number>(S);
  for (let b = 0; b < count && left > 0; b++) {
    for (let k = 0; k < S; k++) {
      let acc = enc.b[k];
      for (let j = 0; j < D; j++) acc += enc.W[k * D + j] * (h[b * D + j] - (enc.preBias ? enc.bDec[j] : 0));
      pre[k] = acc;
    }
    const f = activation(pre);
    for (let k = 0; k < S; k++)
      if (!fired[k] && f[k] > 1e-6) {
        fired[k] = true;
        left--;
      }
  }
  return fired;
}

/** Classify each latent by its decoder direction; latents not `alive` are 'dead' (the runner: alive = fires on some one-hot probe; TopK: or on the data's samples, latentsFiring). */
export function matchLatents(decoder: Vec[], alive: boolean[], features: Vec[], composed: { dir: Vec; label: string }[], sets: number[]): LatentMatch[] {
  return decoder.map((w, k) => {
    let bt = -1,
      ct = -Infinity,
      bc = -1,
      cc = -Infinity;
    features.forEach((f, i) => {
      const c = cosine(w, f);
      if (c > ct) {
        ct = c;
        bt = i;
      }
    });
    composed.forEach((f, i) => {
      const c = cosine(w, f.dir);
      if (c > cc) {
        cc = c;
        bc = i;
      }
    });
    let kind: LatentKind = 'other';
    if (!alive[k]) kind = 'dead';
    else if (ct >= MATCH_THRESHOLD && ct >= cc) kind = 'true';
    else if (cc >= MATCH_THRESHOLD && cc > ct) kind = 'composed';
    return {
      kind,
      closest_true: bt >= 0 ? featureLabel(bt, sets) : '',
      cos_true: ct,
      closest_composed: bc >= 0 ? composed[bc].label : '',
      cos_composed: composed.length ? cc : NaN,
    };
  });
}

/**
 * The old nearest-line rule: true when every live latent is a true feature, composed when every live latent
 * is composed, dead when none is live. In 2-D every direction lies within 22.5 deg of an axis or a diagonal
 * (cos 22.5 deg = 0.924 > 0.9), so no latent is ever 'other', and the rule never asks whether every target is
 * covered: it cannot reject. Kept as `verdict_nearest`; the SAE verdict is recoveryVerdict (recovery.ts).
 */
export function verdictOf(matches: LatentMatch[]): NearestVerdict {
  const live = matches.filter((m) => m.kind !== 'dead');
  if (!live.length) return 'dead';
  if (live.every((m) => m.kind === 'true')) return 'true';
  if (live.every((m) => m.kind === 'composed')) return 'composed';
  return 'mixed';
}

/** Mean over true features of the best cosine with any decoder direction (MMCS). */
export function mmcs(decoder: Vec[], features: Vec[]): number {
  return features.reduce((s, f) => s + Math.max(...decoder.map((w) => cosine(w, f))), 0) / features.length;
}

/** Fraction of true features with some decoder direction at cosine >= threshold. */
export function recovered(decoder: Vec[], features: Vec[], threshold = MATCH_THRESHOLD): number {
  return features.filter((f) => decoder.some((w) => cosine(w, f) >= threshold)).length / features.length;
}

/** Pairs of decoder directions that collapsed onto each other (cosine > 0.99). */
export function collapsedPairs(decoder: Vec[], threshold = 0.99): number {
  let n = 0;
  for (let k = 0; k < decoder.length; k++) for (let l = 0; l < k; l++) if (cosine(decoder[k], decoder[l]) > threshold) n++;
  return n;
}

/** Symmetric eigen-decomposition (cyclic Jacobi), eigenvalues descending. */
export function symmetricEigen(A: number[][]): { values: number[]; vectors: Vec[] } {
  const n = A.length;
  const a = A.map((r) => [...r]);
  const v: number[][] = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p][q] ** 2;
    if (off < 1e-24) break;
    for (let p = 0; p < n; p++)
      for (let q = p + 1; q < n; q++) {
        if (Math.abs(a[p][q]) < 1e-300) continue;
        const theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1),
          s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k][p],
            akq = a[k][q];
          a[k][p] = c * akp - s * akq;
          a[k][q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p][k],
            aqk = a[q][k];
          a[p][k] = c * apk - s * aqk;
          a[q][k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k][p],
            vkq = v[k][q];
          v[k][p] = c * vkp - s * vkq;
          v[k][q] = s * vkp + c * vkq;
        }
      }
  }
  const order = a.map((_, i) => i).sort((i, j) => a[j][j] - a[i][i]);
  return { values: order.map((i) => a[i][i]), vectors: order.map((i) => v.map((r) => r[i])) };
}

/** Principal components of activations h [count][D]: of the second moment E[hh^T] and of the covariance. */
export function principalComponents(h: ArrayLike<number>, count: number, D: number) {
  const mean = new Array(D).fill(0);
  for (let b = 0; b < count; b++) for (let j = 0; j < D; j++) mean[j] += h[b * D + j] / count;
  const second = Array.from({ length: D }, () => new Array(D).fill(0));
  for (let b = 0; b < count; b++) for (let i = 0; i < D; i++) for (let j = 0; j < D; j++) second[i][j] += (h[b * D + i] * h[b * D + j]) / count;
  const cov = second.map((r, i) => r.map((v, j) => v - mean[i] * mean[j]));
  return { mean, second_moment: symmetricEigen(second), covariance: symmetricEigen(cov) };
}

/**
 * Expected L1 per sample of the two dictionaries in the idealised frame of a two-set, two-feature toy model
 * (x set on +-e1, y set on +-e2): true (axes) |h1| + |h2|; composed (diagonals) sqrt(2) max(|h1|, |h2|).
 * `x` holds samples [count][4] from the kit's sampler.
 */
export function expectedL1TwoByTwo(x: ArrayLike<number>, count: number): { true_dictionary: number; composed_dictionary: number } {
  let t = 0,
    c = 0;
  for (let b = 0; b < count; b++) {
    const h1 = x[b * 4] - x[b * 4 + 1],
      h2 = x[b * 4 + 2] - x[b * 4 + 3];
    t += Math.abs(h1) + Math.abs(h2);
    c += Math.SQRT2 * Math.max(Math.abs(h1), Math.abs(h2));
  }
  return { true_dictionary: t / count, composed_dictionary: c / count };
}

/** Median of a list (NaN when empty); non-finite values are dropped. */
export function median(values: number[]): number {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (!v.length) return NaN;
  const h = v.length >> 1;
  return v.length % 2 ? v[h] : (v[h - 1] + v[h]) / 2;
}

/**
 * Trailing windowed median: out[i] = median(values[i-w+1 .. i]). The per-sample-FVU loss has rare huge
 * spikes (a batch holding a sample with |h| near 0), so a mean hides the trend and a median shows it.
 */
export function windowedMedian(values: number[], window: number): number[] {
  const w = Math.max(1, Math.floor(window));
  return values.map((_, i) => median(values.slice(Math.max(0, i - w + 1), i + 1)));
}

/** Relative drop of the median loss beyond which an SAE counts as not converged. */
export const CONVERGENCE_DROP = 0.05;

/**
 * Is the loss still falling at the end of training? Compares the median of the logged losses over the last
 * `frac` of the steps with the median over the `frac` before it; `drop` is (earlier - last) / |earlier|.
 * converged is false when the drop exceeds CONVERGENCE_DROP; null when a window holds fewer than 3 logged points.
 */
/** The logged losses of the last `frac` of the steps and of the `frac` before it (convergence's two windows). */
function lateWindows<T>(steps: readonly number[], losses: readonly T[], totalSteps: number, frac: number): { prev: T[]; last: T[] } {
  const lastFrom = totalSteps * (1 - frac),
    prevFrom = totalSteps * (1 - 2 * frac);
  return {
    prev: losses.filter((_, i) => steps[i] >= prevFrom && steps[i] < lastFrom),
    last: losses.filter((_, i) => steps[i] >= lastFrom),
  };
}

export function convergence(steps: number[], losses: number[], totalSteps: number, frac = 0.1): { converged: boolean | null; drop: number } {
  const { prev, last } = lateWindows(steps, losses, totalSteps, frac);
  // fewer than 3 logged points per window: a median of 1-2 spiky values says nothing
  if (prev.length < 3 || last.length < 3) return { converged: null, drop: NaN };
  const a = median(prev),
    b = median(last);
  if (!Number.isFinite(a) || !Number.isFinite(b) || a === 0) return { converged: null, drop: NaN };
  const drop = (a - b) / Math.abs(a);
  return { converged: drop <= CONVERGENCE_DROP, drop };
}

/**
 * One-sided exact Mann-Whitney test that `earlier` is stochastically greater than `later`: P(U >= u) when every
 * arrangement of the pooled values is equally likely, U counting the pairs with earlier > later (ties a half).
 * Exact by the classic recursion on the number of arrangements with a given U (window sizes here: a few dozen), for
 * distinct values (float losses); a tie counts a half against that no-tie null.
 */
export function mannWhitneyGreater(earlier: readonly number[], later: readonly number[]): number {
  const n = earlier.length,
    m = later.length;
  if (n === 0 || m === 0) return Number.NaN;
  let u2 = 0; // 2U, an integer with half-counted ties
  for (const a of earlier) for (const b of later) u2 += a > b ? 2 : a === b ? 1 : 0;
  // counts[i][j][u]: arrangements of i earlier and j later values with U = u (the largest value is either an
  // earlier one, beating all j later ones, or a later one, beating none)
  const max = n * m;
  let prev: Float64Array[] = Array.from({ length: m + 1 }, () => new Float64Array(max + 1));
  for (let j = 0; j <= m; j++) prev[j][0] = 1; // i = 0
  for (let i = 1; i <= n; i++) {
    const cur: Float64Array[] = Array.from({ length: m + 1 }, () => new Float64Array(max + 1));
    cur[0][0] = 1;
    for (let j = 1; j <= m; j++) for (let u = 0; u <= i * j; u++) cur[j][u] = (u >= j ? prev[j][u - j] : 0) + cur[j - 1][u];
    prev = cur;
  }
  const all = prev[m];
  let total = 0,
    tail = 0;
  for (let u = 0; u <= max; u++) {
    total += all[u];
    if (2 * u >= u2) tail += all[u];
  }
  return tail / total;
}

/** Significance level of stillFalling's test. */
export const FALLING_P = 0.05;

/**
 * convergence()'s drop, judged against the loss's own noise: the loss is still falling when the median drops by
 * more than CONVERGENCE_DROP between the two last windows and the later window's losses are lower by a one-sided
 * exact Mann-Whitney test at FALLING_P. The drop alone reads noise as progress where the loss is small and its
 * batches are heavy-tailed (the TopK family's FVU near 0.05: medians of 6 logged values move by 10-20 % from
 * window to window with no trend). null when a window holds fewer than 3 logged points.
 */
export function stillFalling(
  steps: readonly number[],
  losses: readonly (number | null)[],
  totalSteps: number,
  frac = 0.1,
): { falling: boolean | null; drop: number; p: number } {
  const ok = (l: number | null): l is number => typeof l === 'number' && Number.isFinite(l); // stored NaN reads null
  const w = lateWindows(steps, losses, totalSteps, frac);
  const prev = w.prev.filter(ok),
    last = w.last.filter(ok);
  if (prev.length < 3 || last.length < 3) return { falling: null, drop: Number.NaN, p: Number.NaN };
  const a = median(prev);
  if (a === 0) return { falling: null, drop: Number.NaN, p: Number.NaN };
  const drop = (a - median(last)) / Math.abs(a);
  const p = mannWhitneyGreater(prev, last);
  return { falling: drop > CONVERGENCE_DROP && p < FALLING_P, drop, p };
}

export const SELECTION_RULES = ['per_sample_fvu', 'batch_fvu'] as const;
export type SelectionRule = (typeof SELECTION_RULES)[number];

/**
 * Index (into `losses`) of the lowest loss among the candidates that did not diverge and have a finite loss
 * (all candidates when none qualify); ties keep the first.
 */
export function pickLowest(candidates: number[], losses: number[], diverged: (i: number) => boolean): number {
  const live = candidates.filter((i) => !diverged(i) && Number.isFinite(losses[i]));
  return (live.length ? live : candidates).reduce((best, i) => (losses[i] < losses[best] ? i : best));
}
