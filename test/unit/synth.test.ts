// The synthetic generator's twin (src/data/synth.ts) against its configuration: SynthSAEBench-16k's mean L0, each
// feature's firing frequency inside its binomial interval, the copula's joint firing, the hierarchy's rules.
import { describe, expect, it } from 'vitest';
import { buildSynth, normalQuantile, sampleSynth, SYNTH_16K, type SynthConfig, zipfProbabilities } from '../../src/data/synth';

const l0 = (a: Float32Array, N: number, upTo = N) => {
  let n = 0;
  for (let b = 0; b < a.length / N; b++) for (let i = 0; i < upTo; i++) if (a[b * N + i] > 0) n++;
  return n / (a.length / N);
};

describe('synthetic activations (SynthSAEBench generator twin)', () => {
  it('Zipf probabilities run from p_max to p_min; the normal quantile inverts the CDF', () => {
    const p = zipfProbabilities(5, 0.5, 0.4, 0.01);
    expect(p[0]).toBeCloseTo(0.4, 12);
    expect(p[4]).toBeCloseTo(0.01, 12);
    expect([...p].every((v, i) => i === 0 || v < p[i - 1])).toBe(true);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963985, 7);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232306, 7);
    expect(normalQuantile(0.5)).toBe(0);
  });

  it('SynthSAEBench-16k: mean L0 about 34, about 25 among the 4,096 most frequent features (SAELens docs)', () => {
    const model = buildSynth(SYNTH_16K);
    // the hierarchy's layout: 128 roots, then 512, 2,048 and 8,192 children; the rest outside it
    expect([model.parent[127], model.parent[128], model.parent[131], model.parent[132], model.parent[10879], model.parent[10880]]).toEqual([
      -1, 0, 0, 1, 2687, -1,
    ]);
    expect(model.groups.flat().length).toBe(2688);
    const a = sampleSynth(model, 400, 0);
    const all = l0(a, 16384),
      top = l0(a, 16384, 4096);
    console.log(`SynthSAEBench-16k twin, 400 samples: mean L0 ${all.toFixed(2)}, over the first 4,096 features ${top.toFixed(2)}`);
    // sample L0 has a standard deviation near 6: 400 samples put the mean within +-1 of its expectation
    expect(all).toBeGreaterThan(32);
    expect(all).toBeLessThan(37);
    expect(top).toBeGreaterThan(23);
    expect(top).toBeLessThan(27.5);
  });

  it('without a hierarchy every feature fires at its probability (binomial interval, z = 4.5), correlated or not', () => {
    for (const correlation of [undefined, { rank: 4, scale: 0.3 }]) {
      const cfg: SynthConfig = {
        features: 60,
        zipf: { exponent: 1, pMax: 0.5, pMin: 0.02 },
        magnitude: { meanStart: 2, meanEnd: 1, stdMean: 0.1, stdStd: 0.05 },
        correlation,
        seed: 3,
      };
      const model = buildSynth(cfg);
      const B = 20000;
      const a = sampleSynth(model, B, 1);
      let worst = 0;
      for (let i = 0; i < cfg.features; i++) {
        let n = 0;
        for (let b = 0; b < B; b++) if (a[b * cfg.features + i] > 0) n++;
        // a firing draw clipped to 0 by relu(mean + std n) is not active: at mean/std >= 10 that is negligible
        const p = model.p[i],
          z = Math.abs(n / B - p) / Math.sqrt((p * (1 - p)) / B);
        worst = Math.max(worst, z);
      }
      console.log(`${correlation ? 'correlated' : 'independent'} firing: worst |z| over 60 features ${worst.toFixed(2)}`);
      expect(worst).toBeLessThan(4.5);
    }
  });

  it('the copula: two features with factor rows 0.9 fire together at the bivariate normal orthant probability', () => {
    const model = buildSynth({
      features: 2,
      zipf: { exponent: 1, pMax: 0.5, pMin: 0.5 },
      magnitude: { meanStart: 1, meanEnd: 1, stdMean: 0, stdStd: 0 },
      correlation: { rank: 1, scale: 0.1 },
      seed: 1,
    });
    model.factor.set([0.9, 0.9]);
    model.diag.set([1 - 0.81, 1 - 0.81]);
    const B = 40000;
    const a = sampleSynth(model, B, 0);
    let both = 0;
    for (let b = 0; b < B; b++) if (a[2 * b] > 0 && a[2 * b + 1] > 0) both++;
    // P(g1 > 0, g2 > 0) = 1/4 + asin(rho) / (2 pi), rho = 0.81
    const want = 0.25 + Math.asin(0.81) / (2 * Math.PI);
    expect(Math.abs(both / B - want) / Math.sqrt((want * (1 - want)) / B)).toBeLessThan(4.5);
  });

  it('the hierarchy: a child acts only with its parent, scaled by it; one child of mutually exclusive siblings; compensation raises the children', () => {
    const cfg: SynthConfig = {
      features: 40,
      zipf: { exponent: 0.5, pMax: 0.6, pMin: 0.05 },
      magnitude: { meanStart: 3, meanEnd: 2, stdMean: 0.3, stdStd: 0.1 },
      hierarchy: { roots: 4, branching: 3, depth: 2, mutuallyExclusive: 1, compensate: true, scaleChildrenByParent: true },
      seed: 5,
    };
    const model = buildSynth(cfg);
    const base = zipfProbabilities(40, 0.5, 0.6, 0.05);
    expect(model.p[4]).toBeGreaterThan(base[4]); // child of root 0: p_c / p_q (1 + ...)
    expect(model.p[0]).toBe(base[0]);
    const B = 5000;
    const a = sampleSynth(model, B, 2);
    let childFired = 0;
    for (let b = 0; b < B; b++) {
      const r = a.subarray(b * 40, (b + 1) * 40);
      for (let i = 0; i < 40; i++) {
        const q = model.parent[i];
        if (q >= 0 && r[i] > 0) {
          expect(r[q]).toBeGreaterThan(0);
          childFired++;
        }
      }
      for (const g of model.groups.flat()) expect(g.slice(1).filter((c) => r[c] > 0).length).toBeLessThanOrEqual(1);
    }
    expect(childFired).toBeGreaterThan(B / 4);
    // the same draws without scale_children_by_parent: a root's child differs by the factor root value / root mean
    const plain = sampleSynth(buildSynth({ ...cfg, hierarchy: { ...cfg.hierarchy!, scaleChildrenByParent: false } }), B, 2);
    let checked = 0;
    for (let b = 0; b < B; b++)
      for (let i = 4; i < 16; i++) {
        const q = model.parent[i];
        if (plain[b * 40 + i] > 0) {
          expect(a[b * 40 + i]).toBeCloseTo((plain[b * 40 + i] * a[b * 40 + q]) / model.mean[q], 4);
          checked++;
        }
      }
    expect(checked).toBeGreaterThan(100);
  });
});

