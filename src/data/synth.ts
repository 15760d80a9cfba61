// SynthSAEBench's synthetic activations (SAELens sae_lens/synthetic/, the code of Feb 2026 that built
// SynthSAEBench-16k; docs/science.md §10), as the TypeScript twin the WGSL generator will follow. Statistically
// the same generator, not bit for bit: draws come from the kit's counter-based RNG (core/rng.ts), so a seed and
// a batch index give one batch everywhere. Per feature i (index 0 the most frequent):
//   firing probability: Zipf scaled to [p_min, p_max]: z_i = (i+1)^-a, p_i = p_min + (p_max - p_min)(z_i - z_min)/(1 - z_min);
//   magnitude when firing: relu(mean_i + std_i n), mean_i linear from mean_start to mean_end, std_i = |s_mean + s_std n|;
//   firing: a Gaussian copula, g = F eps + sqrt(diag) eta (F: N x rank, scale * n; diag = 1 - |F_i|^2, so Var g_i = 1),
//     feature i fires when g_i > Phi^-1(1 - p_i) (exactly Bernoulli(p_i) per feature); without correlations u < p_i;
//   hierarchy: roots then breadth-first children (consecutive indices); a child acts only while its parent does (its
//     value times parent value / parent mean with scale_children_by_parent); among mutually exclusive siblings one active
//     child, drawn uniformly, survives; probabilities compensated: p'_c = min(1, p_c / p_q (1 + sum_{s != c} p_s / p_q));
//   hidden activation x = sum_i a_i d_i + b (d_i: src/data/dictionary.ts, b: a random direction of norm `bias`).
// One more structure replaces all of the above: the study's composed sets (`composed`, docs/science.md §1; one
// feature per set, amplitudes U[0,1) mixed by rho, one-hot draws), drawn by the study's own sampler
// (core/sampler.ts, shaders/sample_data.wgsl) with the generator's seed as the model seed and the batch index as
// the step: bit for bit the per-model engine's draws, so the study's data is one configuration of this generator.
import { rngUnit } from '../core/rng';
import { sampleData } from '../core/sampler';
import { defaultConfig } from '../core/wire';
import { type DataSpec, featureCount, jointTable, onehotTable, samplerTables } from './tables';

/** Stream of the synthetic generator's draws (beside core/rng.ts STREAM's). */
export const SYNTH_STREAM = 7;

export interface HierarchyConfig {
  roots: number;
  branching: number;
  depth: number;
  /** share of eligible parents (>= 2 children, within the depth range) whose children are mutually exclusive */
  mutuallyExclusive: number;
  meMinDepth?: number;
  meMaxDepth?: number;
  compensate: boolean;
  scaleChildrenByParent: boolean;
}

/** The study's composed sets as the generator's structure (tables.ts DataSpec; pSetEmpty: a set left out of a composed draw). */
export interface ComposedStructure extends DataSpec {
  pSetEmpty?: number;
}

export interface SynthConfig {
  features: number;
  /** SAELens's structure: zipf and magnitude (both needed), correlation and hierarchy optional */
  zipf?: { exponent: number; pMax: number; pMin: number };
  magnitude?: { meanStart: number; meanEnd: number; stdMean: number; stdStd: number };
  correlation?: { rank: number; scale: number };
  hierarchy?: HierarchyConfig;
  /** the study's composed sets instead (features = the sum of the set sizes) */
  composed?: ComposedStructure;
  seed: number;
}

/** SynthSAEBench-16k's activation generator (its dictionary: 768 dims, 100 orthogonalisation steps at lr 3e-4, bias norm 0.5). */
export const SYNTH_16K: SynthConfig = {
  features: 16384,
  zipf: { exponent: 0.5, pMax: 0.4, pMin: 5e-4 },
  magnitude: { meanStart: 5, meanEnd: 4, stdMean: 0.5, stdStd: 0.5 },
  correlation: { rank: 25, scale: 0.1 },
  hierarchy: { roots: 128, branching: 4, depth: 3, mutuallyExclusive: 1, compensate: true, scaleChildrenByParent: true },
  seed: 42,
};

