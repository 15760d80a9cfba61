// Per-kernel GPU-vs-reference checks: each training kernel runs once on random inputs and every
// output buffer is compared with its CPU twin (llm.c style), on the study's shape and a larger one,
// with M = 1 and M = 125.
import type { GpuContext, TypedArray } from '../gpu/context';
import type { Grid } from '../gpu/kernel';
import { kernelEntry, type JobShape } from '../kernels/registry';
import { dimDefines, setDefines } from '../kernels/defines';
import { compareArrays, type Comparison, type Tolerance } from './compare';
import { defaultConfig, detWidth, FLAG, NOT_DIVERGED, saeLayout, toyLayout, type GpuConfig, type Hyper, type RecGroups } from '../core/wire';
import { latentParamsOf, variantChecks, variantDefines, variantOf } from '../variants';
import { adamStep } from '../reference/adam';
import { copyStep, sampleData } from '../reference/data';
import {
  saeAnneal,
  saeBatchStats,
  saeBatchTopkThreshold,
  saeCosGrad,
  saeDead,
  saeFiring,
  saeForward,
  saeGrad,
  saeLoss,
  saeNormalize,
  saeProjectGrad,
} from '../reference/sae';
import { saeDetect, saeEval, saeProbe } from '../reference/metrics';
import { toyForward, toyGrad, toyLoss } from '../reference/toy';
import { rngU32, rngUnit } from '../core/rng';
import { samplerTables } from '../data/tables';
import { buildSynth, packSynth, sampleSynth, synthDefines, type SynthConfig } from '../data/synth';
import { KERNEL_SHAPES, saeTestSpec, type KernelShape } from '../kernels/fixtures';
import { evalSetup, evaluateSaes } from '../train/evaluate';
import { detectMisfit } from '../kernels/sae_eval';
import { cpuEvalMisfit } from '../kernels/sae_eval/fit';

export { KERNEL_SHAPES };

/** Run one kernel once (grid explicit, or the registry's at a shape): upload named inputs, dispatch, read back named outputs. */
export async function runKernelOnce(
  ctx: GpuContext,
  file: string,
  defines: Record<string, string | number>,
  cfg: GpuConfig | null,
  inputs: Record<string, TypedArray | ArrayBuffer | readonly object[]>,
  outputs: string[],
  grid: Grid | JobShape,
): Promise<Record<string, ArrayBuffer>> {
  // kernels that include an SAE variant's file get the variant of their Config
  const k = await ctx.kernel(file, { defines: cfg ? { ...variantDefines(cfg), ...defines } : defines });
  const pool: Record<string, GPUBuffer> = {};
  const bytes: Record<string, number> = {};
  for (const [name, data] of Object.entries(inputs)) {
    // arrays of objects (the Hyper table) are packed by the shader's reflected struct layout
    const raw = Array.isArray(data) ? k.packArray(name, data) : (data as TypedArray | ArrayBuffer);
    pool[name] = ctx.upload(`${file} ${name}`, raw);
    bytes[name] = raw.byteLength;
  }
  if (cfg) pool.cfg = ctx.uniform(`${file} cfg`, k.packStruct('cfg', { ...cfg }));
  const groups = k.bindPool(pool);
  // a JobShape takes the kernel's grid from the registry, as the trainers do
  const g = 'threads' in grid || 'groups' in grid ? grid : kernelEntry(file).grid(grid, defines);
  await ctx.run(file, (pass) => k.dispatch(pass, groups, ...k.grid(g)));
  const bufs = await ctx.readback(
    outputs.map((o) => pool[o]),
    outputs.map((o) => bytes[o]),
  );
  Object.values(pool).forEach((b) => b.destroy());
  return Object.fromEntries(outputs.map((o, i) => [o, bufs[i]]));
}

function rand(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * rngUnit(seed, 0, 9, i >>> 16, i & 0xffff);
  return out;
}

function randHyper(M: number, seed: number): Hyper[] {
  return Array.from({ length: M }, (_, m) => ({
    lr: Math.fround(1e-3 * (1 + rngUnit(seed, 0, 1, m, 0))),
    l1: Math.fround(rngUnit(seed, 0, 1, m, 1)),
    cos: m % 3 === 2 ? 0 : Math.fround(rngUnit(seed, 0, 1, m, 2)),
    seed: rngU32(seed, 0, 1, m, 3),
  }));
}