// The study's composed sets as one more structure of the generator: its twin is the study's sampler (bit for bit),
// each feature's firing probability follows from the tables, and the config names a clash before any work.
describe("synthetic activations: the study's composed sets", () => {
  const composed = {
    sets: [3, 4],
    rho: 0.5,
    pOnehot: 0.2,
    pSetEmpty: 0.1,
    setProbs: [
      [0.5, 0.3, 0.2],
      [0.4, 0.3, 0.2, 0.1],
    ],
  };
  const cfg: SynthConfig = { features: 7, composed, seed: 17 };

  it("draws the study's data: one feature per kept set, or one alone; each feature's frequency inside its binomial interval", () => {
    const model = buildSynth(cfg);
    const B = 20000;
    const a = sampleSynth(model, B, 5);
    const fired = new Float64Array(7);
    let bad = 0;
    for (let b = 0; b < B; b++) {
      const r = a.subarray(b * 7, b * 7 + 7);
      const inSet = [r.slice(0, 3), r.slice(3)].map((s) => s.filter((v) => v > 0).length);
      if (Math.max(...inSet) > 1) bad++;
      r.forEach((v, i) => {
        if (!(v >= 0 && v < 1)) bad++;
        if (v > 0) fired[i]++;
      });
    }
    expect(bad).toBe(0);
    // marginal: 0.8 x 0.9 x P(set picks i) + 0.2 x 1/7
    expect(model.p[0]).toBeCloseTo(0.72 * 0.5 + 0.2 / 7, 12);
    expect(model.p[6]).toBeCloseTo(0.72 * 0.1 + 0.2 / 7, 12);
    for (let i = 0; i < 7; i++) {
      const half = 4 * Math.sqrt((model.p[i] * (1 - model.p[i])) / B);
      expect(Math.abs(fired[i] / B - model.p[i]), `feature ${i}`).toBeLessThan(half);
    }
    // the same seed and batch give the same rows; another batch others
    expect(sampleSynth(model, B, 5)).toEqual(a);
    expect(sampleSynth(model, B, 6)).not.toEqual(a);
  });

  it('a composed value has mean 1/2 and the standard deviation the model states', () => {
    const model = buildSynth({ ...cfg, composed: { ...composed, pOnehot: 0, pSetEmpty: 0 } });
    const B = 40000;
    const a = sampleSynth(model, B, 1);
    for (const i of [0, 4]) {
      const v: number[] = [];
      for (let b = 0; b < B; b++) if (a[b * 7 + i] > 0) v.push(a[b * 7 + i]);
      const m = v.reduce((s, x) => s + x, 0) / v.length;
      const sd = Math.sqrt(v.reduce((s, x) => s + (x - m) ** 2, 0) / (v.length - 1));
      expect(Math.abs(m - model.mean[i])).toBeLessThan(0.01);
      expect(Math.abs(sd - model.std[i])).toBeLessThan(0.01);
    }
    // rho = 0.5 narrows the second set's values: sqrt((0.25 + 0.25) / 12) against sqrt(1 / 12)
    expect(model.std[4]).toBeCloseTo(Math.sqrt(0.5 / 12), 12);
    expect(model.std[0]).toBeCloseTo(Math.sqrt(1 / 12), 12);
  });

  it('names a clash: both structures, a feature count the sets do not hold, a bad table', () => {
    expect(() => buildSynth({ ...cfg, zipf: { exponent: 1, pMax: 0.5, pMin: 0.1 } })).toThrow(/the sets replace SAELens's structure; drop zipf/);
    expect(() => buildSynth({ ...cfg, features: 8 })).toThrow(/features = 8, but the sets \[3, 4\] hold 7/);
    expect(() =>
      buildSynth({
        ...cfg,
        composed: {
          ...composed,
          setProbs: [
            [0.5, 0.5, 0.5],
            [0.25, 0.25, 0.25, 0.25],
          ],
        },
      }),
    ).toThrow(/setProbs\[0\] sums to 1.5/);
    expect(() => buildSynth({ features: 7, seed: 1 })).toThrow(/give zipf and magnitude .* or composed/);
  });
});
