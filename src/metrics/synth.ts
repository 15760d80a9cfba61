// SynthSAEBench's recovery metrics with SAELens's definitions (sae_lens/synthetic/evals.py), so the kit's
// numbers compare with the field's: MCC (mean |cos| of the one-to-one Hungarian match of decoder rows to true
// feature vectors), uniqueness (distinct argmax-|cos| features over latents: collisions, not a one-to-one
// match, which would always give 1), per-latent precision / recall / F1 / accuracy as a detector of its
// best-matching feature (0 where undefined, then the mean over latents), explained variance
// (1 - E|x - xhat|^2 / (E|x|^2 - |E x|^2)), shrinkage (mean |xhat| / |x| over samples with |x| > 1e-6),
// L0 and latents that never fired. The kit's own matched recovery (signed cosines, coverage at 0.95) is in
// recovery.ts; these are beside it.
import { assignMax } from './assignment';
import { cosine, type Vec } from './analysis';

/** |cos| between every decoder row (latent) and every true feature vector: [latents][features]. */
export function absCos(decoder: Vec[], features: Vec[]): number[][] {
  return decoder.map((w) => features.map((f) => Math.abs(cosine(w, f))));
}

/** MCC: the Hungarian (one-to-one) match maximising the summed |cos|, averaged over the min(latents, features) matched pairs. */
export function mccAbs(decoder: Vec[], features: Vec[]): number {
  if (!decoder.length || !features.length) return 0;
  const C = absCos(decoder, features);
  const match = assignMax(C);
  const pairs = match.map((j, i) => (j >= 0 ? C[i][j] : Number.NaN)).filter(Number.isFinite);
  return pairs.reduce((a, b) => a + b, 0) / pairs.length;
}

/** Each latent's best-matching feature by |cos| (the first on ties, as torch.argmax). */
export function bestMatches(decoder: Vec[], features: Vec[]): number[] {
  return absCos(decoder, features).map((row) => row.reduce((best, v, i) => (v > row[best] ? i : best), 0));
}

/** Uniqueness: distinct best-matching features over the latents counted (all, as SAELens; or only `alive` ones). */
export function uniqueness(decoder: Vec[], features: Vec[], alive?: boolean[]): number {
  const idx = decoder.map((_, k) => k).filter((k) => !alive || alive[k]);
  if (!idx.length || !features.length) return 0;
  const best = bestMatches(
    idx.map((k) => decoder[k]),
    features,
  );
  return new Set(best).size / idx.length;
}

export interface DetectorScores {
  precision: number;
  recall: number;
  f1: number;
  accuracy: number;
}

/** Per-latent confusion counts of "latent fires (f > 0)" against "its best-matching feature is present (x > 0)", over samples. */
export class DetectorCounts {
  readonly tp: Float64Array;
  readonly fp: Float64Array;
  readonly fn: Float64Array;
  readonly tn: Float64Array;
  constructor(readonly best: number[]) {
    const S = best.length;
    this.tp = new Float64Array(S);
    this.fp = new Float64Array(S);
    this.fn = new Float64Array(S);
    this.tn = new Float64Array(S);
  }
  /** One sample: the latents' activations f (length S) and the true feature activations x (length n). */
  add(f: ArrayLike<number>, x: ArrayLike<number>): void {
    for (let k = 0; k < this.best.length; k++) {
      const fires = f[k] > 0,
        present = x[this.best[k]] > 0;
      if (fires && present) this.tp[k]++;
      else if (fires) this.fp[k]++;
      else if (present) this.fn[k]++;
      else this.tn[k]++;
    }
  }
  /** Per latent and as means over latents (SAELens: an undefined ratio counts 0). */
  scores(): { mean: DetectorScores; perLatent: DetectorScores[] } {
    const per: DetectorScores[] = [];
    for (let k = 0; k < this.best.length; k++) {
      const tp = this.tp[k],
        fp = this.fp[k],
        fn = this.fn[k],
        tn = this.tn[k];
      const precision = tp + fp > 0 ? tp / (tp + fp) : 0;
      const recall = tp + fn > 0 ? tp / (tp + fn) : 0;
      const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
      const total = tp + fp + fn + tn;
      per.push({ precision, recall, f1, accuracy: (tp + tn) / Math.max(total, 1e-8) });
    }
    const m = (key: keyof DetectorScores) => (per.length ? per.reduce((a, s) => a + s[key], 0) / per.length : 0);
    return { mean: { precision: m('precision'), recall: m('recall'), f1: m('f1'), accuracy: m('accuracy') }, perLatent: per };
  }
}

