// SynthSAEBench's metrics (SAELens definitions) on hand-built cases, and MCC against brute force over all
// one-to-one matchings of small random matrices.
import { describe, expect, it } from 'vitest';
import { rngUnit } from '../../src/core/rng';
import { absCos, absorptionFromCounts, DetectorCounts, detectorFromCounts, mccAbs, ReconStats, uniqueness } from '../../src/metrics/synth';

const e = (i: number, d: number, s = 1) => Array.from({ length: d }, (_, j) => (j === i ? s : 0));

function permutations(n: number, k: number): number[][] {
  if (k === 0) return [[]];
  const out: number[][] = [];
  for (const p of permutations(n, k - 1)) for (let i = 0; i < n; i++) if (!p.includes(i)) out.push([...p, i]);
  return out;
}

describe('MCC (|cos|, one-to-one)', () => {
  it('is 1 for a permuted, sign-flipped, rescaled copy of the features, and 0 for orthogonal ones', () => {
    const F = [e(0, 4), e(1, 4), e(2, 4)];
    expect(mccAbs([e(2, 4, -3), e(0, 4, 0.5), e(1, 4)], F)).toBeCloseTo(1, 12);
    expect(mccAbs([e(3, 4)], F)).toBeCloseTo(0, 12);
    // two latents on one feature: only one of them can be matched to it
    expect(mccAbs([e(0, 4), e(0, 4), e(1, 4)], F)).toBeCloseTo(2 / 3, 12);
  });
  it('equals the best of all one-to-one matchings on random matrices (latents fewer, equal and more than features)', () => {
    let seed = 0;
    for (const [S, N, d] of [
      [3, 5, 4],
      [4, 4, 3],
      [6, 4, 5],
    ]) {
      for (let rep = 0; rep < 5; rep++) {
        seed++;
        const mat = (r: number, tag: number) => Array.from({ length: r }, (_, i) => Array.from({ length: d }, (_, j) => rngUnit(seed, 9, tag, i, j) - 0.5));
        const dec = mat(S, 1),
          F = mat(N, 2);
        const C = absCos(dec, F);
        const m = Math.min(S, N);
        let best = -1;
        if (S <= N)
          for (const p of permutations(N, S))
            best = Math.max(
              best,
              p.reduce((a, j, i) => a + C[i][j], 0),
            );
        else
          for (const p of permutations(S, N))
            best = Math.max(
              best,
              p.reduce((a, i, j) => a + C[i][j], 0),
            );
        expect(mccAbs(dec, F)).toBeCloseTo(best / m, 10);
      }
    }
  });
});

describe('uniqueness (argmax collisions)', () => {
  it('counts distinct best matches over latents', () => {
    const F = [e(0, 3), e(1, 3), e(2, 3)];
    expect(uniqueness([e(0, 3), e(1, 3), e(2, 3)], F)).toBe(1);
    // latents 0 and 1 both best match feature 0: 3 distinct of 4
    expect(uniqueness([e(0, 3), [0.9, 0.1, 0], e(1, 3), e(2, 3, -1)], F)).toBe(3 / 4);
    // counting live latents only
    expect(uniqueness([e(0, 3), [0.9, 0.1, 0], e(1, 3)], F, [true, false, true])).toBe(1);
  });
});

describe('latents as detectors of their best-matching feature', () => {
  it('gives precision, recall, F1 and accuracy per latent, 0 where undefined', () => {
    // latent 0 detects feature 0; latent 1 best matches feature 1 but fires on feature 0's samples
    const c = new DetectorCounts([0, 1]);
    const samples: [number[], number[]][] = [
      [
        [1, 0],
        [1, 0],
      ], // tp for latent 0; latent 1 silent, feature 1 absent: tn
      [
        [0.5, 0.2],
        [1, 0],
      ], // tp; latent 1 fires without feature 1: fp
      [
        [0, 0],
        [0, 1],
      ], // tn; fn
      [
        [0, 0],
        [1, 0],
      ], // fn; tn
    ];
    for (const [f, x] of samples) c.add(f, x);
    const { perLatent, mean } = c.scores();
    expect(perLatent[0]).toEqual({ precision: 1, recall: 2 / 3, f1: 0.8, accuracy: 3 / 4 });
    expect(perLatent[1]).toEqual({ precision: 0, recall: 0, f1: 0, accuracy: 2 / 4 });
    expect(mean.f1).toBeCloseTo(0.4, 12);
  });
});