function randLat(M: number, S: number, seed: number, deadAfter: number): Uint32Array {
  const lat = new Uint32Array(M * S * 3);
  for (let i = 0; i < M * S; i++) {
    lat[i * 3] = rngU32(seed, 0, 2, i, 0) % (2 * deadAfter);
    lat[i * 3 + 1] = rngU32(seed, 0, 2, i, 1) % 3 === 0 ? rngU32(seed, 0, 2, i, 2) % 10 : 0;
    lat[i * 3 + 2] = lat[i * 3] > deadAfter ? 1 : 0;
  }
  return lat;
}

const f32 = (b: ArrayBuffer) => new Float32Array(b);
const u32 = (b: ArrayBuffer) => new Uint32Array(b);
const TOL: Record<string, Tolerance> = {
  exact: { atol: 0, rtol: 0 },
  amp: { atol: 1.2e-7, rtol: 0 }, // amplitudes in [0,1): one f32 ulp (possible FMA contraction)
  fwd: { atol: 1e-5, rtol: 1e-4 },
  grad: { atol: 1e-6, rtol: 1e-3 },
  adam: { atol: 1e-6, rtol: 1e-5 },
};

type KernelCheck = (ctx: GpuContext, s: KernelShape) => Promise<Comparison[]>;

function shapeName(s: KernelShape): string {
  return `n=${s.N} d=${s.D} s=${s.S} M=${s.M} B=${s.B}`;
}

function baseCfg(s: KernelShape, flags: number, extra: Partial<GpuConfig> = {}): GpuConfig {
  return defaultConfig({
    M: s.M,
    B: s.B,
    T: 100,
    warmup: 10,
    cooldown: 20,
    toy_count: 1,
    flags,
    dead_after: 5,
    ghost_cooldown: 10,
    act_stride: s.D,
    act_offset: 0,
    beta1: 0,
    beta2: 0.999,
    ...extra,
  });
}

