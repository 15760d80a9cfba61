// Named GPU checks: each runs kernels on a GpuContext and compares with the CPU reference.
// The same checks run in Node (tests, CLI) and inside headless Chromium (harness), so "runs in a
// browser" and "matches the reference" are judged by one piece of code.
import type { GpuContext } from '../gpu/context';
import { BindingError, ShaderCompileError } from '../gpu/errors';
import { Kernel } from '../gpu/kernel';
import { gpuMatmulBatched, gpuRngFill, type MatmulShape } from '../gpu/ops';
import { compareArrays, type Comparison } from './compare';
import { gemm, matmulBatched } from '../reference/matmul';
import { GEMM_VERSIONS, gpuGemm, layoutName, type GemmShape } from '../kernels/gemm';
import { gpuWideStep, type WideDecode } from '../kernels/wide';
import { rankValue, STUDY_OBJECTIVE, WIDE_BLOCKS, wideBlocksOf, wideStep, wideTrain, wideTrainStep, type WideTrainMode } from '../reference/wide';
import { WideSaeTrainer } from '../train/wide';
import { createSynthSource, type SynthData, synthRows } from '../data/synth-source';
import { buildSynth, sampleSynth } from '../data/synth';
import { DetectorCounts } from '../metrics/synth';
import { ReconstructionMetrics } from '../metrics/wide';
import { orthoLoss, randomDictionary } from '../data/dictionary';
import { orthogonaliseGpu } from '../data/dictionary-gpu';
import { defaultConfig } from '../core/wire';
import { rngFill } from '../reference/rng';
import { rngU32 } from '../core/rng';
import { KERNEL_CHECKS, KERNEL_SHAPES } from './kernels';
import { fusedMisfit, SAE_KERNELS, SAE_STEPS, type DeviceCaps, type FitTarget } from '../kernels/sae_steps';
import type { ShaderSources } from '../gpu/shaders';
import { saeTestSpec } from '../kernels/fixtures';
import { TOY_STEPS, toyStepsKernel } from '../kernels/toy_steps';
import { checkSaeTraining, checkToyTraining, checkWideVsFused, SAE_TRAIN_CASES } from './training';

export interface CheckResult {
  name: string;
  pass: boolean;
  comparisons: Comparison[];
  notes: string[];
  ms: number;
}

type CheckFn = (ctx: GpuContext) => Promise<{ comparisons: Comparison[]; notes: string[] }>;

/** Deterministic test data from the kit's own RNG, in [-1, 1). */
export function testData(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = 2 * ((rngU32(seed, 0, i, 0, 0) >>> 8) / 16777216) - 1;
  return out;
}

export const MATMUL_SHAPES: MatmulShape[] = [
  { M: 1, R: 1, K: 1, N: 1 },
  { M: 1, R: 16, K: 16, N: 16 },
  { M: 3, R: 17, K: 5, N: 33 },
  { M: 1, R: 40, K: 1, N: 7 },
  { M: 5, R: 64, K: 70, N: 4 },
  { M: 125, R: 8, K: 2, N: 4 },
];
// f32 accumulation of K products of values in [-1,1): error grows ~ K * 2^-24.
export const MATMUL_TOL = { atol: 1e-5, rtol: 1e-5 };

// GEMM shapes: single values, edges that are not multiples of any tile (16, 64, 256 columns, 8 rows), a deep K and
// few columns under many rows (lanes runs those transposed); every layout at each, and one accumulating call per layout.
export const GEMM_SHAPES: Omit<GemmShape, 'ta' | 'tb'>[] = [
  { M: 1, K: 1, N: 1 },
  { M: 37, K: 29, N: 45 },
  { M: 64, K: 16, N: 64 },
  { M: 70, K: 130, N: 600 },
  { M: 5, K: 300, N: 3 },
  { M: 300, K: 20, N: 30 },
];
// f32 accumulation of K products of values in [-1, 1): |error| <= K * 2^-24 * sum |a b| <= 300 * 6e-8 * 300 in the
// worst case; the measured worst is far below, so the bound is set at 1e-4 absolute (K <= 300).
export const GEMM_TOL = { atol: 1e-4, rtol: 1e-5 };

function gemmCheck(version: string): CheckFn {
  return async (ctx) => {
    const comparisons: Comparison[] = [];
    for (const [i, base] of GEMM_SHAPES.entries())
      for (const [ta, tb] of [
        [false, false],
        [false, true],
        [true, false],
        [true, true],
      ]) {
        const s = { ...base, ta, tb };
        const a = testData(s.M * s.K, 300 + i),
          b = testData(s.K * s.N, 400 + i);
        const tag = `gemm ${version} ${layoutName(s)} M=${s.M} K=${s.K} N=${s.N}`;
        comparisons.push(compareArrays(tag, await gpuGemm(ctx, version, s, a, b), gemm(a, b, s), GEMM_TOL));
        if (i === 1) {
          const c0 = testData(s.M * s.N, 500 + i);
          comparisons.push(compareArrays(`${tag} accumulate`, await gpuGemm(ctx, version, s, a, b, c0), gemm(a, b, s, c0), GEMM_TOL));
        }
      }
    return { comparisons, notes: [] };
  };
}

