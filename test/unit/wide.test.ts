// The wide engine's twin (src/reference/wide.ts) against finite differences of its own loss.
import { describe, expect, it } from 'vitest';
import { auxkScale, rankValue, STUDY_OBJECTIVE, wideParamsOfModel, wideStep, wideTrain, type WideParams, type WideStepOptions } from '../../src/reference/wide';
import { saeTestSpec } from '../../src/kernels/fixtures';
import { wideMode } from '../../src/experiments/wide';
import { RefSaeTrainer } from '../../src/reference/trainer';

const rand = (n: number, seed: number, scale = 1) => Float64Array.from({ length: n }, (_, i) => Math.sin(seed * 7919 + i * 12.9898) * scale);

/** every partial of the twin's loss against a central difference; returns the worst error and the count */
function fdCheck(p: WideParams, x: Float64Array, sh: { B: number; d: number; s: number }, lambda: number, opt: WideStepOptions = {}) {
  const base = wideStep(p, x, sh, lambda, opt);
  // AuxK's residual is detached: hold it at this point's
  const o: WideStepOptions = opt.auxk ? { ...opt, auxk: { ...opt.auxk, residual: base.e.map((v) => -v) } } : opt;
  const h = 1e-6;
  let worst = 0,
    checked = 0;
  for (const name of ['w_enc', 'b_enc', 'w_dec', 'b_dec'] as const) {
    const arr = Float64Array.from(p[name]);
    for (let i = 0; i < arr.length; i++) {
      const v = arr[i];
      arr[i] = v + h;
      const up = wideStep({ ...p, [name]: arr }, x, sh, lambda, o).loss;
      arr[i] = v - h;
      const dn = wideStep({ ...p, [name]: arr }, x, sh, lambda, o).loss;
      arr[i] = v;
      const fd = (up - dn) / (2 * h);
      const err = Math.abs(fd - base.grads[name][i]);
      worst = Math.max(worst, err);
      checked++;
      expect(err, `${name}[${i}]: analytic ${base.grads[name][i]}, finite difference ${fd}`).toBeLessThan(1e-6 * Math.max(1, Math.abs(fd)));
    }
  }
  expect(checked).toBe(2 * sh.d * sh.s + sh.s + sh.d);
  return { base, worst, checked };
}