export const KERNEL_CHECKS: Record<string, KernelCheck> = {
  async sample_data(ctx, s) {
    const out: Comparison[] = [];
    for (const [rho, p, empty] of [
      [1, 0, 0],
      [0.3, 0.75, 0],
      [0.5, 0.2, 0.3],
    ]) {
      const { tables, tableLen } = samplerTables({ sets: s.sets, rho, pOnehot: p });
      const cfg = baseCfg(s, 0, { table_len: tableLen, rho, p_onehot: p, p_set_empty: empty });
      const hyper = randHyper(s.M, 5);
      const t = 123;
      const r = await runKernelOnce(
        ctx,
        'sample_data.wgsl',
        { ...dimDefines(s), ...setDefines(s.sets) },
        cfg,
        { hyper: hyper, state: new Uint32Array([t, 0, 0, 0]), tables, x: new Float32Array(s.M * s.B * s.N) },
        ['x'],
        s,
      );
      out.push(
        compareArrays(`sample_data rho=${rho} p=${p} p_set_empty=${empty} ${shapeName(s)}`, f32(r.x), sampleData(cfg, hyper, t, s.sets, tables), TOL.amp),
      );
    }
    return out;
  },

  // SynthSAEBench's generator against its twin draw for draw, once (not per shape): a small model with correlations
  // and a hierarchy (mutual exclusion, children scaled by their parent), and one with neither
  async synth_sample(ctx, s) {
    if (s !== KERNEL_SHAPES[0]) return [];
    const out: Comparison[] = [];
    const base: SynthConfig = {
      features: 40,
      zipf: { exponent: 0.5, pMax: 0.6, pMin: 0.05 },
      magnitude: { meanStart: 3, meanEnd: 2, stdMean: 0.3, stdStd: 0.2 },
      seed: 9,
    };
    const hier = { roots: 4, branching: 3, depth: 2, mutuallyExclusive: 1, compensate: true, scaleChildrenByParent: true };
    for (const cfg of [{ ...base, correlation: { rank: 4, scale: 0.3 }, hierarchy: hier }, base]) {
      const m = buildSynth(cfg);
      const N = cfg.features,
        B = 200,
        batch = 3;
      const { sp, feat, factor, groups } = packSynth(m, B, batch);
      const r = await runKernelOnce(ctx, 'synth_sample.wgsl', synthDefines(m), null, { sp, feat, factor, groups, out: new Float32Array(B * N) }, ['out'], {
        threads: B,
      });
      const gpu = f32(r.out),
        ref = sampleSynth(m, B, batch);
      const tag = `${cfg.correlation ? 'correlated, hierarchy' : 'independent'}, n=${N}, B=${B}`;
      // WGSL's cos and log carry up to 2^-11 absolute error (its accuracy rules), so a normal draw is good to about
      // 1e-3: a feature within that of its threshold may fire on one side only (at most 0.1 % of entries here), and
      // the values agree to 1e-3 where both sides fire alike
      const same = Array.from(gpu, (v, i) => v > 0 === ref[i] > 0);
      const differ = same.filter((x) => !x).length / same.length;
      out.push(
        compareArrays(`synth_sample share of entries whose firing differs ${tag}`, [differ], [0], { atol: 1e-3, rtol: 0 }),
        compareArrays(
          `synth_sample values where both fire alike ${tag}`,
          gpu.filter((_, i) => same[i]),
          ref.filter((_, i) => same[i]),
          { atol: 1e-3, rtol: 1e-3 },
        ),
      );
    }
    return out;
  },

  async copy_step(ctx, s) {
    const cfg = baseCfg(s, 0);
    const T = 3,
      t = 2;
    const src = rand(T * s.B * s.D, 3);
    const r = await runKernelOnce(
      ctx,
      'copy_step.wgsl',
      { ...dimDefines(s), WIDTH: s.D },
      cfg,
      { state: new Uint32Array([t, 0, 0, 0]), src, out: new Float32Array(s.M * s.B * s.D) },
      ['out'],
      s,
    );
    return [compareArrays(`copy_step ${shapeName(s)}`, f32(r.out), copyStep(cfg, t, s.D, src), TOL.exact)];
  },

  async toy_forward_grad_loss(ctx, s) {
    const T = toyLayout(s);
    const cfg = baseCfg(s, 0, { toy_count: s.M, log_every: 1, hist_len: 2 });
    const def = dimDefines(s);
    const x = rand(s.M * s.B * s.N, 11, 0, 1),
      params = rand(s.M * T.P, 12, -0.5, 0.5),
      importance = rand(s.N, 13, 0.5, 1.5);
    const fw = await runKernelOnce(
      ctx,
      'toy_forward.wgsl',
      def,
      cfg,
      { x, toy_params: params, importance, toy_work: new Float32Array(s.M * s.B * T.REC) },
      ['toy_work'],
      s,
    );
    const refWork = toyForward(cfg, s, x, params, importance);
    const work = f32(fw.toy_work);
    const gr = await runKernelOnce(ctx, 'toy_grad.wgsl', def, cfg, { x, toy_work: work, grads: new Float32Array(s.M * T.P) }, ['grads'], s);
    const status = new Uint32Array(s.M).fill(NOT_DIVERGED);
    const ls = await runKernelOnce(
      ctx,
      'toy_loss.wgsl',
      def,
      cfg,
      { state: new Uint32Array([4, 0, 0, 0]), toy_work: work, status, hist: new Float32Array(2 * s.M * 2) },
      ['hist', 'status'],
      s,
    );
    const refLoss = toyLoss(cfg, s, 4, work, new Uint32Array(s.M).fill(NOT_DIVERGED));
    const hist = f32(ls.hist)
      .subarray(0, s.M * 2)
      .filter((_, i) => i % 2 === 0);
    return [
      compareArrays(`toy_forward ${shapeName(s)}`, work, refWork, TOL.fwd),
      compareArrays(`toy_grad ${shapeName(s)}`, f32(gr.grads), toyGrad(cfg, s, x, work), TOL.grad),
      compareArrays(`toy_loss ${shapeName(s)}`, hist, refLoss, TOL.fwd),
    ];
  },

  async adam(ctx, s) {
    const P = saeLayout(s).P;
    const out: Comparison[] = [];
    for (const [wd, t, beta1] of [
      [0, 0, 0],
      [0.01, 95, 0.9],
    ]) {
      const cfg = baseCfg(s, 0, { weight_decay: wd, beta1 });
      const hyper = randHyper(s.M, 21);
      const status = new Uint32Array(s.M).fill(NOT_DIVERGED);
      if (s.M > 1) status[1] = 3; // a diverged model stays frozen
      const g = rand(s.M * P, 22),
        p = rand(s.M * P, 23),
        m1 = rand(s.M * P, 24, -0.1, 0.1),
        v = rand(s.M * P, 25, 0, 0.01);
      const r = await runKernelOnce(
        ctx,
        'adam.wgsl',
        { ...dimDefines(s), P_COUNT: P },
        cfg,
        { hyper: hyper, state: new Uint32Array([t, 0, 0, 0]), status, grads: g, params: p, adam: Float32Array.from([...m1, ...v]) },
        ['params', 'adam'],
        s,
      );
      const rp = Float64Array.from(p),
        rm = Float64Array.from(m1),
        rv = Float64Array.from(v);
      adamStep(cfg, hyper, t, status, P, g, rp, rm, rv);
      const tag = `wd=${wd} t=${t} beta1=${beta1} ${shapeName(s)}`;
      const mv = f32(r.adam);
      out.push(
        compareArrays(`adam params ${tag}`, f32(r.params), rp, TOL.adam),
        compareArrays(`adam m ${tag}`, mv.subarray(0, s.M * P), rm, TOL.adam),
        compareArrays(`adam v ${tag}`, mv.subarray(s.M * P), rv, TOL.adam),
      );
    }
    return out;
  },

  async sae_normalize_project(ctx, s) {
    const P = saeLayout(s).P;
    const cfg = baseCfg(s, 0);
    const def = dimDefines(s);
    const params = rand(s.M * P, 31),
      grads = rand(s.M * P, 32);
    const n = await runKernelOnce(ctx, 'sae_normalize.wgsl', def, cfg, { params }, ['params'], s);
    const refP = Float64Array.from(params);
    saeNormalize(cfg, s, refP);
    const normed = f32(n.params);
    const g = await runKernelOnce(ctx, 'sae_project_grad.wgsl', def, cfg, { params: normed, grads }, ['grads'], s);
    const refG = Float64Array.from(grads);
    saeProjectGrad(cfg, s, normed, refG);
    return [
      compareArrays(`sae_normalize ${shapeName(s)}`, normed, refP, TOL.fwd),
      compareArrays(`sae_project_grad ${shapeName(s)}`, f32(g.grads), refG, TOL.fwd),
    ];
  },

  async sae_dead_firing(ctx, s) {
    const L = saeLayout(s);
    const cfg = baseCfg(s, FLAG.GHOST);
    const def = dimDefines(s);
    const lat = randLat(s.M, s.S, 41, cfg.dead_after);
    const d = await runKernelOnce(ctx, 'sae_dead.wgsl', def, cfg, { lat }, ['lat'], s);
    const refLat = Uint32Array.from(lat);
    saeDead(cfg, s, refLat);
    // a work buffer where some latents never fire
    const work = rand(s.M * s.B * L.REC, 42, -1, 0.2);
    const f = await runKernelOnce(ctx, 'sae_firing.wgsl', def, cfg, { work, lat: u32(d.lat) }, ['lat'], s);
    saeFiring(cfg, s, work, refLat);
    return [compareArrays(`sae_dead + sae_firing ${shapeName(s)}`, u32(f.lat), refLat, TOL.exact)];
  },

  async sae_forward_grad_loss(ctx, shape) {
    const out: Comparison[] = [];
    // the runtime options (with many models: those whose state is per model), then every variant's own settings
    // (its record's checks; with many models those marked so: extra parameter blocks, batch thresholds, annealing)
    const cases: { flags: number; topk: number; groups?: RecGroups; over?: Partial<GpuConfig>; many: boolean; rtol?: number }[] = [
      { flags: FLAG.GHOST | FLAG.GHOST_QUIRK, topk: 0, many: true },
      { flags: FLAG.PRE_BIAS | FLAG.GHOST | FLAG.COS_ABS, topk: 0, many: false },
      { flags: FLAG.COS_PAIRS, topk: 0, many: false },
      { flags: FLAG.COS_SQ | FLAG.GHOST, topk: Math.max(1, shape.S >> 2), many: false },
      { flags: FLAG.BATCH_FVU | FLAG.GHOST, topk: 0, many: true },
      ...variantChecks('kernel').map(({ variant, check: c, flags, topk }) => ({
        flags,
        topk,
        groups: c.nested?.(shape.S),
        over: c.cfg,
        many: c.manyModels ?? false,
        rtol: variant.checkRtol,
      })),
    ];
    const t = 6;
    for (const { flags, topk, groups, over, many, rtol } of cases) {
      if (shape.M > 1 && !many) continue;
      const xp = latentParamsOf(variantOf({ flags, topk })).length;
      const s = { ...shape, nested: groups, xp };
      const L = saeLayout(s);
      const def = dimDefines(s);
      const cfg = baseCfg(s, flags, { log_every: 1, hist_len: 1, topk, jump_eps: 0.2, aux_k: 2, aux_coef: 0.5, ...over });
      const hyper = randHyper(s.M, 51 + flags);
      const acts = rand(s.M * s.B * s.D, 52, -1, 1);
      if (s.B > 3) acts.fill(0, s.D * 2, s.D * 3); // a zero-norm input (FVU denominator 1)
      const params = rand(s.M * L.P, 53, -0.6, 0.6);
      saeNormalize(cfg, s, params);
      const lat = randLat(s.M, s.S, 54, cfg.dead_after);
      const tag = `${variantOf({ flags, topk }).name} flags=${flags}${topk ? ` topk=${topk}` : ''}${groups ? ` nested ${groups.ends.join('/')}` : ''} ${shapeName(s)}`;
      let bstat = new Float32Array(s.M).fill(1);
      if (flags & FLAG.BATCH_FVU) {
        const bs = await runKernelOnce(ctx, 'sae_batch_stats.wgsl', def, cfg, { acts, bstat }, ['bstat'], s);
        bstat = f32(bs.bstat);
        out.push(compareArrays(`sae_batch_stats ${tag}`, bstat, saeBatchStats(cfg, s, acts), TOL.fwd));
      }
      let bthr = new Float32Array(s.M);
      let refThr: ArrayLike<number> = bthr;
      if (flags & FLAG.BATCH_TOPK) {
        const bt = await runKernelOnce(ctx, 'sae_batch_topk.wgsl', def, cfg, { acts, params, bthr }, ['bthr'], s);
        bthr = f32(bt.bthr);
        // each side keeps its own threshold: it is one of its own activations, so the boundary element agrees
        refThr = saeBatchTopkThreshold(cfg, s, acts, params);
        out.push(compareArrays(`sae_batch_topk threshold ${tag}`, bthr, refThr, TOL.fwd));
      }
      const fw = await runKernelOnce(
        ctx,
        'sae_forward.wgsl',
        def,
        cfg,
        { hyper: hyper, acts, params, lat, work: new Float32Array(s.M * s.B * L.REC), bstat, bthr, state: new Uint32Array([t, 0, 0, 0]) },
        ['work'],
        s,
      );
      const work = f32(fw.work);
      const fwdTol = rtol ? { atol: TOL.fwd.atol, rtol } : TOL.fwd;
      out.push(compareArrays(`sae_forward ${tag}`, work, saeForward(cfg, s, hyper, acts, params, lat, bstat, refThr, t), fwdTol));
      const gr = await runKernelOnce(ctx, 'sae_grad.wgsl', def, cfg, { params, work, grads: new Float32Array(s.M * L.P) }, ['grads'], s);
      const grads = f32(gr.grads);
      out.push(compareArrays(`sae_grad ${tag}`, grads, saeGrad(cfg, s, params, work), TOL.grad));
      const cg = await runKernelOnce(ctx, 'sae_cos_grad.wgsl', def, cfg, { hyper: hyper, params, grads, aux: new Float32Array(s.M) }, ['grads', 'aux'], s);
      const refG = Float64Array.from(grads);
      const refAux = saeCosGrad(cfg, s, hyper, params, refG);
      out.push(
        compareArrays(`sae_cos_grad grads ${tag}`, f32(cg.grads), refG, TOL.grad),
        compareArrays(`sae_cos_grad penalty ${tag}`, f32(cg.aux), refAux, TOL.fwd),
      );
      const status = new Uint32Array(s.M).fill(NOT_DIVERGED);
      const anneal = rand(s.M * 2, 55, 0.2, 0.6);
      const ls = await runKernelOnce(
        ctx,
        'sae_loss.wgsl',
        def,
        cfg,
        { hyper: hyper, state: new Uint32Array([t, 0, 0, 0]), work, aux: f32(cg.aux), status, hist: new Float32Array(s.M * L.HIST_W), anneal },
        ['hist', 'hyper', 'anneal'],
        s,
      );
      out.push(compareArrays(`sae_loss ${tag}`, f32(ls.hist), saeLoss(cfg, s, hyper, t, work, f32(cg.aux), new Uint32Array(s.M).fill(NOT_DIVERGED)), TOL.fwd));
      // p-annealing's bookkeeping (lambda unchanged and the sums untouched without it)
      const refHyper = hyper.map((h) => ({ ...h })),
        refAnneal = Float64Array.from(anneal);
      saeAnneal(cfg, s, refHyper, t, work, refAnneal);
      const l1s = f32(ls.hyper).filter((_, i) => i % 4 === 1); // Hyper: lr, l1, cos, seed
      out.push(
        compareArrays(
          `sae_loss lambda (p-annealing) ${tag}`,
          l1s,
          Float64Array.from(refHyper, (h) => h.l1),
          TOL.fwd,
        ),
        compareArrays(`sae_loss queue sums (p-annealing) ${tag}`, f32(ls.anneal), refAnneal, TOL.fwd),
      );
    }
    return out;
  },

  // the CPU-shaped evaluation against the modular chain (itself checked against saeEval above) on the
  // same draws: equal per-sample terms, sums in another order; more samples than one of its sum blocks
  async sae_eval_cpu(ctx, s0) {
    const out: Comparison[] = [];
    // once more at the future-work bench's largest shape, every variant the evaluation fits there on this adapter
    for (const s of s0 === KERNEL_SHAPES[0] ? [s0, { ...DETECT_MID_SHAPE, M: 1 }] : [s0]) out.push(...(await evalCpuAt(ctx, s)));
    return out;
  },

  // the detector counts after either evaluation version against saeDetect on the twin's draws (sampleData with the
  // evaluation's salted seeds): a count may differ by a few samples where a pre-activation (or BatchTopK's
  // threshold) rounds across 0 in f32 against f64, so counts are compared at atol 3; the shrinkage sums at rtol 1e-4
  async sae_detect(ctx, s0) {
    const out: Comparison[] = [];
    // once more at the future-work bench's largest shape (k = 8), at the CPU-shaped evaluation's fit
    for (const s of s0 === KERNEL_SHAPES[0] ? [s0, DETECT_MID_SHAPE] : [s0]) out.push(...(await detectAt(ctx, s)));
    return out;
  },

  async sae_probe_eval(ctx, shape) {
    const out: Comparison[] = [];
    // every encoder variant: the probes must encode as training does
    const probes: { flags: number; topk: number; over?: Partial<GpuConfig> }[] = [
      { flags: FLAG.PRE_BIAS, topk: 0 },
      ...variantChecks('probe').map(({ check: c, flags, topk }) => ({ flags, topk, over: c.cfg })),
    ];
    for (const { flags, topk, over } of probes) {
      const s = { ...shape, xp: latentParamsOf(variantOf({ flags, topk })).length };
      const L = saeLayout(s),
        T = toyLayout(s);
      const def = dimDefines(s);
      const cfg = baseCfg(s, flags, { act_stride: T.REC, act_offset: 0, topk, ...over });
      const hyper = randHyper(s.M, 61);
      const toy = rand(T.P, 62, -0.7, 0.7);
      const params = rand(s.M * L.P, 63, -0.6, 0.6);
      for (let m = 0; m < s.M; m++) for (let k = 0; k < s.S; k++) params[m * L.P + L.XP + k] = Math.log(0.05 + 0.2 * ((m + k) % 3)); // thresholds 0.05..0.45
      const bthr = rand(s.M, 65, 0, 0.3);
      const x = rand(s.M * s.B * s.N, 64, 0, 1);
      const toyWork = toyForward(cfg, s, x, toy, new Float32Array(s.N).fill(1));
      const acts = Float32Array.from(toyWork);
      const lat = new Uint32Array(s.M * s.S * L.LAT_W);
      const work = Float32Array.from(saeForward(cfg, s, hyper, acts, params, lat, new Float32Array(s.M).fill(1), bthr));
      const metrics = new Float32Array(s.M * L.MET_W);
      const pr = await runKernelOnce(
        ctx,
        'sae_probe.wgsl',
        def,
        cfg,
        { toy_params: toy, params, probe: new Float32Array(s.M * s.N * s.S), metrics, bthr },
        ['probe', 'metrics'],
        s,
      );
      const ev = await runKernelOnce(
        ctx,
        'sae_eval.wgsl',
        def,
        cfg,
        { hyper, acts, toy_params: toy, toy_work: acts, work, metrics: f32(pr.metrics) },
        ['metrics'],
        s,
      );
      const refM = new Float64Array(s.M * L.MET_W);
      const refProbe = saeProbe(cfg, s, toy, params, refM, bthr);
      saeEval(cfg, s, hyper, acts, toy, acts, work, refM);
      const tag = `${variantOf({ flags, topk }).name} flags=${flags}${topk ? ` topk=${topk}` : ''} ${shapeName(s)}`;
      out.push(
        compareArrays(`sae_probe activations ${tag}`, f32(pr.probe), refProbe, TOL.fwd),
        compareArrays(`sae_probe + sae_eval metrics ${tag}`, f32(ev.metrics), refM, { atol: 1e-4, rtol: 1e-4 }),
      );
    }
    return out;
  },
};