// The wide SAE step (src/kernels/wide) against its twin: the loss rows and every gradient, with each GEMM version,
// at shapes off every tile size; then each variant the wide engine runs (TopK and BatchTopK with AuxK, a third of the
// latents dead) with the GEMM versions shaped for each kind of adapter, with its thresholds and the steps since each
// latent fired. f32 sums of up to 300 terms against f64: 1e-4 relative, 2e-5 absolute; a selection flips only where
// two pre-activations are within rounding of each other (none at these draws).
export const WIDE_SHAPES = [
  { B: 37, d: 9, s: 70 },
  { B: 64, d: 16, s: 300 },
];
export const WIDE_TOL = { atol: 2e-5, rtol: 1e-4 };
/** the variants' modes the checks run: TopK and BatchTopK, each with AuxK (k_aux 4, dead past 2 steps); Matryoshka
 * BatchTopK (three nested prefixes; its ends scale with s) */
const WIDE_MODES = (s: number): WideTrainMode[] => [
  { select: 'topk', k: 5, auxk: { coef: 0.5, kAux: 4, window: 2 } },
  { select: 'batchtopk', k: 4, auxk: { coef: 1, kAux: 4, window: 2 } },
  { select: 'batchtopk', k: 4, auxk: { coef: 1, kAux: 4, window: 2 }, nested: { ends: [Math.floor(s / 5), Math.floor(s / 2), s], weights: [0.5, 0.3, 0.2] } },
  // JumpReLU: thresholds near the pre-activations' scale and a wide kernel, so many fall in its window
  { select: 'jumprelu', bandwidth: 0.4 },
  // the study's objective: unit decoder rows, the projected gradient, the per-sample FVU, no pre-encoder bias
  { select: 'relu', ...STUDY_OBJECTIVE },
  { select: 'topk', k: 5, auxk: { coef: 0.5, kAux: 4, window: 2 }, ...STUDY_OBJECTIVE },
];

/** the value of a wide selection key (lib/wide.wgsl key_value) */
function keyValue(k: number): number {
  const u = new Uint32Array([k & 0x80000000 ? k & 0x7fffffff : ~k >>> 0]);
  return new Float32Array(u.buffer)[0];
}