export interface SynthModel {
  readonly cfg: SynthConfig;
  /** firing probabilities after the hierarchy's compensation (clamped to 1) */
  readonly p: Float64Array;
  readonly mean: Float64Array;
  readonly std: Float64Array;
  /** the copula's factor [N][rank] and diagonal, and the thresholds Phi^-1(1 - p) */
  readonly factor: Float64Array;
  readonly diag: Float64Array;
  readonly threshold: Float64Array;
  readonly rank: number;
  /** parent feature (-1: none), level, whether the parent's children are mutually exclusive, rescaled by the parent */
  readonly parent: Int32Array;
  readonly level: Int32Array;
  /** per level, the mutually exclusive sibling groups whose parent sits at that level */
  readonly groups: number[][][];
  readonly rescale: Uint8Array;
  /** the composed structure's sampler tables (sample_data.wgsl's joint CDF then one-hot CDF) */
  readonly composed?: { spec: ComposedStructure; tables: Float32Array; tableLen: number };
}

/** n standard normal from two counter-based uniforms (Box-Muller). */
function normal(seed: number, a: number, b: number, c: number): number {
  const u1 = rngUnit(seed, SYNTH_STREAM, a, b, 2 * c),
    u2 = rngUnit(seed, SYNTH_STREAM, a, b, 2 * c + 1);
  return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
}

/** Phi^-1(q), Acklam's rational approximation (relative error < 1.2e-9). */
export function normalQuantile(q: number): number {
  if (q <= 0) return -Infinity;
  if (q >= 1) return Infinity;
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  if (q < lo) {
    const t = Math.sqrt(-2 * Math.log(q));
    return (((((c[0] * t + c[1]) * t + c[2]) * t + c[3]) * t + c[4]) * t + c[5]) / ((((d[0] * t + d[1]) * t + d[2]) * t + d[3]) * t + 1);
  }
  if (q > 1 - lo) return -normalQuantile(1 - q);
  const t = q - 0.5,
    r = t * t;
  return ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * t) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

/** Zipf probabilities scaled to [pMin, pMax] (SAELens zipfian_firing_probabilities: not normalised). */
export function zipfProbabilities(n: number, exponent: number, pMax: number, pMin: number): Float64Array {
  if (n === 1) return Float64Array.of(pMax);
  const zMin = n ** -exponent;
  return Float64Array.from({ length: n }, (_, i) => pMin + ((pMax - pMin) * ((i + 1) ** -exponent - zMin)) / (1 - zMin));
}