describe('reconstruction statistics', () => {
  it('explained variance, shrinkage (skipping |x| <= 1e-6), L0 and dead latents', () => {
    const r = new ReconStats(2, 3);
    r.add([1, 0], [0.5, 0], [1, 0, 0], [1, 0]);
    r.add([0, 2], [0, 1], [0, 2, 0], [0, 1]);
    r.add([0, 0], [0.1, 0], [0, 0, 0], [0, 0]);
    const s = r.result();
    // mean x = (1/3, 2/3); E|x|^2 = 5/3; variance = 5/3 - 5/9 = 10/9; mse = (0.25 + 1 + 0.01) / 3 = 0.42
    expect(s.explained_variance).toBeCloseTo(1 - 0.42 / (10 / 9), 12);
    expect(s.shrinkage).toBeCloseTo(0.5, 12); // both non-zero samples are halved; the zero one is skipped
    expect(s.l0).toBeCloseTo(2 / 3, 12);
    expect(s.true_l0).toBeCloseTo(2 / 3, 12);
    expect(s.dead).toBe(1);
    expect(s.samples).toBe(3);
  });
});

describe("the detector scores from the GPU's counts (kernels/sae_eval/detect.wgsl's record)", () => {
  it('equal DetectorCounts on the same samples, with shrinkage from the sums', () => {
    // 3 latents, 3 features; latent k's best feature best[k]; 40 pseudo-random samples
    const best = [2, 0, 0];
    const S = 3,
      N = 3;
    const ref = new DetectorCounts(best);
    const rec = new Float64Array(S + N + S * N + 2);
    const B = 40;
    for (let b = 0; b < B; b++) {
      const x = [0, 1, 2].map((i) => (rngUnit(9, 1, b, i, 0) < 0.4 ? rngUnit(9, 2, b, i, 0) : 0));
      const f = [0, 1, 2].map((k) => (rngUnit(9, 3, b, k, 0) < 0.5 ? rngUnit(9, 4, b, k, 0) : 0));
      ref.add(f, x);
      for (let k = 0; k < S; k++) if (f[k] > 0) rec[k]++;
      for (let i = 0; i < N; i++) if (x[i] > 0) rec[S + i]++;
      for (let k = 0; k < S; k++) for (let i = 0; i < N; i++) if (f[k] > 0 && x[i] > 0) rec[S + N + k * N + i]++;
    }
    rec[S + N + S * N] = 30; // sum of |hhat| / |h|
    rec[S + N + S * N + 1] = 40; // over 40 samples
    const got = detectorFromCounts(best, rec, N, B);
    const want = ref.scores().mean;
    for (const key of ['precision', 'recall', 'f1', 'accuracy'] as const) expect(got[key]).toBeCloseTo(want[key], 12);
    expect(want.f1).toBeGreaterThan(0);
    expect(got.shrinkage).toBe(0.75);
  });
});

describe('absorption in a hierarchy, from the detector counts', () => {
  it("a parent latent's recall alone against with a child", () => {
    // features: parent 0 (e1), its children 1, 2; latents 0 on the parent, 1 and 2 on the children
    const features = [
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
    ];
    const decoder = [
      [0.9, 0.1, 0],
      [0, 1, 0],
      [0, 0, 1],
    ];
    const S = 3,
      N = 3;
    const rec = new Float64Array(S + N + S * N + 2);
    // 100 samples with the parent: 40 alone (latent 0 fires on 36), 60 with a child (30 each; latent 0 fires on 15)
    rec[S + 0] = 100;
    rec[S + 1] = 30;
    rec[S + 2] = 30;
    rec[S + N + 0 * N + 0] = 36 + 15; // latent 0 with the parent present
    rec[S + N + 0 * N + 1] = 10; // ... and child 1
    rec[S + N + 0 * N + 2] = 5; // ... and child 2
    const a = absorptionFromCounts(decoder, features, [[1, 2]], rec);
    expect(a.recall_alone).toBeCloseTo(36 / 40, 12);
    expect(a.recall_with_child).toBeCloseTo(15 / 60, 12);
    expect(a.absorption).toBeCloseTo(0.9 - 0.25, 12);
    // a parent that never fired alone: undefined
    rec[S + 0] = 60;
    expect(Number.isNaN(absorptionFromCounts(decoder, features, [[1, 2]], rec).absorption)).toBe(true);
  });
});