async function wideCheck(ctx: GpuContext): Promise<{ comparisons: Comparison[]; notes: string[] }> {
  const comparisons: Comparison[] = [];
  const notes: string[] = [];
  for (const [i, sh] of WIDE_SHAPES.entries()) {
    const scale = (n: number, seed: number, a: number) => testData(n, seed).map((v) => v * a);
    const p = {
      w_enc: scale(sh.d * sh.s, 600 + i, 0.5),
      b_enc: scale(sh.s, 610 + i, 0.2),
      w_dec: scale(sh.s * sh.d, 620 + i, 0.5),
      b_dec: scale(sh.d, 630 + i, 0.1),
      // JumpReLU's thresholds: 0.2-0.8
      log_threshold: testData(sh.s, 650 + i).map((v) => Math.log(0.5 + 0.3 * v)),
    };
    const x = testData(sh.B * sh.d, 640 + i);
    const lambda = 0.2;
    const ref = wideStep(p, x, sh, lambda);
    for (const v of Object.keys(GEMM_VERSIONS)) {
      const g = await gpuWideStep(ctx, v, sh, p, x, lambda);
      const tag = `wide step (gemm ${v}) B=${sh.B} d=${sh.d} s=${sh.s}`;
      comparisons.push(compareArrays(`${tag} loss rows [mse, l1, l0, aux, rec]`, g.rows, ref.rows, WIDE_TOL));
      for (const n of ['w_enc', 'b_enc', 'w_dec', 'b_dec'] as const) comparisons.push(compareArrays(`${tag} grad ${n}`, g[`g_${n}`], ref.grads[n], WIDE_TOL));
    }
    // the variants at the first shape only (the suite's time): a third of the latents dead (since past the window),
    // the rest fired last step
    if (i > 0) continue;
    const since0 = Uint32Array.from({ length: sh.s }, (_, k) => (k % 3 === 0 ? 3 : 0));
    for (const mode of WIDE_MODES(sh.s)) {
      const auxk = mode.auxk && { ...mode.auxk, dead: Array.from(since0, (n) => n > mode.auxk!.window) };
      const lam = mode.select === 'jumprelu' ? 0.3 : mode.select === 'relu' ? 0.2 : 0;
      const r = wideTrainStep({ ...p, w_dec: Float64Array.from(p.w_dec) }, x, sh, lam, mode, auxk);
      const sinceRef = Array.from(since0, (n, k) => (r.fsum[k] > 0 ? 0 : n + 1));
      const l0 = r.rows.filter((_, j) => j % 5 === 2).reduce((a, b) => a + b, 0) / sh.B;
      const auxLoss = r.rows.filter((_, j) => j % 5 === 3).reduce((a, b) => a + b, 0);
      notes.push(`${mode.select} B=${sh.B} s=${sh.s}: twin L0 ${l0.toFixed(2)}, AuxK loss ${auxLoss.toFixed(4)}`);
      // the case must exercise AuxK (some of its loss) or JumpReLU's threshold gradient (some latents in the window)
      if (mode.auxk)
        comparisons.push(
          compareArrays(`wide step ${mode.select}: the twin's AuxK loss is above 0 (1 = yes)`, [auxLoss > 0 ? 1 : 0], [1], { atol: 0, rtol: 0 }),
        );
      const inWindow = r.grads.log_threshold.filter((v) => v !== 0).length;
      if (mode.select === 'jumprelu')
        comparisons.push(
          compareArrays(`wide step jumprelu: latents with a threshold gradient (${inWindow} of ${sh.s}) above 0 (1 = yes)`, [inWindow > 0 ? 1 : 0], [1], {
            atol: 0,
            rtol: 0,
          }),
        );
      // the GPU-shaped GEMM with the workgroup radix select, the CPU-shaped one with the serial select
      // and, for the TopK family, the sparse decode (the decoder's products from f's nonzeros)
      const topkFamily = mode.select === 'topk' || mode.select === 'batchtopk';
      for (const [v, rowSelect, decode] of [
        ['blocked', 'radix', 'dense'],
        ['lanes', 'serial', 'dense'],
        ...(topkFamily ? ([['lanes', 'serial', 'sparse']] as const) : []),
      ] as const) {
        const g = await gpuWideStep(ctx, v, sh, p, x, lam, mode, since0, rowSelect, decode);
        const tag = `wide step ${mode.nested ? 'matryoshka ' : ''}${mode.select}${mode.k ? ` k=${mode.k}` : ''}${mode.auxk ? ' + AuxK' : ''}${mode.unitDecoder ? " (the study's objective)" : ''} (gemm ${v}, ${rowSelect} row select${decode === 'sparse' ? ', sparse decode' : ''}) B=${sh.B} d=${sh.d} s=${sh.s}`;
        comparisons.push(compareArrays(`${tag} loss rows [mse, l1, l0, aux, rec]`, g.rows, r.rows, WIDE_TOL));
        for (const n of ['w_enc', 'b_enc', 'w_dec', 'b_dec'] as const) comparisons.push(compareArrays(`${tag} grad ${n}`, g[`g_${n}`], r.grads[n], WIDE_TOL));
        comparisons.push(compareArrays(`${tag} steps since each latent fired`, g.since, sinceRef, { atol: 0, rtol: 0 }));
        if (mode.select === 'jumprelu') {
          comparisons.push(compareArrays(`${tag} grad log_threshold`, g.g_log_threshold, r.grads.log_threshold, WIDE_TOL));
          continue;
        }
        // ReLU has no selection threshold
        if (mode.select === 'relu') continue;
        const thrRef = mode.select === 'topk' ? Array.from({ length: sh.B }, (_, b) => rankValue(r.pre.subarray(b * sh.s, (b + 1) * sh.s), mode.k!)) : [r.bthr];
        comparisons.push(
          compareArrays(
            `${tag} thresholds`,
            Array.from(thrRef, (_, b) => keyValue(g.thr[b])),
            thrRef,
            WIDE_TOL,
          ),
        );
      }
    }
  }
  return { comparisons, notes };
}

