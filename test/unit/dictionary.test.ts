// A fixed random dictionary in place of the trained toy model (SAELens's synthetic models): unit rows,
// deterministic per seed, the orthogonalisation's gradient against finite differences, and its effect.
import { describe, expect, it } from 'vitest';
import { parseExperiment } from '../../src/config/schema';
import { orthoLoss, randomDictionary } from '../../src/data/dictionary';

const maxOffCos = (E: number[][]) => {
  let m = 0;
  for (let i = 0; i < E.length; i++) for (let j = 0; j < i; j++) m = Math.max(m, Math.abs(E[i].reduce((s, v, q) => s + v * E[j][q], 0)));
  return m;
};

describe('random dictionary', () => {
  it('has unit rows, is the same for a seed and differs for another', () => {
    const a = randomDictionary(10, 4, 7),
      b = randomDictionary(10, 4, 7),
      c = randomDictionary(10, 4, 8);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    for (const r of a) expect(Math.hypot(...r)).toBeCloseTo(1, 12);
  });
  it("the orthogonalisation's gradient matches central finite differences (relative error < 1e-6)", () => {
    const E = randomDictionary(5, 3, 2).map((r) => r.map((v) => 0.9 * v + 0.05));
    for (const target of [0, 0.2]) {
      const { grad } = orthoLoss(E, target);
      let worst = 0;
      for (let i = 0; i < 5; i++)
        for (let q = 0; q < 3; q++) {
          const h = 1e-6;
          const up = E.map((r) => [...r]),
            dn = E.map((r) => [...r]);
          up[i][q] += h;
          dn[i][q] -= h;
          const fd = (orthoLoss(up, target).loss - orthoLoss(dn, target).loss) / (2 * h);
          worst = Math.max(worst, Math.abs(fd - grad[i][q]) / Math.max(1, Math.abs(fd)));
        }
      expect(worst).toBeLessThan(1e-6);
    }
  });
  it('orthogonalises: n <= d to near 0 cosines; n > d lowers the largest overlap', () => {
    const raw = randomDictionary(6, 8, 3),
      orth = randomDictionary(6, 8, 3, { orthoSteps: 300, orthoLr: 0.01 });
    expect(maxOffCos(orth)).toBeLessThan(0.02);
    expect(maxOffCos(raw)).toBeGreaterThan(0.2);
    const over = randomDictionary(10, 3, 3, { orthoSteps: 300 });
    expect(maxOffCos(over)).toBeLessThan(maxOffCos(randomDictionary(10, 3, 3)));
    for (const r of over) expect(Math.hypot(...r)).toBeCloseTo(1, 12);
  });
  it('named errors', () => {
    expect(() => randomDictionary(0, 3, 1)).toThrow(/n = 0 and d = 3 must be positive integers/);
    expect(() => randomDictionary(3, 3, 1, { orthoSteps: -1 })).toThrow(/orthoSteps = -1/);
    expect(() => parseExperiment({ name: 'x', toy: { ortho_steps: 10 } })).toThrow(
      /toy\.ortho_steps: orthogonalises a fixed dictionary: set toy\.model to 'dictionary'/,
    );
    expect(() => parseExperiment({ name: 'x', toy: { model: 'fixed' } })).toThrow(/toy\.model/);
    expect(parseExperiment({ name: 'x', toy: { model: 'dictionary', ortho_steps: 100 } }).toy.ortho_steps).toBe(100);
  });
});