describe('wide SAE step twin', () => {
  const sh = { B: 5, d: 4, s: 6 };
  const p: WideParams = { w_enc: rand(sh.d * sh.s, 1, 0.8), b_enc: rand(sh.s, 2, 0.3), w_dec: rand(sh.s * sh.d, 3, 0.8), b_dec: rand(sh.d, 4, 0.2) };
  const x = rand(sh.B * sh.d, 5);

  it('every partial of the loss matches a central difference (ReLU, L1 weighted by decoder norms, b_dec on both paths)', () => {
    const { base, worst, checked } = fdCheck(p, x, sh, 0.3);
    // some latents must be off and some on, or the ReLU's gate is not exercised
    const l0 = Array.from({ length: sh.B }, (_, b) => base.rows[b * 5 + 2]);
    const on = l0.reduce((a, b) => a + b, 0);
    expect(on).toBeGreaterThan(0);
    expect(on).toBeLessThan(sh.B * sh.s);
    console.log(`wide twin (relu) vs finite differences: ${checked} partials, worst |error| ${worst.toExponential(2)}`);
  });

  it('TopK, BatchTopK with AuxK, Matryoshka: the partials match central differences (the residual held fixed), the selection keeps k', () => {
    const dead = [true, false, true, false, true, false];
    for (const opt of [
      { select: 'topk', k: 2, auxk: { coef: 0.7, kAux: 2, dead } },
      { select: 'batchtopk', k: 2, auxk: { coef: 1, kAux: 4, dead } },
      // Matryoshka: three nested prefixes with their weights, BatchTopK and AuxK as matryoshka-batchtopk trains
      { select: 'batchtopk', k: 3, auxk: { coef: 1, kAux: 4, dead }, nested: { ends: [2, 4, 6], weights: [0.5, 0.3, 0.2] } },
      { select: 'relu', nested: { ends: [3, 6], weights: [1, 1] } },
    ] as WideStepOptions[]) {
      const { base, worst, checked } = fdCheck(p, x, sh, 0.1, opt);
      const l0 = Array.from({ length: sh.B }, (_, b) => base.rows[b * 5 + 2]);
      const aux = Array.from({ length: sh.B }, (_, b) => base.rows[b * 5 + 3]).reduce((a, b) => a + b, 0);
      if (opt.select === 'topk') for (const n of l0) expect(n).toBeLessThanOrEqual(2);
      else if (opt.select === 'batchtopk') expect(l0.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(opt.k! * sh.B);
      // AuxK with 3 dead of 6 latents: scale coef min(3 / kAux, 1), and some of its loss
      if (opt.auxk) expect(aux).toBeGreaterThan(0);
      // the nested reconstruction term differs from the full one (the inner prefixes reconstruct less)
      const rec = Array.from({ length: sh.B }, (_, b) => base.rows[b * 5 + 4]).reduce((a, b) => a + b, 0);
      const mse = Array.from({ length: sh.B }, (_, b) => base.rows[b * 5]).reduce((a, b) => a + b, 0);
      if (opt.nested) expect(Math.abs(rec - mse)).toBeGreaterThan(1e-3);
      else expect(rec).toBe(mse);
      console.log(
        `wide twin (${opt.select}${opt.auxk ? ' + AuxK' : ''}${opt.nested ? ' + Matryoshka' : ''}) vs finite differences: ${checked} partials, worst |error| ${worst.toExponential(2)}`,
      );
    }
    // JumpReLU: every partial but the thresholds' (straight-through, checked by hand below) against differences
    const pj = { ...p, log_threshold: rand(sh.s, 6, 0.5).map((v) => Math.log(0.3 + 0.2 * Math.abs(v))) };
    const j = fdCheck(pj, x, sh, 0.2, { select: 'jumprelu', bandwidth: 0.3 });
    console.log(`wide twin (jumprelu) vs finite differences: ${j.checked} partials, worst |error| ${j.worst.toExponential(2)}`);
    expect(auxkScale(1, 4, 3)).toEqual({ k: 3, scale: 0.75 });
    expect(auxkScale(0.5, 2, 5)).toEqual({ k: 2, scale: 0.5 });
    expect(rankValue([3, 1, 4, 1, 5], 2)).toBe(4);
    expect(rankValue([3, 1, 4, 1, 5], 5)).toBe(1);
  });
});

describe('wide JumpReLU threshold gradient', () => {
  it("matches SAELens's straight-through estimate by hand: one latent, one row in the window, one outside", () => {
    // d = 1, s = 1: pre = x w_enc (b_enc = b_dec = 0), theta = 0.5, bandwidth 0.4 (window |pre - theta| < 0.2)
    const p = { w_enc: [1], b_enc: [0], w_dec: [2], b_dec: [0], log_threshold: [Math.log(0.5)] };
    const x = [0.6, 1.0]; // pre 0.6 (in the window, fires), 1.0 (outside, fires)
    const lambda = 0.1,
      B = 2,
      bw = 0.4,
      theta = 0.5;
    const r = wideStep(p, x, { B, d: 1, s: 1 }, lambda, { select: 'jumprelu', bandwidth: bw });
    // row 0: f = 0.6, xhat = 1.2, e = 0.6, df = dr w_dec = (2 e / B) 2 = 1.2
    const df0 = ((2 * 0.6) / B) * 2;
    const want = theta * (-(theta / bw) * df0 - lambda / (bw * B));
    expect(r.grads.log_threshold[0]).toBeCloseTo(want, 12);
    // the loss: the MSE plus lambda times the L0 (both rows fire), over the batch
    expect(r.loss).toBeCloseTo((0.6 ** 2 + 1.0 ** 2 + lambda * 2) / B, 12);
  });
});

describe('wide reconstruction metrics', () => {
  it('a hand-built case: explained variance, L0, dead latents and shrinkage', async () => {
    const { ReconstructionMetrics } = await import('../../src/metrics/wide');
    // d = 2, s = 3; rows x = (1, 0), (3, 0): mean (2, 0), sum |x - mean|^2 = 2
    // xhat = (0.5, 0), (3, 1): errors (-0.5, 0), (0, 1): sse 1.25 -> EV = 1 - 1.25 / 2 = 0.375
    // shrinkage = mean(|xhat| / |x|) = (0.5 / 1 + sqrt(10) / 3) / 2; latent 2 never fires; L0 = (1 + 2) / 2
    const m = new ReconstructionMetrics(2, 3);
    m.add([1, 0], [-0.5, 0], [0.2, 0, 0]);
    m.add([3, 0], [0, 1], [0.1, 0.4, 0]);
    const r = m.result();
    expect(r.rows).toBe(2);
    expect(r.explained_variance).toBeCloseTo(0.375, 12);
    expect(r.l0).toBeCloseTo(1.5, 12);
    expect(r.dead).toBe(1);
    expect(r.shrinkage).toBeCloseTo((0.5 + Math.sqrt(10) / 3) / 2, 12);
    expect(() => m.add([1, 2, 3], [0, 0, 0], [0, 0, 0])).toThrow(/x has 3 values/);
  });
});

describe('wide compare', () => {
  it('t quantiles, the mean with its t-interval, and runs pooled by setting with a repeated seed refused', async () => {
    const { t975, summarise, groupWide } = await import('../../src/experiments/wide-compare');
    expect(t975(2)).toBe(4.303);
    // beyond the table: within 1e-3 of the tabulated t(20) = 2.086 and t(60) = 2.000
    expect(Math.abs(t975(20) - 2.086)).toBeLessThan(1e-3);
    expect(Math.abs(t975(60) - 2.0)).toBeLessThan(1e-3);
    expect(() => t975(0)).toThrow('df must be an integer >= 1');
    const m = summarise([1, 2, 3]);
    expect(m.mean).toBe(2);
    // sd 1, n 3: half-width 4.303 / sqrt(3)
    expect(m.hi - m.mean).toBeCloseTo(4.303 / Math.sqrt(3), 10);
    expect(Number.isNaN(summarise([5]).lo)).toBe(true);
    const run = (seed: number, variant: string, f1: number) =>
      ({
        preset: 'p',
        steps: 10,
        adapter: 'a',
        timing: { train_s: 1 },
        config: { seed, train: { batch: 4, samples: 40, lr: 0.001 }, evalRows: 8, sae: { variant, lambda: 1, k: 2 } },
        final: { f1, mcc: 0, uniqueness: 0, explained_variance: 0, l0: 0, dead: 0, shrinkage: 0, precision: 0, recall: 0 },
      }) as never;
    const g = groupWide([
      { dir: 'a', r: run(1, 'topk', 0.5) },
      { dir: 'b', r: run(2, 'topk', 0.7) },
      { dir: 'c', r: run(1, 'relu', 0.1) },
    ]);
    expect(groupWide([{ dir: 'j', r: run(1, 'jumprelu', 0.5) }])[0].label).toBe('p: jumprelu, L0 coefficient 1, lr 0.001, 40 samples');
    expect(g.map((x) => [x.label, x.seeds])).toEqual([
      ['p: topk, k 2, lr 0.001, 40 samples', [1, 2]],
      ['p: relu, L1 1, lr 0.001, 40 samples', [1]],
    ]);
    expect(g[0].metrics.f1.mean).toBeCloseTo(0.6, 12);
    // seeds that ran different decodes name theirs (results from before the sparse decode ran the dense one)
    const { wideCompareMarkdown } = await import('../../src/experiments/wide-compare');
    expect(wideCompareMarkdown(g)).not.toMatch(/dense|sparse/);
    const mixed = groupWide([
      { dir: 'a', r: run(1, 'topk', 0.5) },
      { dir: 'b', r: { ...(run(2, 'topk', 0.7) as object), decode: 'sparse' } as never },
    ]);
    expect(mixed[0].decodes).toEqual(['dense', 'sparse']);
    expect(wideCompareMarkdown(mixed)).toMatch(/\| 2 \(1 dense, 2 sparse\) \|/);
    expect(() =>
      groupWide([
        { dir: 'a', r: run(1, 'topk', 0.5) },
        { dir: 'b', r: run(1, 'topk', 0.6) },
      ]),
    ).toThrow('a and b are both p: topk, k 2, lr 0.001, 40 samples at seed 1');
  });
});

describe('wide limits', () => {
  it("a preset past the adapter's binding size is a named error listing each buffer", async () => {
    const { WIDE_PRESETS, checkWideLimits } = await import('../../src/experiments/wide');
    const p = WIDE_PRESETS['synth-16k'];
    // SynthSAEBench-16k fits WebGPU's default 128 MiB bindings (its largest: the orthogonalisation's Adam moments, 96 MiB)
    expect(() => checkWideLimits(p, { maxStorageBufferBindingSize: 128 * 2 ** 20, maxBufferSize: 256 * 2 ** 20 })).not.toThrow();
    expect(() => checkWideLimits(p, { maxStorageBufferBindingSize: 32 * 2 ** 20, maxBufferSize: 256 * 2 ** 20 })).toThrow(
      /wide preset synth-16k does not fit this adapter: the synthetic feature activations \(batch x features\) needs 64\.0 MiB; the true dictionary \(features x d\) needs 48\.0 MiB; .*one storage binding holds 32\.0 MiB/,
    );
  });
});

describe("the study's objective on the wide engine", () => {
  it('its partials match central differences (no pre-encoder bias, per-sample FVU with a zero row)', () => {
    const sh = { B: 5, d: 4, s: 6 };
    const p: WideParams = { w_enc: rand(sh.d * sh.s, 11, 0.8), b_enc: rand(sh.s, 12, 0.3), w_dec: rand(sh.s * sh.d, 13, 0.8), b_dec: rand(sh.d, 14, 0.2) };
    const x = rand(sh.B * sh.d, 15);
    // a zero row takes the denominator 1, as the study's loss does
    x.fill(0, 2 * sh.d, 3 * sh.d);
    const { base, worst, checked } = fdCheck(p, x, sh, 0.3, { preBias: false, perSampleFvu: true });
    // each row's mse is its squared error over |x_b|^2
    for (let b = 0; b < sh.B; b++) {
      const xx = x.subarray(b * sh.d, (b + 1) * sh.d).reduce((a, v) => a + v * v, 0);
      const se = base.e.subarray(b * sh.d, (b + 1) * sh.d).reduce((a, v) => a + v * v, 0);
      expect(base.rows[b * 5]).toBeCloseTo(se / (xx > 0 ? xx : 1), 12);
    }
    // without the pre-encoder bias, b_dec does not reach the pre-activations: the twin's pre ignore it
    const moved = wideStep({ ...p, b_dec: Array.from(p.b_dec, (v) => v + 1) }, x, sh, 0.3, { preBias: false });
    expect(Array.from(moved.pre)).toEqual(Array.from(base.pre));
    console.log(`wide twin (the study's objective) vs finite differences: ${checked} partials, worst |error| ${worst.toExponential(2)}`);
  });

  it('trains as the per-model reference trainer does: same batches and initialisation, same parameters in f64', () => {
    // the study's shape, three SAEs at three (lr, lambda), plain ReLU: the per-model reference samples the batches
    const spec = saeTestSpec({ N: 4, D: 2, S: 4, sets: [2, 2], M: 3, B: 32, T: 30, flags: 0, rho: 0.5 });
    const ref = new RefSaeTrainer(spec);
    const { D, S } = spec.dims;
    const batches: Float64Array[][] = [[], [], []];
    for (let t = 0; t < spec.cfg.T; t++) {
      const acts = ref.acts(t);
      for (let m = 0; m < 3; m++)
        batches[m].push(
          Float64Array.from(
            { length: spec.cfg.B * D },
            (_, i) => acts[(m * spec.cfg.B + Math.floor(i / D)) * spec.cfg.act_stride + spec.cfg.act_offset + (i % D)],
          ),
        );
    }
    ref.train(spec.cfg.T);
    let worst = 0;
    for (let m = 0; m < 3; m++) {
      const init = wideParamsOfModel(spec.dims, spec.saeParams, m);
      const w = wideTrain(init, batches[m], { B: spec.cfg.B, d: D, s: S }, spec.hyper[m].l1, spec.cfg, spec.hyper[m].lr, { ...STUDY_OBJECTIVE });
      const want = wideParamsOfModel(spec.dims, ref.params, m);
      for (const b of ['w_enc', 'b_enc', 'w_dec', 'b_dec'] as const)
        for (let i = 0; i < want[b].length; i++) {
          const err = Math.abs(w.params[b][i] - want[b][i]);
          worst = Math.max(worst, err);
          expect(err, `model ${m} ${b}[${i}]`).toBeLessThan(1e-9);
        }
      // the run trained: the encoder moved
      expect(Math.max(...want.w_enc.map((v, i) => Math.abs(v - init.w_enc[i])))).toBeGreaterThan(1e-3);
    }
    console.log(`wide twin (the study's objective) vs the per-model reference trainer, 3 SAEs x 30 steps: worst |error| ${worst.toExponential(2)}`);
  });
});

describe('wideMode: the objective of a wide preset', () => {
  it("'study' turns on the study's objective for any variant, the default keeps SAELens's, a bad name fails by name", () => {
    const base = { d: 8, sae: { variant: 'topk', width: 32, lambda: 0, k: 4 } };
    expect(wideMode(base)).not.toHaveProperty('unitDecoder');
    expect(wideMode({ ...base, sae: { ...base.sae, objective: 'study' as const } })).toMatchObject({ select: 'topk', k: 4, ...STUDY_OBJECTIVE });
    expect(() => wideMode({ ...base, sae: { ...base.sae, objective: 'anthropic' as 'study' } })).toThrow(
      /sae\.objective must be 'saelens' or 'study', got 'anthropic'/,
    );
  });
});

describe('wide coverage of the composed sets', () => {
  it('a hand-built case: the true dictionary covers the true features, the composed directions the composed ones, dead latents nothing', async () => {
    const { composedCoverage } = await import('../../src/experiments/wide');
    // sets [2, 2] on the axes of d = 4: composed directions (e_i + e_j) / sqrt 2
    const dict = [0, 1, 2, 3].map((i) => [0, 1, 2, 3].map((j) => (i === j ? 1 : 0)));
    const spec = { sets: [2, 2], rho: 1, pOnehot: 0 };
    const all = [true, true, true, true];
    expect(composedCoverage(dict, all, dict, spec)).toEqual({ true: 1, composed: 0, true_targets: 4, composed_targets: 4 });
    const r = Math.SQRT1_2;
    const comp = [
      [r, 0, r, 0],
      [r, 0, 0, r],
      [0, r, r, 0],
      [0, r, 0, r],
    ];
    expect(composedCoverage(comp, all, dict, spec)).toEqual({ true: 0, composed: 1, true_targets: 4, composed_targets: 4 });
    // a dead latent covers nothing; one latent covers one direction at most
    expect(composedCoverage(dict, [true, true, false, true], dict, spec).true).toBe(0.75);
    expect(composedCoverage([dict[0], dict[0], dict[1], dict[2]], all, dict, spec).true).toBe(0.75);
    // a joint table that never draws x1 with y2 leaves three composed directions
    expect(composedCoverage(comp, all, dict, { ...spec, joint: [0.5, 0, 0.25, 0.25] }).composed_targets).toBe(3);
  });
});