/** Build the generator: probabilities, magnitudes, the copula's factor and the hierarchy (its structure and compensation). */
export function buildSynth(cfg: SynthConfig): SynthModel {
  const N = cfg.features;
  if (!Number.isInteger(N) || N < 1) throw new Error(`synthetic data: features = ${N} must be a positive integer`);
  if (cfg.composed) return buildComposed(cfg, cfg.composed);
  if (!cfg.zipf || !cfg.magnitude) throw new Error("synthetic data: give zipf and magnitude (SAELens's structure) or composed (the study's sets)");
  const { exponent, pMax, pMin } = cfg.zipf;
  if (!(pMin > 0 && pMin <= pMax && pMax <= 1)) throw new Error(`synthetic data: need 0 < p_min <= p_max <= 1, got ${pMin}, ${pMax}`);
  const base = zipfProbabilities(N, exponent, pMax, pMin);
  const m = cfg.magnitude;
  const mean = Float64Array.from({ length: N }, (_, i) => (N > 1 ? m.meanStart + ((m.meanEnd - m.meanStart) * i) / (N - 1) : m.meanStart));
  const std = Float64Array.from({ length: N }, (_, i) => Math.abs(m.stdMean + m.stdStd * normal(cfg.seed, 1, i, 0)));

  // hierarchy: roots 0 .. R-1, then each level's children in order of their parents
  const parent = new Int32Array(N).fill(-1),
    level = new Int32Array(N);
  const meParent = new Uint8Array(N),
    rescale = new Uint8Array(N);
  const children: number[][] = [];
  const h = cfg.hierarchy;
  if (h) {
    let next = Math.min(h.roots, N);
    let frontier = Array.from({ length: next }, (_, i) => i);
    for (let dep = 0; dep < h.depth && next < N; dep++) {
      const nextFrontier: number[] = [];
      for (const q of frontier) {
        const kids: number[] = [];
        for (let c = 0; c < h.branching && next < N; c++) {
          parent[next] = q;
          level[next] = dep + 1;
          kids.push(next);
          nextFrontier.push(next++);
        }
        children[q] = kids;
      }
      frontier = nextFrontier;
    }
    // mutually exclusive children: the eligible parents in index order, the first share of them (SAELens draws them
    // at random; with a share of 1, as SynthSAEBench-16k, both take all)
    const eligible = children
      .map((k, q) => ({ q, k }))
      .filter(({ q, k }) => k && k.length >= 2 && level[q] >= (h.meMinDepth ?? 0) && level[q] <= (h.meMaxDepth ?? Infinity));
    const take = Math.floor(eligible.length * h.mutuallyExclusive);
    for (const { q } of eligible.slice(0, take)) meParent[q] = 1;
    if (h.scaleChildrenByParent) for (let i = 0; i < N; i++) if (parent[i] >= 0) rescale[i] = 1;
  }
  const p = Float64Array.from(base);
  if (h?.compensate)
    for (let i = 0; i < N; i++) {
      const q = parent[i];
      if (q < 0) continue;
      let corr = 1 / base[q];
      if (meParent[q]) {
        const T = children[q].reduce((a, s) => a + base[s], 0);
        corr *= 1 + Math.max(0, T - base[i]) / base[q];
      }
      p[i] = Math.min(1, base[i] * corr);
    }
  const maxLevel = h ? h.depth : 0;
  const groups: number[][][] = Array.from({ length: maxLevel + 1 }, () => []);
  for (let q = 0; q < N; q++) if (meParent[q] && children[q]) groups[level[q]].push([q, ...children[q]]);

  // the copula: F = scale n (rows whose |F_i|^2 exceeds 0.99 scaled down to it), diag = 1 - |F_i|^2
  const rank = cfg.correlation?.rank ?? 0;
  const factor = new Float64Array(N * rank),
    diag = new Float64Array(N).fill(1);
  if (cfg.correlation) {
    for (let i = 0; i < N; i++) {
      let s = 0;
      for (let r = 0; r < rank; r++) {
        const v = cfg.correlation.scale * normal(cfg.seed, 4, i, r);
        factor[i * rank + r] = v;
        s += v * v;
      }
      if (1 - s < 0.01) {
        const k = Math.sqrt(0.99 / s);
        for (let r = 0; r < rank; r++) factor[i * rank + r] *= k;
        s = 0.99;
      }
      diag[i] = 1 - s;
    }
  }
  const threshold = Float64Array.from(p, (v) => normalQuantile(1 - v));
  return { cfg, p, mean, std, factor, diag, threshold, rank, parent, level, groups, rescale };
}

/**
 * The composed structure: each feature's firing probability (a composed draw picks it with its set's marginal of the
 * joint table and keeps the set with 1 - pSetEmpty; a one-hot draw picks it from the one-hot table) and its value's
 * mean and standard deviation when firing (U[0,1) alone, (1 - rho) U + rho U' in sets after the first: mean 1/2 both).
 */