/** The future-work bench's largest shape (two sets of k = 8, d = 8, s = 16), inside the CPU-shaped evaluation's fit (sae_eval/fit.ts). */
const DETECT_MID_SHAPE: KernelShape = { N: 16, D: 8, S: 16, M: 3, B: 8, sets: [8, 8] };

/** sae_detect at one shape: the counts after each evaluation version that fits it, against saeDetect. */
async function detectAt(ctx: GpuContext, s: KernelShape): Promise<Comparison[]> {
  const out: Comparison[] = [];
  const samples = s.M > 1 ? 200 : 1500;
  // relu, then every variant's own settings; at the 125-model shape relu and those marked for many models (the
  // selections: the variants' activations are checked at M = 1)
  const variants: { flags: number; topk: number; many: boolean; p: number; nested?: RecGroups; over?: Partial<GpuConfig> }[] = [
    { flags: 0, topk: 0, many: true, p: 0.25 },
    ...variantChecks('detect').map(({ check: c, flags, topk }) => ({
      flags,
      topk,
      many: c.manyModels ?? false,
      p: c.onehot ?? 0.25,
      nested: c.nested?.(s.S),
      over: c.cfg,
    })),
  ];
  for (const { flags, topk, p, nested, over } of variants.filter(({ many }) => s.M === 1 || many)) {
    const spec = saeTestSpec({ N: s.N, D: s.D, S: s.S, sets: s.sets, M: s.M, B: s.B, T: 100, flags, topk, p, rho: 0.4, nested, cfg: over });
    if (detectMisfit(s, spec.cfg) !== null) continue;
    const L = saeLayout(spec.dims);
    const params = rand(s.M * L.P, 91 + flags, -0.6, 0.6);
    for (let m = 0; m < s.M; m++) for (let k = 0; k < s.S; k++) params[m * L.P + L.XP + k] = Math.log(0.05 + 0.2 * ((m + k) % 3));
    const salt = 0x5eed;
    // the evaluation's own Config and salted seeds (evalSetup), so the twin draws the kernel's samples
    const { cfg, hyper } = evalSetup(spec, samples, salt);
    const x = sampleData(cfg, hyper, 0, s.sets, spec.tables);
    const bthr =
      flags & FLAG.BATCH_TOPK
        ? saeBatchTopkThreshold(cfg, spec.dims, toyForward(cfg, spec.dims, x, spec.toyParams, new Float32Array(s.N).fill(1)), params)
        : undefined;
    const ref = saeDetect(cfg, spec.dims, x, spec.toyParams, params, bthr);
    const W = detWidth(spec.dims);
    const counts = (a: ArrayLike<number>) => Float64Array.from({ length: s.M * (W - 2) }, (_, q) => a[Math.floor(q / (W - 2)) * W + (q % (W - 2))]);
    const sums = (a: ArrayLike<number>) => Float64Array.from({ length: s.M * 2 }, (_, q) => a[Math.floor(q / 2) * W + W - 2 + (q % 2)]);
    for (const kernel of ['cpu', 'modular'] as const) {
      if (kernel === 'modular' && s.M > 1 && flags & FLAG.BATCH_TOPK) continue;
      if (kernel === 'cpu' && cpuEvalMisfit(s.D, s.S, s.N, variantOf({ flags, topk }).name, ctx.adapter) !== null) continue;
      const r = await evaluateSaes(ctx, spec, params, samples, salt, { kernel });
      if (!r.detect) throw new Error(`sae_detect: the ${kernel} evaluation returned no detector counts at ${shapeName(s)}`);
      const tag = `${variantOf({ flags, topk }).name}${topk ? ` k=${topk}` : ''} after the ${kernel} evaluation ${shapeName(s)}, ${samples} samples`;
      out.push(
        compareArrays(`sae_detect counts ${tag}`, counts(r.detect), counts(ref), { atol: 3, rtol: 0 }),
        compareArrays(`sae_detect shrinkage sums ${tag}`, sums(r.detect), sums(ref), { atol: 1e-3, rtol: 1e-4 }),
      );
    }
  }
  return out;
}

