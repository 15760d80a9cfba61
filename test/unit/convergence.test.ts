// The convergence rule and its noise-aware companion (src/metrics/analysis.ts): the one-sided exact Mann-Whitney
// test against a brute-force count of every arrangement, and stillFalling on a trend and on heavy-tailed noise.
import { describe, expect, it } from 'vitest';
import { convergence, mannWhitneyGreater, stillFalling } from '../../src/metrics/analysis';
import { rngUnit } from '../../src/core/rng';

/** P(U >= u) by listing every way to pick which of the pooled values are the "earlier" ones */
function bruteForce(a: number[], b: number[]): number {
  const pooled = [...a, ...b];
  const u = (e: number[], l: number[]) => e.reduce((s, x) => s + l.reduce((t, y) => t + (x > y ? 1 : x === y ? 0.5 : 0), 0), 0);
  const observed = u(a, b);
  let hit = 0,
    all = 0;
  const n = pooled.length;
  for (let mask = 0; mask < 1 << n; mask++) {
    let bits = 0;
    for (let i = 0; i < n; i++) bits += (mask >> i) & 1;
    if (bits !== a.length) continue;
    const e = pooled.filter((_, i) => (mask >> i) & 1);
    const l = pooled.filter((_, i) => !((mask >> i) & 1));
    all++;
    if (u(e, l) >= observed - 1e-9) hit++;
  }
  return hit / all;
}

describe('one-sided exact Mann-Whitney', () => {
  it('hand cases: complete separation gives 1 / C(6, 3); the other way round, 1', () => {
    expect(mannWhitneyGreater([3, 4, 5], [0, 1, 2])).toBeCloseTo(1 / 20, 12);
    expect(mannWhitneyGreater([0, 1, 2], [3, 4, 5])).toBe(1);
    expect(mannWhitneyGreater([], [1])).toBeNaN();
  });
  it('equals the brute-force count over every arrangement (random windows of 3-7 distinct values)', () => {
    let c = 0;
    const rng = () => rngUnit(7, 0, c++, 0, 0);
    for (let t = 0; t < 40; t++) {
      const n = 3 + Math.floor(rng() * 5),
        m = 3 + Math.floor(rng() * 5);
      // losses are floats: no ties (with ties the null is the no-tie one, a half per tied pair)
      const a = Array.from({ length: n }, () => rng() + (t % 3) * 0.3);
      const b = Array.from({ length: m }, () => rng());
      expect(mannWhitneyGreater(a, b)).toBeCloseTo(bruteForce(a, b), 12);
    }
  });
});

describe('still falling', () => {
  const steps = Array.from({ length: 60 }, (_, i) => i * 200); // the bench's curve: every 200 of 12,000 steps
  it('a loss still going down is falling; its 5 % rule agrees', () => {
    const loss = steps.map((s) => 1 / (1 + s / 1000));
    expect(stillFalling(steps, loss, 12000).falling).toBe(true);
    expect(convergence(steps, loss, 12000).converged).toBe(false);
  });
  it('heavy-tailed noise around a flat loss near 0.05 is not falling, though the 5 % rule says not converged', () => {
    // six values per window; the later window's median 20 % lower by chance, its values interleaved with the earlier
    const loss = steps.map(() => 0.05);
    const prev = [0.052, 0.3, 0.061, 0.055, 0.06, 0.058];
    const last = [0.0612, 0.045, 0.29, 0.047, 0.049, 0.048];
    for (let i = 0; i < 6; i++) {
      loss[48 + i] = prev[i];
      loss[54 + i] = last[i];
    }
    const c = convergence(steps, loss, 12000);
    expect(c.converged).toBe(false);
    expect(c.drop).toBeGreaterThan(0.05);
    const f = stillFalling(steps, loss, 12000);
    expect(f.drop).toBeCloseTo(c.drop, 12);
    expect(f.p).toBeGreaterThan(0.05);
    expect(f.falling).toBe(false);
  });
  it('stored NaN (null in JSON) is left out; too few points give null', () => {
    const loss: (number | null)[] = steps.map((s) => 1 / (1 + s / 1000));
    loss[59] = null;
    expect(stillFalling(steps, loss, 12000).falling).toBe(true);
    expect(stillFalling(steps.slice(0, 50), loss.slice(0, 50), 12000).falling).toBeNull();
  });
});