// The wide trainer against its twin: 8 Adam steps (warmup 2, cooldown 3) on fresh batches, with the GEMM version
// shaped for each kind of adapter. Adam's first steps move a parameter by about lr whatever its gradient's size, so a
// gradient entry within f32 rounding of 0 (lavapipe contracts multiply-adds into FMAs) would move by +-lr: with
// eps = 1e-8 one W_enc entry differed by 1.8e-4 on lavapipe. eps = 1e-3 keeps such entries' steps near lr g / eps;
// parameters then agree within 2e-5 + 1e-4 relative (lr = 1e-3). On drawn synthetic rows: the ReLU SAE, and
// BatchTopK with AuxK (latents dead after 1 step without firing), its EMA threshold and its evaluation pass.
async function wideTrainCheck(ctx: GpuContext): Promise<{ comparisons: Comparison[]; notes: string[] }> {
  const comparisons: Comparison[] = [];
  const sh = { B: 48, d: 12, s: 100 },
    lambda = 0.1,
    lr = 1e-3,
    T = 8;
  const cfg = defaultConfig({ T, warmup: 2, cooldown: 3, beta1: 0.9, beta2: 0.999, eps: 1e-3, weight_decay: 0 });
  const scale = (n: number, seed: number, a: number) => testData(n, seed).map((v) => v * a);
  const init = { w_enc: scale(sh.d * sh.s, 700, 0.5), b_enc: scale(sh.s, 701, 0.2), w_dec: scale(sh.s * sh.d, 702, 0.5), b_dec: scale(sh.d, 703, 0.1) };
  const batches = Array.from({ length: T }, (_, t) => testData(sh.B * sh.d, 710 + t));
  const ref = wideTrain(init, batches, sh, lambda, cfg, lr);
  // the run must train (else equal parameters prove little): the loss falls and W_enc moves by more than the tolerance
  const moved = Math.max(...ref.params.w_enc.map((v, i) => Math.abs(v - init.w_enc[i])));
  comparisons.push(
    compareArrays('train wide SAE: the twin loss falls over the run (1 = yes)', [ref.losses[T - 1] < ref.losses[0] ? 1 : 0], [1], { atol: 0, rtol: 0 }),
    compareArrays('train wide SAE: largest move of a W_enc entry, above 1e-3 (1 = yes)', [moved > 1e-3 ? 1 : 0], [1], { atol: 0, rtol: 0 }),
  );
  for (const gemm of ['blocked', 'lanes']) {
    const tr = await WideSaeTrainer.create(ctx, { shape: sh, lambda, lr, cfg, gemm, init });
    try {
      for (const x of batches) await tr.step(x);
      const got = await tr.params();
      for (const b of WIDE_BLOCKS)
        comparisons.push(compareArrays(`train wide SAE (gemm ${gemm}) B=${sh.B} d=${sh.d} s=${sh.s}, ${T} steps: ${b}`, got[b], ref.params[b], WIDE_TOL));
    } finally {
      tr.destroy();
    }
  }
  // rows drawn on the GPU (src/data/synth-source.ts): the twin trains on the rows each step drew (read back)
  const data = smallSynthData(40, sh.d, 12);
  const drawn: { name: string; lambda: number; mode: WideTrainMode; decode?: WideDecode }[] = [
    { name: 'relu', lambda, mode: {} },
    ...(['dense', 'sparse'] as const).map((decode) => ({
      name: `batchtopk k=3 + AuxK, ${decode} decode`,
      lambda: 0,
      mode: { select: 'batchtopk', k: 3, auxk: { coef: 1, kAux: 6, window: 1 }, emaLr: 0.2 } as WideTrainMode,
      decode,
    })),
    { name: 'jumprelu', lambda: 0.5, mode: { select: 'jumprelu', bandwidth: 0.5 } },
  ];
  const notes: string[] = [`twin losses: ${ref.losses.map((l) => l.toFixed(4)).join(', ')}`];
  for (const run of drawn) {
    // JumpReLU's thresholds start at 0.3-0.7, where the drawn rows' pre-activations are
    const jumpInit = { ...init, log_threshold: testData(sh.s, 704).map((v) => Math.log(0.5 + 0.2 * v)) };
    const tr = await WideSaeTrainer.create(ctx, {
      shape: sh,
      lambda: run.lambda,
      lr,
      cfg,
      gemm: 'lanes',
      init: jumpInit,
      data,
      firstBatch: 5,
      mode: run.mode,
      decode: run.decode ?? 'dense',
    });
    try {
      const xs: Float32Array[] = [];
      for (let t = 0; t < T; t++) {
        await tr.step();
        xs.push(await tr.rowsX());
      }
      // the drawn rows and the sparse decode's lists kept everything (a named error otherwise)
      await tr.checkData();
      const refD = wideTrain(jumpInit, xs, sh, run.lambda, cfg, lr, run.mode);
      const got = await tr.params();
      const tag = `train wide SAE ${run.name} on drawn synthetic rows (gemm lanes), ${T} steps`;
      for (const b of wideBlocksOf(run.mode)) comparisons.push(compareArrays(`${tag}: ${b}`, got[b]!, refD.params[b]!, WIDE_TOL));
      if (run.mode.select === 'jumprelu') {
        const moved = Math.max(...refD.params.log_threshold!.map((v, i) => Math.abs(v - jumpInit.log_threshold[i])));
        comparisons.push(
          compareArrays(`${tag}: largest move of a log threshold (${moved.toExponential(2)}) above 1e-4 (1 = yes)`, [moved > 1e-4 ? 1 : 0], [1], {
            atol: 0,
            rtol: 0,
          }),
        );
      }
      const st = await tr.trainState();
      comparisons.push(compareArrays(`${tag}: steps since each latent fired`, st.since, refD.since, { atol: 0, rtol: 0 }));
      if (run.mode.select === 'batchtopk') {
        const dead = refD.since.filter((n) => n > run.mode.auxk!.window).length;
        notes.push(`${tag}: ${dead} latents dead at the end, inference threshold ${refD.threshold.toFixed(4)}`);
        comparisons.push(compareArrays(`${tag}: the EMA threshold`, [st.threshold], [refD.threshold], WIDE_TOL));
        // the evaluation pass: the trained SAE with the EMA threshold (JumpReLU form), no AuxK, on fresh rows
        const ev = await tr.evalBatch(1000);
        const r = wideStep(refD.params, ev.x, sh, 0, { select: 'batchtopk', k: 3, threshold: refD.threshold });
        comparisons.push(compareArrays(`${tag}: evaluation loss rows [mse, l1, l0, aux, rec]`, await tr.rows(), r.rows, WIDE_TOL));
      } else {
        const same = xs[0].every((v, i) => v === xs[1][i]);
        comparisons.push(
          compareArrays('train wide SAE on drawn rows: step 1 draws other rows than step 0 (1 = yes)', [same ? 0 : 1], [1], { atol: 0, rtol: 0 }),
        );
      }
    } finally {
      tr.destroy();
    }
  }
  return { comparisons, notes };
}

