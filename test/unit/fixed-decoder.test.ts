// Reference SAEs for the optimality gap: FLAG.FIXED_DEC keeps the decoder at its initial rows while the
// encoder and biases train (the twin of projected_row's zero branch in lib/sae_step.wgsl).
import { describe, expect, it } from 'vitest';
import { FLAG, saeLayout, toyLayout } from '../../src/core/wire';
import { parseExperiment } from '../../src/config/schema';
import { dataSetup, referencePlan, saeJobPlan } from '../../src/jobs/experiment';
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

describe('referencePlan (the optimality gap)', () => {
  const W = [
    [1, 0.1],
    [-1, -0.05],
    [0.1, 2],
    [0, -2],
  ]; // four features of a trained toy model, rows of W (not unit)
  const setup = (shared: boolean) => {
    const c = parseExperiment({
      name: 'g',
      data: { shared_stream: shared },
      sae: { b_dec_init: 'zeros' },
      grid: { lr: [1e-3, 3e-3], l1: [0.1, 1] },
      realizations: 3,
      optimality_gap: true,
    });
    const data = dataSetup(c);
    const toy = new Float32Array(toyLayout(data.dims).P);
    W.forEach((row, i) => row.forEach((v, j) => (toy[i * 2 + j] = v)));
    const plan = saeJobPlan(c, data, toy);
    return { c, data, plan, ref: referencePlan(c, data, plan, toy) };
  };
  it('two SAEs per cell, decoder and encoder rows on the unit true / composed directions, the fixed-decoder flag set', () => {
    const { plan, ref } = setup(true);
    const L = saeLayout({ D: 2, S: 4 });
    expect(ref.spec.cfg.M).toBe(2 * plan.cells.length);
    expect(ref.spec.cfg.flags & FLAG.FIXED_DEC).toBe(FLAG.FIXED_DEC);
    expect(ref.spec.cfg.flags & ~FLAG.FIXED_DEC).toBe(plan.spec.cfg.flags);
    const row = (m: number, off: number, k: number) => Array.from(ref.spec.saeParams.subarray(m * L.P + off + k * 2, m * L.P + off + k * 2 + 2));
    const u = (v: number[]) => v.map((x) => x / Math.hypot(...v));
    const close = (a: number[], b: number[]) => a.forEach((x, i) => expect(x).toBeCloseTo(b[i], 6));
    // model 0: true basis of cell 0; model 1: its composed basis (x1+y1, x1+y2, x2+y1, x2+y2)
    W.forEach((w, k) => {
      close(row(0, L.WD, k), u(w));
      close(row(0, L.WE, k), u(w));
    });
    const comp = [
      [0, 2],
      [0, 3],
      [1, 2],
      [1, 3],
    ].map(([a, b]) => u(W[a].map((x, j) => x + W[b][j])));
    comp.forEach((w, k) => close(row(1, L.WD, k), w));
    expect(ref.models.map((m) => m.cell)).toEqual(plan.cells.flatMap((c) => [c, c]));
    // the cell's hyper-parameters and data stream: its first realization's
    ref.spec.hyper.forEach((h, m) => expect(h).toEqual(plan.spec.hyper[plan.models.findIndex((x) => x.cell === ref.models[m].cell)]));
  });
  it("without a shared stream each cell trains on its first realization's stream", () => {
    const { plan, ref } = setup(false);
    expect(ref.spec.hyper[0].seed).toBe(plan.spec.hyper[0].seed);
    expect(ref.spec.hyper[2].seed).toBe(plan.spec.hyper[3].seed); // cell 1 starts at realization 3 of the plan
  });
  it('needs one decoder row per direction', () => {
    const { c, data, plan } = setup(true);
    expect(() => referencePlan({ ...c, sae: { ...c.sae, s: 8 } }, { ...data, dims: { ...data.dims, S: 8 } }, plan, new Float32Array(12))).toThrow(
      /optimality_gap needs s = 8 latents to equal the number of true directions \(4\)/,
    );
  });
});