/**
 * SAELens's detector scores from the evaluation's counts (kernels/sae_eval/detect.wgsl, one model's record: fired
 * [S], present [N], both [S][N], shrinkage sum and count) over `samples` draws, each latent against `best[k]`, its
 * best-matching feature: tp = both[k][best], fp = fired - tp, fn = present[best] - tp; means over latents, and the
 * shrinkage (mean |hhat| / |h|).
 */
export function detectorFromCounts(best: number[], rec: ArrayLike<number>, N: number, samples: number): DetectorScores & { shrinkage: number } {
  const S = best.length;
  const d = new DetectorCounts(best);
  best.forEach((j, k) => {
    const tp = rec[S + N + k * N + j];
    d.tp[k] = tp;
    d.fp[k] = rec[k] - tp;
    d.fn[k] = rec[S + j] - tp;
    d.tn[k] = samples - rec[k] - rec[S + j] + tp;
  });
  const W = S + N + S * N + 2;
  return { ...d.scores().mean, shrinkage: rec[W - 1] > 0 ? rec[W - 2] / rec[W - 1] : Number.NaN };
}

/**
 * Absorption in a hierarchy (SAELens issue 729's proposal), from the same counts: for each parent feature p, its
 * latent (the best match to p by |cos|) and that latent's recall on the samples where p fires with one of its
 * children against those where p fires alone; `children[p]` lists p's children's feature indices. A latent that
 * stops firing when a child takes over has absorbed the parent: absorption = recall alone - recall with a child,
 * averaged over the parents that fired both ways.
 */
export function absorptionFromCounts(
  decoder: Vec[],
  features: Vec[],
  children: number[][],
  rec: ArrayLike<number>,
): { recall_with_child: number; recall_alone: number; absorption: number } {
  const S = decoder.length,
    N = features.length;
  const C = absCos(decoder, features);
  const on: number[] = [],
    off: number[] = [];
  children.forEach((kids, p) => {
    const k = C.reduce((best, row, i) => (row[p] > C[best][p] ? i : best), 0);
    const both = (i: number) => rec[S + N + k * N + i];
    const withChild = kids.reduce((a, c) => a + rec[S + c], 0);
    const firedWithChild = kids.reduce((a, c) => a + both(c), 0);
    const alone = rec[S + p] - withChild;
    const firedAlone = both(p) - firedWithChild;
    if (withChild > 0 && alone > 0) {
      on.push(firedWithChild / withChild);
      off.push(firedAlone / alone);
    }
  });
  const mean = (v: number[]) => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : Number.NaN);
  return { recall_with_child: mean(on), recall_alone: mean(off), absorption: mean(off) - mean(on) };
}

/** Reconstruction statistics over samples: explained variance, shrinkage, L0 of the SAE and of the data, dead latents. */
export class ReconStats {
  private readonly sumX: Float64Array;
  private readonly fired: Uint8Array;
  private sq = 0;
  private res = 0;
  private n = 0;
  private shrink = 0;
  private shrinkN = 0;
  private l0 = 0;
  private trueL0 = 0;
  constructor(
    readonly d: number,
    readonly s: number,
  ) {
    this.sumX = new Float64Array(d);
    this.fired = new Uint8Array(s);
  }
  /** One sample: input h (d), reconstruction hhat (d), latents f (s), and optionally its true feature activations x. */
  add(h: ArrayLike<number>, hhat: ArrayLike<number>, f: ArrayLike<number>, x?: ArrayLike<number>): void {
    let hn = 0,
      on = 0;
    for (let j = 0; j < this.d; j++) {
      this.sumX[j] += h[j];
      hn += h[j] * h[j];
      on += hhat[j] * hhat[j];
      this.res += (h[j] - hhat[j]) ** 2;
    }
    this.sq += hn;
    if (Math.sqrt(hn) > 1e-6) {
      this.shrink += Math.sqrt(on) / Math.sqrt(hn);
      this.shrinkN++;
    }
    for (let k = 0; k < this.s; k++)
      if (f[k] > 0) {
        this.l0++;
        this.fired[k] = 1;
      }
    if (x) for (let i = 0; i < x.length; i++) if (x[i] > 0) this.trueL0++;
    this.n++;
  }
  result() {
    const n = Math.max(this.n, 1);
    let mean2 = 0;
    for (let j = 0; j < this.d; j++) mean2 += (this.sumX[j] / n) ** 2;
    const variance = this.sq / n - mean2;
    const mse = this.res / n;
    return {
      explained_variance: variance < 1e-10 ? (this.res < 1e-10 ? 1 : 0) : 1 - mse / variance,
      shrinkage: this.shrinkN ? this.shrink / this.shrinkN : 0,
      l0: this.l0 / n,
      true_l0: this.trueL0 / n,
      dead: this.fired.reduce((a, v) => a + (v ? 0 : 1), 0),
      samples: this.n,
    };
  }
}