/** A small SynthSAEBench-class data set (correlations, a hierarchy) in d dims: the checks' and tests' fixture. */
export function smallSynthData(features: number, d: number, seed: number): SynthData {
  const model = buildSynth({
    features,
    zipf: { exponent: 0.5, pMax: 0.6, pMin: 0.05 },
    magnitude: { meanStart: 3, meanEnd: 2, stdMean: 0.3, stdStd: 0.2 },
    correlation: { rank: 4, scale: 0.3 },
    hierarchy: { roots: 4, branching: 3, depth: 2, mutuallyExclusive: 1, compensate: true, scaleChildrenByParent: true },
    seed,
  });
  const dictionary = Float32Array.from(randomDictionary(features, d, seed).flat());
  const bias = testData(d, seed + 1).map((v) => 0.3 * v);
  return { model, dictionary, bias };
}

// The dictionary orthogonalisation on the GPU (src/data/dictionary-gpu.ts) against randomDictionary's host loop in
// f64: 5 Adam steps at lr 0.01 on 130 x 16, in row blocks of 64 (the last of 2 rows: offsets and a short block) and
// in one block. Adam's steps are about lr whatever the gradient, so an entry whose gradient is within rounding of 0
// could step the other way (none seen: worst 3.8e-6 on lavapipe); 1e-4 absolute, with the twin's objective checked
// to fall. The GEMM versions themselves are the 'gemm *' checks'.
async function wideOrthoCheck(ctx: GpuContext): Promise<{ comparisons: Comparison[]; notes: string[] }> {
  const comparisons: Comparison[] = [];
  const notes: string[] = [];
  const [n, d, seed] = [130, 16, 32];
  const E0 = Float32Array.from(randomDictionary(n, d, seed).flat());
  const want = randomDictionary(n, d, seed, { orthoSteps: 5, orthoLr: 0.01 });
  for (const blockRows of [64, undefined]) {
    const got = await orthogonaliseGpu(ctx, E0, n, d, { steps: 5, lr: 0.01, gemm: 'lanes', blockRows });
    const tag = `wide orthogonalisation ${n} x ${d}, 5 steps, ${blockRows ? `blocks of ${blockRows} rows` : 'one block'}`;
    comparisons.push(compareArrays(`${tag}: the unit rows`, got, want.flat(), { atol: 1e-4, rtol: 0 }));
  }
  const before = orthoLoss(randomDictionary(n, d, seed)).loss,
    after = orthoLoss(want).loss;
  notes.push(`${n} x ${d}: objective ${before.toFixed(1)} -> ${after.toFixed(1)} (twin)`);
  comparisons.push(
    compareArrays(`wide orthogonalisation ${n} x ${d}: the twin's objective falls (1 = yes)`, [after < before ? 1 : 0], [1], { atol: 0, rtol: 0 }),
  );
  return { comparisons, notes };
}