function buildComposed(cfg: SynthConfig, c: ComposedStructure): SynthModel {
  const N = cfg.features;
  const at = 'synthetic data (composed sets)';
  const other = (['zipf', 'magnitude', 'correlation', 'hierarchy'] as const).filter((k) => cfg[k] !== undefined);
  if (other.length) throw new Error(`${at}: the sets replace SAELens's structure; drop ${other.join(', ')}`);
  if (featureCount(c.sets) !== N) throw new Error(`${at}: features = ${N}, but the sets [${c.sets.join(', ')}] hold ${featureCount(c.sets)}`);
  const pE = c.pSetEmpty ?? 0;
  if (!(pE >= 0 && pE <= 1)) throw new Error(`${at}: pSetEmpty = ${pE} must lie in [0, 1]`);
  let tables: { tables: Float32Array; tableLen: number };
  try {
    tables = samplerTables(c);
  } catch (e) {
    throw new Error(`${at}: ${(e as Error).message}`);
  }
  const joint = jointTable(c),
    onehot = onehotTable(c);
  const pc = new Float64Array(N); // P(feature i picked by a composed draw)
  const stride = c.sets.map((_, j) => c.sets.slice(j + 1).reduce((a, b) => a * b, 1));
  const offset = c.sets.map((_, j) => featureCount(c.sets.slice(0, j)));
  joint.forEach((q, idx) => c.sets.forEach((k, j) => (pc[offset[j] + (Math.floor(idx / stride[j]) % k)] += q)));
  const setOf = Int32Array.from({ length: N }, (_, i) => offset.filter((o) => o <= i).length - 1);
  const p = new Float64Array(N),
    std = new Float64Array(N);
  const mixVar = ((1 - c.rho) ** 2 + c.rho ** 2) / 12;
  for (let i = 0; i < N; i++) {
    const wc = (1 - c.pOnehot) * (1 - pE) * pc[i],
      wo = c.pOnehot * onehot[i];
    p[i] = wc + wo;
    std[i] = p[i] > 0 ? Math.sqrt((wc * (setOf[i] > 0 ? mixVar : 1 / 12) + wo / 12) / p[i]) : 0;
  }
  return {
    cfg,
    p,
    mean: new Float64Array(N).fill(0.5),
    std,
    factor: new Float64Array(0),
    diag: new Float64Array(N).fill(1),
    threshold: Float64Array.from(p, (v) => normalQuantile(1 - v)),
    rank: 0,
    parent: new Int32Array(N).fill(-1),
    level: new Int32Array(N),
    groups: [[]],
    rescale: new Uint8Array(N),
    composed: { spec: c, ...tables },
  };
}

/** The study's sampler configuration of a composed model: one model of seed cfg.seed, B rows (sample_data.wgsl's Config and Hyper). */
export function composedConfig(model: SynthModel, B: number) {
  const c = model.composed;
  if (!c) throw new Error('synthetic data: not a composed model');
  const cfg = defaultConfig({ M: 1, B, table_len: c.tableLen, rho: c.spec.rho, p_onehot: c.spec.pOnehot, p_set_empty: c.spec.pSetEmpty ?? 0 });
  return { cfg, hyper: [{ lr: 1, l1: 0, cos: 0, seed: model.cfg.seed >>> 0 }] };
}

/** The structure in words (summaries and reports). */
export function describeSynth(c: SynthConfig): string {
  if (c.composed) {
    const k = c.composed;
    return `the study's composed sets [${k.sets.join(', ')}] (rho ${k.rho}, one-hot ${k.pOnehot}${k.pSetEmpty ? `, a set left out ${k.pSetEmpty}` : ''}${k.hierarchy ? `, a hierarchy of ${k.hierarchy.children} children per parent` : ''}${k.zipfAlpha !== undefined ? `, Zipf ${k.zipfAlpha}` : ''})`;
  }
  const z = c.zipf!;
  return `Zipf exponent ${z.exponent}, p ${z.pMin}-${z.pMax}; ${c.correlation ? `copula rank ${c.correlation.rank}` : 'no correlations'}; ${c.hierarchy ? `hierarchy ${c.hierarchy.roots} roots, branching ${c.hierarchy.branching}, depth ${c.hierarchy.depth}` : 'no hierarchy'}`;
}

