// Reference SAEs for the optimality gap: FLAG.FIXED_DEC keeps the decoder at its initial rows while the
// encoder and biases train (the twin of projected_row's zero branch in lib/sae_step.wgsl).
import { describe, expect, it } from 'vitest';
import { FLAG, saeLayout } from '../../src/core/wire';
import { saeTestSpec } from '../../src/kernels/fixtures';
import { RefSaeTrainer } from '../../src/reference/trainer';
import { saeNormalize } from '../../src/reference/sae';

const CASE = { N: 4, D: 2, S: 4, sets: [2, 2], M: 3, B: 32, T: 40, flags: FLAG.GHOST, rho: 0.5 };

function maxMove(a: ArrayLike<number>, b: ArrayLike<number>, from: number, to: number, P: number, M: number): number {
  let worst = 0;
  for (let m = 0; m < M; m++) for (let q = from; q < to; q++) worst = Math.max(worst, Math.abs(a[m * P + q] - b[m * P + q]));
  return worst;
}

describe('fixed decoder (reference SAEs)', () => {
  it('keeps every decoder row at its initial unit row while the encoder trains', () => {
    const spec = saeTestSpec({ ...CASE, flags: CASE.flags | FLAG.FIXED_DEC });
    const L = saeLayout(spec.dims);
    const start = Float64Array.from(spec.saeParams);
    saeNormalize(spec.cfg, spec.dims, start); // the first step normalises the rows
    const ref = new RefSaeTrainer(spec);
    ref.train(CASE.T);
    expect(maxMove(ref.params, start, L.WD, L.WD + spec.dims.S * spec.dims.D, L.P, CASE.M)).toBeLessThan(1e-12);
    expect(maxMove(ref.params, start, L.WE, L.BE, L.P, CASE.M)).toBeGreaterThan(1e-3);
    expect(maxMove(ref.params, start, L.BD, L.BD + spec.dims.D, L.P, CASE.M)).toBeGreaterThan(1e-4);
  });
  it('without the flag the same job moves the decoder', () => {
    const spec = saeTestSpec(CASE);
    const L = saeLayout(spec.dims);
    const start = Float64Array.from(spec.saeParams);
    saeNormalize(spec.cfg, spec.dims, start);
    const ref = new RefSaeTrainer(spec);
    ref.train(CASE.T);
    expect(maxMove(ref.params, start, L.WD, L.WD + spec.dims.S * spec.dims.D, L.P, CASE.M)).toBeGreaterThan(1e-3);
  });
  it('refuses a fixed decoder without the unit-row projection', () => {
    const spec = { ...saeTestSpec({ ...CASE, flags: FLAG.FIXED_DEC }), normalizeDecoder: false };
    expect(() => new RefSaeTrainer(spec)).toThrow(/fixed decoder .* normalizeDecoder is false/);
  });
});
