// The claims' statistics: exact tests against values known in closed form, the bootstrap's determinism and
// coverage, and claim 6's exact second moment of h against the kit's own sampler.
import { describe, expect, it } from 'vitest';
import { sampleData } from '../../src/core/sampler';
import { defaultConfig } from '../../src/core/wire';
import { featureSecondMoment, hiddenSecondMoment } from '../../src/data/moments';
import { samplerTables } from '../../src/data/tables';
import { exactMoment } from '../../src/experiments/claims';
import { binomialGreater, clusterBootstrap, fisherGreater, pooledShare, quantileSorted, signTest } from '../../src/metrics/stats';
import { dir, fakeExperiment, STUDY_W } from '../fake-experiment';

describe('exact tests', () => {
  it("Fisher's one-sided test gives the hypergeometric tail", () => {
    // the lady tasting tea: 3 of 4 right in each group of the 2x2 table [[3, 1], [1, 3]]: (16 + 1) / 70
    expect(fisherGreater(3, 4, 1, 4)).toBeCloseTo(17 / 70, 12);
    // the audit's numbers: 1/13 vs 0/13 (p = 0.5) and 4/20 vs 0/26 (C(20,4) / C(46,4) = 4845 / 163185)
    expect(fisherGreater(1, 13, 0, 13)).toBeCloseTo(0.5, 12);
    expect(fisherGreater(4, 20, 0, 26)).toBeCloseTo(4845 / 163185, 12);
    // no evidence at all: the whole tail
    expect(fisherGreater(0, 10, 5, 10)).toBeCloseTo(1, 12);
    expect(() => fisherGreater(5, 4, 0, 4)).toThrow(/successes exceed trials/);
    expect(() => fisherGreater(-1, 4, 0, 4)).toThrow(/x1 = -1 must be a non-negative integer/);
  });
  it('the binomial tail and the sign test', () => {
    expect(binomialGreater(8, 8)).toBeCloseTo(1 / 256, 14);
    expect(binomialGreater(4, 5)).toBeCloseTo(6 / 32, 14);
    expect(binomialGreater(0, 5)).toBe(1);
    expect(binomialGreater(2, 3, 0.1)).toBeCloseTo(3 * 0.01 * 0.9 + 0.001, 14);
    expect(signTest([0.2, 0.1, -0.3, 0, 0.4])).toEqual({ pos: 3, neg: 1, p: binomialGreater(3, 4) });
    expect(() => binomialGreater(6, 5)).toThrow(/0 <= k <= n/);
  });
  it('quantiles interpolate as numpy does', () => {
    expect(quantileSorted([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantileSorted([1, 2, 3, 4, 5], 0.25)).toBe(2);
    expect(quantileSorted([10], 0.975)).toBe(10);
  });
});

describe('cluster bootstrap', () => {
  // 8 seeds of 25 cells, one SAE per cell, a true share of 0.3 drawn deterministically
  const groups = Array.from({ length: 8 }, (_, g) => Array.from({ length: 25 }, (_, c) => [((g * 25 + c) * 7919) % 10 < 3 ? 1 : 0, 1]));
  const stat = pooledShare(
    (u: number[]) => u[0],
    (u: number[]) => u[1],
  );
  it('is deterministic for a seed and differs for another', () => {
    const a = clusterBootstrap(groups, stat, { seed: 1 }),
      b = clusterBootstrap(groups, stat, { seed: 1 }),
      c = clusterBootstrap(groups, stat, { seed: 2 });
    expect(a).toEqual(b);
    expect([c.lo, c.hi]).not.toEqual([a.lo, a.hi]);
    expect(a.reps).toBe(2000);
  });
  it('brackets the observed share, and its width shrinks like 1/sqrt(n)', () => {
    const iv = clusterBootstrap(groups, stat);
    expect(iv.value).toBeCloseTo(0.3, 10);
    expect(iv.lo).toBeLessThan(iv.value);
    expect(iv.hi).toBeGreaterThan(iv.value);
    // a binomial share of 200 has standard error sqrt(0.21 / 200) = 0.032: a 95 % interval about 0.13 wide
    expect(iv.hi - iv.lo).toBeGreaterThan(0.06);
    expect(iv.hi - iv.lo).toBeLessThan(0.2);
    const quarter = clusterBootstrap(groups.slice(0, 2), stat);
    expect(quarter.hi - quarter.lo).toBeGreaterThan(iv.hi - iv.lo);
  });
  it('one group: the percentile interval of a binomial share matches the normal approximation; no spread gives a point', () => {
    // 60 of 200: 0.3 +- 1.96 sqrt(0.3 * 0.7 / 200) = [0.2365, 0.3635]
    const one = [Array.from({ length: 200 }, (_, i) => [i < 60 ? 1 : 0, 1])];
    const iv = clusterBootstrap(one, stat, { reps: 4000 });
    expect(iv.lo).toBeCloseTo(0.2365, 1);
    expect(Math.abs(iv.lo - 0.2365)).toBeLessThan(0.012);
    expect(Math.abs(iv.hi - 0.3635)).toBeLessThan(0.012);
    const same = clusterBootstrap([Array.from({ length: 30 }, () => [1, 1])], stat);
    expect([same.lo, same.value, same.hi]).toEqual([1, 1, 1]);
  });
  it('with seeds that disagree, resampling seeds widens the interval beyond the cells alone', () => {
    const split = [0, 1, 2, 3].map((g) => Array.from({ length: 25 }, () => [g % 2, 1]));
    const iv = clusterBootstrap(split, stat);
    expect(iv.value).toBe(0.5);
    expect(iv.lo).toBeLessThanOrEqual(0.25);
    expect(iv.hi).toBeGreaterThanOrEqual(0.75);
  });
});

describe('claim 6: E[hh^T] computed exactly from W and the data distribution', () => {
  it('matches the mean of h h^T over 200,000 samples of the kit sampler (within 4 standard errors)', () => {
    // a toy model that is not the symmetric study geometry, so the test sees every term
    const W = [
      [0.9, 0.1],
      [-1.1, 0.2],
      [0.3, 1.2],
      [-0.2, -0.8],
      [0.5, 0.5],
    ];
    for (const [sets, rho, p, pEmpty] of [
      [[2, 2], 1, 0, 0],
      [[2, 2], 0, 0.75, 0],
      [[3, 2], 0.4, 0.3, 0.2],
    ] as [number[], number, number, number][]) {
      const Wn = W.slice(0, sets[0] + sets[1]);
      const spec = { sets, rho, pOnehot: p };
      const H = hiddenSecondMoment(Wn, featureSecondMoment(spec, pEmpty));
      const { tables, tableLen } = samplerTables(spec);
      const B = 200_000,
        N = Wn.length;
      const cfg = defaultConfig({ M: 1, B, table_len: tableLen, rho, p_onehot: p, p_set_empty: pEmpty });
      const x = sampleData(cfg, [{ lr: 1, l1: 0, cos: 0, seed: 12345 }], 0, sets, tables);
      const sum = [0, 0, 0, 0],
        sq = [0, 0, 0, 0];
      for (let b = 0; b < B; b++) {
        const h = [0, 1].map((d) => Wn.reduce((s, w, i) => s + x[b * N + i] * w[d], 0));
        [h[0] * h[0], h[0] * h[1], h[1] * h[0], h[1] * h[1]].forEach((v, k) => {
          sum[k] += v;
          sq[k] += v * v;
        });
      }
      [H[0][0], H[0][1], H[1][0], H[1][1]].forEach((exact, k) => {
        const mean = sum[k] / B,
          se = Math.sqrt((sq[k] / B - mean * mean) / B);
        expect(Math.abs(mean - exact), `sets ${sets} rho ${rho} p ${p} entry ${k}: sampled ${mean} vs exact ${exact}`).toBeLessThan(4 * se + 1e-7);
      });
    }
  });
  it("gives I/3 on the study's geometry, correlated or not (no principal direction)", () => {
    for (const rho of [1, 0]) {
      const e = fakeExperiment({ name: 'correlated', sets: [2, 2], W: STUDY_W, saes: [{ decoder: [0, 90, 180, 270].map(dir) }] });
      const m = exactMoment({ ...e, config: { ...e.config, data: { ...e.config.data, rho } } });
      expect(m.eigenvalues[0]).toBeCloseTo(1 / 3, 12);
      expect(m.eigenvalues[1]).toBeCloseTo(1 / 3, 12);
      expect(m.ratio).toBeCloseTo(1, 12);
    }
  });
});
