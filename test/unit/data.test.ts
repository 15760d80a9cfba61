// The composed-feature sampler (reference) matches its configured statistics, and tables are validated.
import { describe, expect, it } from 'vitest';
import { boostPair, jointTable, samplerTables } from '../../src/data/tables';
import { defaultConfig } from '../../src/core/wire';
import { sampleData } from '../../src/reference/data';
import { parseExperiment } from '../../src/config/schema';

function draw(sets: number[], rho: number, p: number, B = 40000, extra: Record<string, unknown> = {}) {
  const { tables, tableLen } = samplerTables({ sets, rho, pOnehot: p, ...extra });
  const cfg = defaultConfig({ M: 1, B, table_len: tableLen, rho, p_onehot: p });
  return sampleData(cfg, [{ lr: 1, l1: 0, cos: 0, seed: 99 }], 0, sets, tables);
}
const se = (p: number, n: number) => Math.sqrt((p * (1 - p)) / n);

describe('composed-feature sampler (reference)', () => {
  it('uniform 2x2 table: one feature per set, pair frequencies 1/4 each', () => {
    const B = 40000,
      x = draw([2, 2], 1, 0, B);
    const counts = [0, 0, 0, 0];
    for (let b = 0; b < B; b++) {
      const r = x.subarray(b * 4, b * 4 + 4);
      expect((r[0] > 0 ? 1 : 0) + (r[1] > 0 ? 1 : 0)).toBeLessThanOrEqual(1);
      expect(r[0] * r[1]).toBe(0);
      expect(r[2] * r[3]).toBe(0);
      const i = r[0] > 0 || r[1] === 0 ? 0 : 1,
        j = r[2] > 0 || r[3] === 0 ? 0 : 1;
      counts[i * 2 + j]++;
    }
    for (const c of counts) expect(Math.abs(c / B - 0.25)).toBeLessThan(5 * se(0.25, B));
  });
  it('rho = 1 gives equal amplitudes; rho = 0 gives uncorrelated U[0,1) amplitudes', () => {
    const B = 20000;
    const x1 = draw([2, 2], 1, 0, B);
    for (let b = 0; b < B; b++) expect(x1[b * 4] + x1[b * 4 + 1]).toBe(x1[b * 4 + 2] + x1[b * 4 + 3]);
    const x0 = draw([2, 2], 0, 0, B);
    const a: number[] = [],
      c: number[] = [];
    for (let b = 0; b < B; b++) {
      a.push(x0[b * 4] + x0[b * 4 + 1]);
      c.push(x0[b * 4 + 2] + x0[b * 4 + 3]);
    }
    const mean = (v: number[]) => v.reduce((s, y) => s + y, 0) / v.length;
    const ma = mean(a),
      mc = mean(c);
    const cov = mean(a.map((v, i) => (v - ma) * (c[i] - mc)));
    expect(Math.abs(ma - 0.5)).toBeLessThan(0.01);
    expect(Math.abs(cov / (1 / 12))).toBeLessThan(5 / Math.sqrt(B)); // correlation ~ 0
  });
  it('rho = 0.5: amplitude correlation matches (1-rho)... = rho / sqrt(rho^2 + (1-rho)^2)', () => {
    const B = 40000,
      rho = 0.5,
      x = draw([2, 2], rho, 0, B);
    const a: number[] = [],
      c: number[] = [];
    for (let b = 0; b < B; b++) {
      a.push(x[b * 4] + x[b * 4 + 1]);
      c.push(x[b * 4 + 2] + x[b * 4 + 3]);
    }
    const m = (v: number[]) => v.reduce((s, y) => s + y, 0) / v.length;
    const ma = m(a),
      mc = m(c);
    const corr = m(a.map((v, i) => (v - ma) * (c[i] - mc))) / Math.sqrt(m(a.map((v) => (v - ma) ** 2)) * m(c.map((v) => (v - mc) ** 2)));
    const want = rho / Math.sqrt(rho ** 2 + (1 - rho) ** 2);
    expect(Math.abs(corr - want)).toBeLessThan(0.02);
  });
  it('p = 0.75: one-hot draws with probability 0.75, each feature 0.1875; pairs 0.0625', () => {
    const B = 40000,
      x = draw([2, 2], 1, 0.75, B);
    const single = [0, 0, 0, 0];
    let pairs = 0;
    for (let b = 0; b < B; b++) {
      const nz = [0, 1, 2, 3].filter((i) => x[b * 4 + i] > 0);
      if (nz.length === 1) single[nz[0]]++;
      else if (nz.length === 2) pairs++;
    }
    for (const s of single) expect(Math.abs(s / B - 0.1875)).toBeLessThan(5 * se(0.1875, B));
    expect(Math.abs(pairs / B - 0.25)).toBeLessThan(5 * se(0.25, B));
  });
  it('more sets: one feature from each of three sets of three', () => {
    const B = 5000,
      x = draw([3, 3, 3], 0, 0, B);
    for (let b = 0; b < B; b += 7)
      for (let j = 0; j < 3; j++) {
        const nz = [0, 1, 2].filter((i) => x[b * 9 + j * 3 + i] > 0).length;
        expect(nz).toBeLessThanOrEqual(1);
      }
  });
  it('correlated-pair boost keeps marginals and the total', () => {
    const P = boostPair(
      [
        [0.25, 0.25],
        [0.25, 0.25],
      ],
      0,
      0,
      1,
    );
    expect(P).toEqual([
      [0.5, 0],
      [0, 0.5],
    ]);
    const Q = boostPair(
      [
        [0.25, 0.25],
        [0.25, 0.25],
      ],
      0,
      1,
      0.5,
    );
    expect(Q[0][1]).toBeCloseTo(0.375, 12);
    expect(Q.flat().reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(Q[0][0] + Q[0][1]).toBeCloseTo(0.5, 12);
    expect(jointTable({ sets: [2, 2], rho: 1, pOnehot: 0, boost: { i: 1, j: 1, c: 1 } })).toEqual([0.5, 0, 0, 0.5]);
  });
  it('is deterministic for a seed', () => {
    expect(draw([2, 2], 0.2, 0.3, 500)).toEqual(draw([2, 2], 0.2, 0.3, 500));
  });
  it('rejects bad tables with a message naming the problem', () => {
    expect(() => samplerTables({ sets: [2, 2], rho: 1, pOnehot: 0, joint: [0.5, 0.5, 0.5, 0] })).toThrow(/joint table sums to 1.5/);
    expect(() => samplerTables({ sets: [2, 2], rho: 1.5, pOnehot: 0 })).toThrow(/rho = 1.5/);
    expect(() => samplerTables({ sets: [2, 2], rho: 1, pOnehot: -0.1 })).toThrow(/pOnehot = -0.1/);
    expect(() => samplerTables({ sets: [2, 0], rho: 1, pOnehot: 0 })).toThrow(/positive integers/);
    expect(() => samplerTables({ sets: [2, 2], rho: 1, pOnehot: 0, joint: [1, 0, 0] })).toThrow(/3 entries/);
  });
});

describe('a two-level hierarchy (data.hierarchy)', () => {
  it('draws a parent with one of its own children, or the parent alone; never a child without its parent', () => {
    const B = 20000,
      p = 0.4;
    const x = draw([2, 6], 0.5, p, B, { hierarchy: { children: 3 } });
    let alone = 0;
    const perChild = new Array(6).fill(0);
    for (let b = 0; b < B; b++) {
      const r = Array.from(x.subarray(b * 8, b * 8 + 8));
      const parents = [0, 1].filter((i) => r[i] > 0);
      const kids = [2, 3, 4, 5, 6, 7].filter((i) => r[i] > 0);
      expect(parents.length).toBe(1);
      expect(kids.length).toBeLessThanOrEqual(1);
      if (!kids.length) alone++;
      else {
        // the child belongs to the parent that fired: children 0-2 to parent 0, 3-5 to parent 1
        expect(Math.floor((kids[0] - 2) / 3)).toBe(parents[0]);
        perChild[kids[0] - 2]++;
      }
    }
    expect(Math.abs(alone / B - p)).toBeLessThan(4 * se(p, B));
    for (const c of perChild) expect(Math.abs(c / B - (1 - p) / 6)).toBeLessThan(4 * se((1 - p) / 6, B));
  });

  it('its joint table is block-uniform and the config names a bad shape or a clashing table', () => {
    expect(jointTable({ sets: [2, 4], rho: 0, pOnehot: 0, hierarchy: { children: 2 } })).toEqual([0.5, 0.5, 0, 0, 0, 0, 0.5, 0.5].map((v) => v / 2));
    expect(() => parseExperiment({ data: { sets: [2, 5], hierarchy: { children: 3 } } })).toThrow(/data.hierarchy needs sets \[P, P x 3\]/);
    expect(() => parseExperiment({ data: { sets: [2, 6], hierarchy: { children: 3 }, zipf_alpha: 1 } })).toThrow(/drop data.zipf_alpha/);
    expect(() => parseExperiment({ data: { sets: [2, 6], hierarchy: { children: 3 }, p_set_empty: 0.1 } })).toThrow(/child fire without its parent/);
  });
});