// The wide evaluation's detection counts (kernels/wide/detector.wgsl) against DetectorCounts on the host, over two
// evaluation batches of drawn rows (their feature activations from sampleSynth, the draw's twin): every count exact.
// Then its reconstruction numbers from the GPU's per-row sums (eval_rows) against the same from the rows read back.
async function wideDetectorCheck(ctx: GpuContext): Promise<{ comparisons: Comparison[]; notes: string[] }> {
  const sh = { B: 48, d: 12, s: 100 };
  const data = smallSynthData(40, sh.d, 12);
  const scale = (n: number, seed: number, a: number) => testData(n, seed).map((v) => v * a);
  const init = { w_enc: scale(sh.d * sh.s, 720, 0.5), b_enc: scale(sh.s, 721, 0.2), w_dec: scale(sh.s * sh.d, 722, 0.5), b_dec: scale(sh.d, 723, 0.1) };
  const cfg = defaultConfig({ T: 1, warmup: 0, cooldown: 0 });
  const tr = await WideSaeTrainer.create(ctx, { shape: sh, lambda: 0.1, lr: 1e-3, cfg, gemm: 'lanes', init, data });
  try {
    const best = Array.from({ length: sh.s }, (_, k) => (k * 7) % 40);
    await tr.armDetector(best);
    const host = new DetectorCounts(best);
    for (const batch of [3, 4]) {
      const { f } = await tr.evalBatch(batch);
      const a = sampleSynth(data.model, sh.B, batch);
      for (let b = 0; b < sh.B; b++) host.add(f.subarray(b * sh.s, (b + 1) * sh.s), a.subarray(b * 40, (b + 1) * 40));
    }
    const got = await tr.detectorCounts();
    const want = Array.from({ length: sh.s * 3 }, (_, i) => [host.tp, host.fp, host.fn][i % 3][Math.floor(i / 3)]);
    const fired = host.tp.reduce((x, v) => x + v, 0);
    // the evaluation's numbers from the GPU's per-row sums (evalStats) against the same from the rows (evalBatch)
    const fromRows = new ReconstructionMetrics(sh.d, sh.s),
      fromStats = new ReconstructionMetrics(sh.d, sh.s);
    for (const batch of [7, 8]) {
      const r = await tr.evalBatch(batch);
      fromRows.add(r.x, r.e, r.f);
      fromStats.addRows(await tr.evalStats(batch));
    }
    const ra = fromRows.result(),
      rb = fromStats.result();
    const keys = ['explained_variance', 'l0', 'dead', 'shrinkage', 'rows'] as const;
    return {
      comparisons: [
        compareArrays(
          `wide evaluation from per-row sums (eval_rows, rowloss, colsums) against the rows: [${keys.join(', ')}]`,
          keys.map((k) => rb[k]),
          keys.map((k) => ra[k]),
          { atol: 1e-5, rtol: 1e-5 },
        ),
        compareArrays(`wide detector: [tp, fp, fn] per latent over 2 batches of ${sh.B} rows`, got.counts, want, { atol: 0, rtol: 0 }),
        compareArrays('wide detector: rows counted', [got.rows], [2 * sh.B], { atol: 0, rtol: 0 }),
        compareArrays('wide detector: some true positives (1 = yes)', [fired > 0 ? 1 : 0], [1], { atol: 0, rtol: 0 }),
      ],
      notes: [`${fired} true positives`],
    };
  } finally {
    tr.destroy();
  }
}

// The wide engine's data path: synth_sample's activations a (checked draw for draw by 'kernel synth_sample'), then
// x = a D + b by the GEMM unit and add_bias, against that sum in f64 from the same a (sums of 40 terms: 1e-5).
async function wideSynthCheck(ctx: GpuContext): Promise<{ comparisons: Comparison[]; notes: string[] }> {
  const comparisons: Comparison[] = [];
  const data = smallSynthData(40, 8, 11);
  const B = 50,
    n = 40,
    d = 8;
  const versions: { tag: string; gemm: string; mix: 'sparse' | 'dense' }[] = [
    { tag: 'dense mix, gemm blocked', gemm: 'blocked', mix: 'dense' },
    { tag: 'dense mix, gemm lanes', gemm: 'lanes', mix: 'dense' },
    { tag: 'sparse mix', gemm: 'lanes', mix: 'sparse' },
  ];
  for (const v of versions)
    for (const batch of [0, 3]) {
      const x = ctx.createBuffer('synth x', B * d * 4);
      const src = await createSynthSource(ctx, data, B, x, v.gemm, { mix: v.mix });
      try {
        src.setBatch(batch);
        await ctx.run('synth source', (pass) => src.encode(pass));
        const [xb, ab] = await ctx.readback([x, src.acts], [B * d * 4, B * n * 4]);
        const a = new Float32Array(ab);
        const want = new Float64Array(B * d);
        for (let b = 0; b < B; b++)
          for (let j = 0; j < d; j++) {
            let val = data.bias[j];
            for (let i = 0; i < n; i++) val += a[b * n + i] * data.dictionary[i * d + j];
            want[b * d + j] = val;
          }
        comparisons.push(
          compareArrays(`wide synth source (${v.tag}) B=${B} n=${n} d=${d} batch ${batch}: x = a D + b`, new Float32Array(xb), want, {
            atol: 1e-5,
            rtol: 1e-5,
          }),
        );
        if (v.mix === 'sparse')
          comparisons.push(
            compareArrays(`wide synth source (${v.tag}) batch ${batch}: no row overflowed its list (1 = yes)`, [(await src.overflowed()) ? 0 : 1], [1], {
              atol: 0,
              rtol: 0,
            }),
          );
        if (batch === 0 && v.mix === 'dense' && v.gemm === 'lanes') {
          const active = a.filter((val) => val > 0).length / B;
          comparisons.push(
            compareArrays(`wide synth source: active features per row (${active.toFixed(2)}) above 1 (1 = yes)`, [active > 1 ? 1 : 0], [1], {
              atol: 0,
              rtol: 0,
            }),
          );
        }
      } finally {
        src.destroy();
        x.destroy();
      }
    }
  // the study's composed sets as the structure: drawn by sample_data.wgsl, the twin is the study's own sampler (one
  // f32 ulp apart at most: the amplitude mix may contract to an FMA), then the same sparse mix
  {
    const model = buildSynth({ features: 12, composed: { sets: [4, 8], rho: 0.5, pOnehot: 0.25, pSetEmpty: 0.2 }, seed: 5 });
    const cdata: SynthData = { model, dictionary: Float32Array.from(randomDictionary(12, d, 5).flat()), bias: data.bias };
    const x = ctx.createBuffer('synth x', B * d * 4);
    const src = await createSynthSource(ctx, cdata, B, x, 'lanes');
    try {
      for (const batch of [0, 7]) {
        src.setBatch(batch);
        await ctx.run('synth source', (pass) => src.encode(pass));
        const [xb, ab] = await ctx.readback([x, src.acts], [B * d * 4, B * 12 * 4]);
        const a = new Float32Array(ab);
        const tag = `wide synth source, the study's composed sets [4, 8] (rho 0.5, one-hot 0.25, left out 0.2) B=${B} batch ${batch}`;
        comparisons.push(compareArrays(`${tag}: the draws against the study's sampler`, a, sampleSynth(model, B, batch), { atol: 1.2e-7, rtol: 0 }));
        comparisons.push(compareArrays(`${tag}: x = a D + b`, new Float32Array(xb), synthRows(cdata, B, batch), { atol: 1e-5, rtol: 1e-5 }));
      }
    } finally {
      src.destroy();
      x.destroy();
    }
  }
  // a list too short for the rows (cap 1) must raise the overflow flag, not drop features quietly
  const x = ctx.createBuffer('synth x', B * d * 4);
  const src = await createSynthSource(ctx, data, B, x, 'lanes', { cap: 1 });
  try {
    await ctx.run('synth source', (pass) => src.encode(pass));
    comparisons.push(
      compareArrays('wide synth source (sparse mix, cap 1): the overflow flag is raised (1 = yes)', [(await src.overflowed()) ? 1 : 0], [1], {
        atol: 0,
        rtol: 0,
      }),
    );
  } finally {
    src.destroy();
    x.destroy();
  }
  return { comparisons, notes: [] };
}