/** sae_eval_cpu at one shape: the CPU-shaped evaluation against the modular chain. */
async function evalCpuAt(ctx: GpuContext, s: KernelShape): Promise<Comparison[]> {
  const out: Comparison[] = [];
  const mid = s.N === DETECT_MID_SHAPE.N && s.S === DETECT_MID_SHAPE.S;
  // d = 16, s = 64 is past its fit (evalKernelFor): checked once, at M = 1, one variant (slow compiles on software adapters)
  const big = s.S > 8 && !mid;
  if (big && s.M > 1) return out;
  const samples = big || mid ? 300 : 2500;
  // relu plain and with the pre-encoder bias, then every variant's own settings (its one-hot share, 0.25 unless given)
  const variants: { flags: number; topk: number; p: number; nested?: RecGroups; over?: Partial<GpuConfig> }[] = [
    { flags: 0, topk: 0, p: 0 },
    { flags: FLAG.PRE_BIAS, topk: 0, p: 0.5 },
    ...variantChecks('eval').map(({ check: c, flags, topk }) => ({ flags, topk, p: c.onehot ?? 0.25, nested: c.nested?.(s.S), over: c.cfg })),
  ];
  // BatchTopK's radix select walks the samples 4 more times: its two variants at the small-M shapes only
  const here = big ? variants.slice(1, 2) : s.M > 3 ? variants.filter(({ flags }) => !(flags & FLAG.BATCH_TOPK)) : variants;
  for (const { flags, topk, p, nested, over } of here) {
    if (mid && cpuEvalMisfit(s.D, s.S, s.N, variantOf({ flags, topk }).name, ctx.adapter) !== null) continue;
    const spec = saeTestSpec({ N: s.N, D: s.D, S: s.S, sets: s.sets, M: s.M, B: s.B, T: 100, flags, topk, p, rho: 0.4, nested, cfg: over });
    const L = saeLayout(spec.dims);
    const params = rand(s.M * L.P, 71 + flags, -0.6, 0.6);
    for (let m = 0; m < s.M; m++) for (let k = 0; k < s.S; k++) params[m * L.P + L.XP + k] = Math.log(0.05 + 0.2 * ((m + k) % 3));
    const mod = await evaluateSaes(ctx, spec, params, samples, 0x5eed, { kernel: 'modular' });
    const cpu = await evaluateSaes(ctx, spec, params, samples, 0x5eed, { kernel: 'cpu' });
    const tag = `${variantOf({ flags, topk }).name} flags=${flags}${topk ? ` topk=${topk}` : ''} p_onehot=${p} ${shapeName(s)}, ${samples} samples`;
    out.push(
      compareArrays(`sae_eval_cpu metrics vs the modular chain ${tag}`, cpu.metrics, Float64Array.from(mod.metrics), { atol: 1e-5, rtol: 5e-4 }),
      compareArrays(`sae_eval_cpu probes ${tag}`, cpu.probe, Float64Array.from(mod.probe), { atol: 0, rtol: 0 }),
    );
  }
  return out;
}