/** One batch of feature activations: B rows of N (dense, row-major), batch `batch` of the model's seed. */
export function sampleSynth(model: SynthModel, B: number, batch: number): Float32Array {
  if (model.composed) {
    const { cfg, hyper } = composedConfig(model, B);
    return sampleData(cfg, hyper, batch, model.composed.spec.sets, model.composed.tables);
  }
  const { cfg, p, mean, std, factor, diag, threshold, rank, parent, level, groups, rescale } = model;
  const N = cfg.features,
    seed = cfg.seed;
  const out = new Float32Array(B * N);
  const eps = new Float64Array(rank);
  for (let b = 0; b < B; b++) {
    const row = (batch * B + b) >>> 0;
    const a = out.subarray(b * N, (b + 1) * N);
    for (let r = 0; r < rank; r++) eps[r] = normal(seed, 5, row, r);
    for (let i = 0; i < N; i++) {
      let fires: boolean;
      if (rank) {
        let g = Math.sqrt(diag[i]) * normal(seed, 6, row, i);
        for (let r = 0; r < rank; r++) g += factor[i * rank + r] * eps[r];
        fires = g > threshold[i];
      } else fires = rngUnit(seed, SYNTH_STREAM, 6, row, 2 * i) < p[i];
      if (fires) a[i] = Math.max(0, mean[i] + std[i] * normal(seed, 7, row, i));
    }
    // the hierarchy, level by level: gate (or rescale) by the parent's final value, then mutual exclusion among
    // the children of this level's parents (one active child, drawn uniformly, survives)
    for (let L = 0; L < groups.length; L++) {
      for (let i = 0; i < N; i++) {
        if (level[i] !== L || parent[i] < 0) continue;
        const pv = a[parent[i]];
        a[i] = rescale[i] ? (pv > 0 ? (a[i] * pv) / mean[parent[i]] : 0) : pv > 0 ? a[i] : 0;
      }
      for (const [q, ...kids] of groups[L]) {
        if (!(a[q] > 0)) continue;
        const active = kids.filter((c) => a[c] > 0);
        if (active.length < 2) continue;
        const win = active[Math.floor(rngUnit(seed, SYNTH_STREAM, 8, row, q) * active.length)];
        for (const c of active) if (c !== win) a[c] = 0;
      }
    }
  }
  return out;
}

/** The generator's tables as shaders/synth_sample.wgsl reads them, for batches of B rows starting at batch
 * `batch` (sp[3], which a trainer rewrites each step). Empty tables get one placeholder entry (WebGPU binds no
 * zero-sized buffer). */
export function packSynth(m: SynthModel, B: number, batch: number): { sp: Uint32Array; feat: Float32Array; factor: Float32Array; groups: Uint32Array } {
  if (m.composed) throw new Error('synthetic data: a composed model draws through sample_data.wgsl (composedConfig), not synth_sample.wgsl');
  const N = m.cfg.features;
  const feat = new Float32Array(N * 8);
  const bits = new DataView(feat.buffer);
  for (let i = 0; i < N; i++) {
    feat.set([m.p[i], m.mean[i], m.std[i], m.threshold[i], m.diag[i]], i * 8);
    bits.setInt32((i * 8 + 5) * 4, m.parent[i], true);
    bits.setUint32((i * 8 + 6) * 4, m.level[i], true);
    feat[i * 8 + 7] = m.rescale[i];
  }
  const groups = Uint32Array.from(m.groups.flat().flatMap(([q, ...kids]) => [q, kids[0], kids.length]));
  const sp = Uint32Array.from([N, m.rank, B, batch, m.cfg.seed, m.groups.length, groups.length / 3]);
  return {
    sp,
    feat,
    factor: m.rank ? Float32Array.from(m.factor) : new Float32Array(1),
    groups: groups.length ? groups : new Uint32Array(3),
  };
}

/** The compile-time defines of shaders/synth_sample.wgsl for a model: its correlation rank (the copula's loops
 * unroll with it, so its draws stay in registers), at most 64. */
export function synthDefines(m: SynthModel): Record<string, number> {
  if (m.rank > 64) throw new Error(`synthetic data: correlation rank ${m.rank} is above the GPU generator's 64`);
  return { RANK: m.rank, RANK_SLOTS: Math.max(1, m.rank), UNROLL: 1 };
}