const BASE_CHECKS: Record<string, CheckFn> = {
  async 'rng-streams'(ctx) {
    const comparisons: Comparison[] = [];
    for (const p of [
      { seed: 0, stream: 0, step: 0, rows: 1, cols: 1 },
      { seed: 12345, stream: 3, step: 77, rows: 37, cols: 29 },
      { seed: 0xffffffff, stream: 1, step: 4000000000, rows: 3, cols: 300 },
    ]) {
      const g = await gpuRngFill(ctx, p);
      const r = rngFill(p);
      comparisons.push(compareArrays(`rng u32 seed=${p.seed} ${p.rows}x${p.cols}`, g.u32, r.u32, { atol: 0, rtol: 0 }));
      comparisons.push(compareArrays(`rng unit seed=${p.seed} ${p.rows}x${p.cols}`, g.unit, r.unit, { atol: 0, rtol: 0 }));
    }
    return { comparisons, notes: ['bit-identical required (tolerance 0)'] };
  },

  async 'matmul-batched'(ctx) {
    const comparisons: Comparison[] = [];
    for (const [i, s] of MATMUL_SHAPES.entries()) {
      const a = testData(s.M * s.R * s.K, 100 + i),
        b = testData(s.M * s.K * s.N, 200 + i);
      const g = await gpuMatmulBatched(ctx, s, a, b);
      comparisons.push(compareArrays(`matmul M=${s.M} R=${s.R} K=${s.K} N=${s.N}`, g, matmulBatched(a, b, s.M, s.R, s.K, s.N), MATMUL_TOL));
    }
    return { comparisons, notes: [] };
  },

  async 'error-broken-shader'(ctx) {
    const sources = {
      ...ctx.sources,
      'broken.wgsl': '// header\n//#include "lib/rng.wgsl"\n@compute @workgroup_size(1)\nfn main() {\n  let x: u32 = 1.5;\n}\n',
    };
    try {
      await Kernel.create(ctx.device, 'broken.wgsl', sources);
    } catch (e) {
      if (!(e instanceof ShaderCompileError)) throw new Error(`expected ShaderCompileError, got ${(e as Error).name}: ${(e as Error).message}`);
      if (e.file !== 'broken.wgsl' || e.line !== 5) throw new Error(`compile error located at ${e.file}:${e.line}, expected broken.wgsl:5 (${e.message})`);
      return { comparisons: [], notes: [e.message] };
    }
    throw new Error('a broken shader compiled without error');
  },

  async 'error-mismatched-binding'(ctx) {
    const k = await ctx.kernel('matmul_batched.wgsl');
    const buf = (label: string, n: number) => ctx.createBuffer(label, n);
    const params = ctx.uniform('p', k.packStruct('params', { M: 1, R: 4, K: 4, N: 4 }));
    const notes: string[] = [];
    const expectThrow = (what: string, f: () => unknown, pattern: RegExp) => {
      try {
        f();
      } catch (e) {
        if (!(e instanceof BindingError) || !pattern.test(e.message)) throw new Error(`${what}: wrong error ${(e as Error).message}`);
        notes.push(e.message);
        return;
      }
      throw new Error(`${what}: no error raised`);
    };
    expectThrow('missing', () => k.bind({ params, a: buf('a', 64), b: buf('b', 64) }), /binding 'c' .*not provided/);
    expectThrow('unknown', () => k.bind({ params, a: buf('a', 64), b: buf('b', 64), c: buf('c', 64), d: buf('d', 64) }), /binding 'd' is not declared/);
    expectThrow(
      'too small',
      () => k.bind({ params, a: buf('a', 64), b: buf('b', 64), c: buf('c', 16) }, { c: 64 }),
      /binding 'c' .*too small: 16 bytes bound, 64 needed/,
    );
    expectThrow(
      'wrong kind',
      () => k.bind({ params: buf('params-as-storage', 16), a: buf('a', 64), b: buf('b', 64), c: buf('c', 64) }),
      /binding 'params' .*UNIFORM usage/,
    );
    return { comparisons: [], notes };
  },
};

// A fused version is checked on every case whose shape it fits on a device with WebGPU's default
// invocation and workgroup-memory limits and 10 storage buffers (so the list of checks is the same
// everywhere the sources are: the fit rules read the versions' workgroup memory from their WGSL); v2 runs
// at 64 threads per model here (tiny batches); the workgroup-memory fallback (no subgroups) is checked on
// the fused toy kernel below.
const DEFAULT_LIMITS: DeviceCaps = {
  limits: { maxComputeInvocationsPerWorkgroup: 256, maxComputeWorkgroupStorageSize: 16384, maxStorageBuffersPerShaderStage: 10 },
  features: new Set<string>(),
};
const lists = new WeakMap<ShaderSources, Readonly<Record<string, CheckFn>>>();

/** Every named check, for a set of shader sources (a GpuContext's; in Node, the files on disk). */
export function checkList(sources: ShaderSources): Readonly<Record<string, CheckFn>> {
  const hit = lists.get(sources);
  if (hit) return hit;
  const checks: Record<string, CheckFn> = { ...BASE_CHECKS };
  for (const v of Object.values(GEMM_VERSIONS)) checks[v.check] = gemmCheck(v.name);
  checks['wide SAE step'] = wideCheck;
  checks['train wide SAE'] = wideTrainCheck;
  checks['wide synth source'] = wideSynthCheck;
  checks['wide detector'] = wideDetectorCheck;
  checks['wide orthogonalisation'] = wideOrthoCheck;
  checks['train wide SAE at the study shape vs the fused path'] = checkWideVsFused;
  for (const name of Object.keys(KERNEL_CHECKS)) {
    checks[`kernel ${name}`] = async (ctx) => {
      const comparisons: Comparison[] = [];
      for (const s of KERNEL_SHAPES) comparisons.push(...(await KERNEL_CHECKS[name](ctx, s)));
      return { comparisons, notes: [] };
    };
  }
  const target: FitTarget = { ...DEFAULT_LIMITS, sources };
  for (const [name, c] of Object.entries(SAE_TRAIN_CASES)) {
    checks[`train SAE ${name}`] = (ctx) => checkSaeTraining(ctx, c, 'modular');
    const spec = saeTestSpec(c);
    // every version of the fused step (src/kernels/sae_steps/index.ts), at its lab threads, on every case it fits
    for (const version of SAE_KERNELS) {
      const v = SAE_STEPS[version];
      if (fusedMisfit(spec, target, version, v.labThreads) !== null) continue;
      const label = v.name === 'v1' ? 'fused' : `fused ${v.name}`;
      checks[`train SAE ${label} K=7: ${name}`] = (ctx) => checkSaeTraining(ctx, c, 'fused', { kernel: version, threads: v.labThreads });
    }
  }
  checks['train toy n=4 d=2 AdamW M=3, 50 steps'] = (ctx) => checkToyTraining(ctx);
  // every version of the fused toy step (src/kernels/toy_steps/index.ts), at its lab threads
  for (const [name, v] of Object.entries(TOY_STEPS)) checks[v.check] = (ctx) => checkToyTraining(ctx, { kernel: toyStepsKernel(name), wg: v.labThreads });
  // the workgroup-memory fallback of lib/wg_partials.wgsl (shared with v2), on the toy kernel: v2's own
  // fallback build takes ~20 s to compile on SwiftShader (it passed the same checks when built, see BENCHMARKS.md)
  checks['train toy fused K=7, no subgroups (workgroup-memory reduction): n=4 d=2 AdamW M=3, 50 steps'] = (ctx) =>
    checkToyTraining(ctx, { kernel: 'fused', wg: 64, subgroups: false });
  lists.set(sources, checks);
  return checks;
}

export async function runCheck(ctx: GpuContext, name: string): Promise<CheckResult> {
  const checks = checkList(ctx.sources);
  const fn = checks[name];
  if (!fn) throw new Error(`unknown check '${name}' (known: ${Object.keys(checks).join(', ')})`);
  const t0 = performance.now();
  const { comparisons, notes } = await fn(ctx);
  return { name, pass: comparisons.every((c) => c.pass), comparisons, notes, ms: performance.now() - t0 };
}
