// Whole-training checks: N steps of batched SAEs (and toy models) on the GPU vs the reference trainers.
import { type GpuContext, isSoftwareAdapter } from '../gpu/context';
import { compareArrays, type Comparison } from './compare';
import { FLAG, saeLayout } from '../core/wire';
import { GpuSaeTrainer, type SaePath } from '../train/sae';
import { GpuToyTrainer, type ToyTrainerOptions } from '../train/toy';
import type { SaeKernel } from '../kernels/sae_steps';
import { RefSaeTrainer, RefToyTrainer } from '../reference/trainer';
import { saeTestSpec, toyTestSpec, type SaeCase } from '../kernels/fixtures';
import { WideSaeTrainer } from '../train/wide';
import { STUDY_OBJECTIVE, wideParamsOfModel } from '../reference/wide';
import { variantChecks } from '../variants';
import { BOUNDARY_REL, nearBoundary, type BoundaryHit } from './conditioning';

// the runtime options' cases; every variant's own come from its record (variantChecks('train'), below)
const OPTION_TRAIN_CASES: Record<string, SaeCase> = {
  'study shape d=2 s=4, ghost (quirk), M=6, 50 steps': { N: 4, D: 2, S: 4, sets: [2, 2], M: 6, B: 64, T: 50, flags: FLAG.GHOST | FLAG.GHOST_QUIRK },
  'pre-bias + |cos| penalty, M=3, 50 steps': { N: 4, D: 2, S: 4, sets: [2, 2], M: 3, B: 32, T: 50, flags: FLAG.PRE_BIAS | FLAG.COS_ABS, cos: 1 },
  'TopK k=2 + orthogonality penalty, sparser draws, M=3, 40 steps': {
    N: 4,
    D: 2,
    S: 4,
    sets: [2, 2],
    M: 3,
    B: 32,
    T: 40,
    flags: FLAG.COS_SQ | FLAG.GHOST,
    cos: 0.3,
    topk: 2,
    rho: 0,
    empty: 0.3,
  },
  'fixed decoder (reference SAEs), ghost, M=3, 40 steps': { N: 4, D: 2, S: 4, sets: [2, 2], M: 3, B: 32, T: 40, flags: FLAG.FIXED_DEC | FLAG.GHOST, rho: 0.5 },
  'batch FVU, ghost, M=3, 40 steps': { N: 4, D: 2, S: 4, sets: [2, 2], M: 3, B: 32, T: 40, flags: FLAG.BATCH_FVU | FLAG.GHOST, rho: 0 },
  'd=8 s=16 n=12 (3 sets), signed cos (pairs), ghost ramp, 30 steps': {
    N: 12,
    D: 8,
    S: 16,
    sets: [4, 4, 4],
    M: 2,
    B: 32,
    T: 30,
    flags: FLAG.COS_PAIRS | FLAG.GHOST,
    cos: 0.5,
    rho: 0.3,
    p: 0.25,
  },
};

export const SAE_TRAIN_CASES: Record<string, SaeCase> = {
  ...OPTION_TRAIN_CASES,
  ...Object.fromEntries(
    variantChecks('train').map(({ check: c, flags, topk, label }) => [
      `${label}, M=3, 40 steps`,
      { N: 4, D: 2, S: 4, sets: [2, 2], M: 3, B: 32, T: 40, flags, topk, cos: c.cos, rho: c.rho ?? 0.5, nested: c.nested?.(4), cfg: c.cfg },
    ]),
  ),
};
export const TRAIN_TOL = { params: { atol: 2e-4, rtol: 2e-3 }, loss: { atol: 1e-4, rtol: 1e-3 } };

/** Fused kernel under test: version, threads per model, subgroup reductions (v2). */
export interface FusedVariant {
  kernel: SaeKernel;
  threads?: number;
  subgroups?: boolean;
}

export async function checkSaeTraining(
  ctx: GpuContext,
  c: SaeCase,
  path: SaePath = 'modular',
  variant: FusedVariant = { kernel: 'v1' },
): Promise<{ comparisons: Comparison[]; notes: string[] }> {
  const spec = saeTestSpec(c);
  // the reference's first step with a sample within rounding of a decision (src/checks/conditioning.ts)
  let hit: (BoundaryHit & { t: number }) | null = null;
  const probe = new RefSaeTrainer(spec);
  probe.probe = (t, acts, bthr) => {
    if (!hit) {
      const h = nearBoundary(spec.cfg, spec.dims, probe.params, acts, bthr);
      if (h) hit = { ...h, t };
    }
  };
  probe.train(c.T);
  const first = await compareSaeTraining(ctx, spec, c.T, path, variant, probe);
  const h = hit as (BoundaryHit & { t: number }) | null;
  if (first.comparisons.every((x) => x.pass) || !h || h.t < MIN_TRUSTED_STEPS) {
    if (h && !first.comparisons.every((x) => x.pass))
      first.notes.push(
        `the reference's step ${h.t} has sample ${h.b} of model ${h.m} within rounding of latent ${h.k}'s decision: too early to compare before it`,
      );
    return first;
  }
  // f32 and f64 may decide that sample differently from there on: compare the steps before it
  const before = await compareSaeTraining(ctx, spec, h.t, path, variant);
  before.notes.unshift(
    `compared after ${h.t} of ${c.T} steps: at step ${h.t} sample ${h.b} of model ${h.m} sits within ${BOUNDARY_REL} of latent ${h.k}'s decision in the reference, and the ${c.T}-step comparison failed (${first.comparisons
      .filter((x) => !x.pass)
      .map((x) => `${x.name}: max abs ${x.maxAbs.toExponential(2)}`)
      .join('; ')})`,
  );
  return before;
}

/** A trajectory shorter than this is not a training check: a boundary earlier fails the check. */
const MIN_TRUSTED_STEPS = 4;

async function compareSaeTraining(
  ctx: GpuContext,
  spec: ReturnType<typeof saeTestSpec>,
  T: number,
  path: SaePath,
  variant: FusedVariant,
  trained?: RefSaeTrainer,
): Promise<{ comparisons: Comparison[]; notes: string[] }> {
  const gpu = await GpuSaeTrainer.create(ctx, spec, { path, kSteps: 7, ...variant });
  try {
    await gpu.train(T, { stepsPerSubmit: 28 });
    // the reference after T steps (the probe's run when it went that far)
    const ref = trained?.step === T ? trained : new RefSaeTrainer(spec);
    if (ref !== trained) ref.train(T);
    const L = saeLayout(spec.dims);
    const lat = await gpu.readLat();
    const comparisons = [
      compareArrays(`SAE params after ${T} steps (${gpu.describe()})`, await gpu.readParams(), ref.params, TRAIN_TOL.params),
      compareArrays(
        'total loss per step, all models',
        gpu.history.flatMap((r) => [...r.values].filter((_, i) => i % L.HIST_W === 0)),
        ref.history.flatMap((r) => [...r.rows].filter((_, i) => i % L.HIST_W === 0)),
        TRAIN_TOL.loss,
      ),
      compareArrays('latent state (since fired, cooldown, dead)', lat, ref.lat, { atol: 0, rtol: 0 }),
    ];
    // p-annealing: lambda as rescaled at each step of p
    if (spec.cfg.pa_n)
      comparisons.push(
        compareArrays(
          'lambda after the annealing (p-annealing)',
          await gpu.readLambda(),
          Float64Array.from(ref.hyper, (h) => h.l1),
          TRAIN_TOL.params,
        ),
      );
    const dead = [...ref.lat].filter((_, i) => i % 3 === 2).reduce((a, b) => a + b, 0);
    if (path === 'fused') {
      // the fused kernel must also agree with the modular kernels
      const mod = await GpuSaeTrainer.create(ctx, spec, { path: 'modular' });
      await mod.train(T, { stepsPerSubmit: 25 });
      comparisons.push(compareArrays(`fused ${variant.kernel} vs modular params`, await gpu.readParams(), await mod.readParams(), TRAIN_TOL.params));
      const modHist = mod.history.flatMap((r) => [...r.values].filter((_, i) => i % L.HIST_W === 0));
      comparisons.push(
        compareArrays(
          `fused ${variant.kernel} vs modular total loss per step`,
          gpu.history.flatMap((r) => [...r.values].filter((_, i) => i % L.HIST_W === 0)),
          modHist,
          TRAIN_TOL.loss,
        ),
      );
      comparisons.push(compareArrays(`fused ${variant.kernel} vs modular latent state`, lat, await mod.readLat(), { atol: 0, rtol: 0 }));
      mod.destroy();
    }
    return { comparisons, notes: [`dead latents at the end: ${dead}`, `ran: ${gpu.describe()}`] };
  } finally {
    gpu.destroy();
  }
}

export const TOY_TOL = { atol: 1e-4, rtol: 1e-3 };

export async function checkToyTraining(ctx: GpuContext, opts: ToyTrainerOptions = {}): Promise<{ comparisons: Comparison[]; notes: string[] }> {
  const spec = toyTestSpec();
  const gpu = await GpuToyTrainer.create(ctx, spec, { kSteps: 7, ...opts });
  const losses = (rows: { values: Float64Array }[]) => rows.flatMap((r) => [...r.values].filter((_, i) => i % 2 === 0));
  try {
    await gpu.train(spec.cfg.T, { stepsPerSubmit: 21 });
    const ref = new RefToyTrainer(spec);
    ref.train(spec.cfg.T);
    const comparisons = [
      compareArrays(`toy params after ${spec.cfg.T} steps (AdamW, M=3, ${gpu.describe()})`, await gpu.readParams(), ref.params, TOY_TOL),
      compareArrays(
        'toy loss per step',
        losses(gpu.history),
        ref.history.flatMap((r) => [...r.loss]),
        TRAIN_TOL.loss,
      ),
      compareArrays('toy divergence status', await gpu.readStatus(), ref.status, { atol: 0, rtol: 0 }),
    ];
    if (gpu.kernel !== 'modular') {
      // a K-step version must also agree with the modular toy path; the cpu version sums in its order, so bit for bit
      const exact = gpu.kernel === 'cpu';
      const tol = (t: { atol: number; rtol: number }) => (exact ? { atol: 0, rtol: 0 } : t);
      const how = exact ? ' (bitwise: the same order of sums)' : '';
      const mod = await GpuToyTrainer.create(ctx, spec);
      await mod.train(spec.cfg.T);
      comparisons.push(compareArrays(`${gpu.kernel} vs modular toy params${how}`, await gpu.readParams(), await mod.readParams(), tol(TOY_TOL)));
      comparisons.push(compareArrays(`${gpu.kernel} vs modular toy loss per step${how}`, losses(gpu.history), losses(mod.history), tol(TRAIN_TOL.loss)));
      mod.destroy();
    }
    return { comparisons, notes: [`ran: ${gpu.describe()}`] };
  } finally {
    gpu.destroy();
  }
}

// The wide engine (src/train/wide.ts) at the study's shape against the per-model engine's fused path: the same three
// SAEs (the fixture's lr and lambda), initialisation and batches (the per-model reference's draws, which the fused
// path's own sampler matches within f32 rounding), the study's objective (STUDY_OBJECTIVE), plain ReLU, no ghost
// grads (the wide engine has AuxK in their place). Both are f32 with their own orders of sums: the training
// tolerances (TRAIN_TOL) that judge the fused path against the modular one.
export const WIDE_VS_FUSED: SaeCase = { N: 4, D: 2, S: 4, sets: [2, 2], M: 3, B: 64, T: 40, flags: 0, rho: 0.5 };

export async function checkWideVsFused(ctx: GpuContext): Promise<{ comparisons: Comparison[]; notes: string[] }> {
  const c = WIDE_VS_FUSED;
  const spec = saeTestSpec(c);
  const { D, S } = spec.dims;
  const { B, T } = spec.cfg;
  const L = saeLayout(spec.dims);
  const ref = new RefSaeTrainer(spec);
  const rows = (acts: ArrayLike<number>, m: number) =>
    Float32Array.from({ length: B * D }, (_, i) => acts[(m * B + Math.floor(i / D)) * spec.cfg.act_stride + spec.cfg.act_offset + (i % D)]);
  const batches = Array.from({ length: T }, (_, t) => ref.acts(t));
  const comparisons: Comparison[] = [];
  const notes: string[] = [];
  // the wide engine: one trainer per SAE, with the GEMM version runWide picks for this adapter (both are checked
  // against the twin in 'train wide SAE')
  const wide: Record<string, { params: Float32Array[]; loss: number[][] }> = {};
  for (const gemm of [isSoftwareAdapter(ctx.adapter) ? 'lanes' : 'blocked']) {
    wide[gemm] = { params: [], loss: [] };
    for (let m = 0; m < c.M; m++) {
      const init = Object.fromEntries(Object.entries(wideParamsOfModel(spec.dims, spec.saeParams, m)).map(([k, v]) => [k, Float32Array.from(v)]));
      const tr = await WideSaeTrainer.create(ctx, {
        shape: { B, d: D, s: S },
        lambda: spec.hyper[m].l1,
        lr: spec.hyper[m].lr,
        cfg: spec.cfg,
        gemm,
        init: init as Parameters<typeof WideSaeTrainer.create>[1]['init'],
        mode: { ...STUDY_OBJECTIVE },
      });
      try {
        const loss: number[] = [];
        for (const acts of batches) {
          await tr.step(rows(acts, m));
          // the step's loss as the fused path logs it: mean_b (FVU + lambda L1), before the update
          const r = await tr.rows();
          let sum = 0;
          for (let b = 0; b < B; b++) sum += r[b * 5 + 4] + spec.hyper[m].l1 * r[b * 5 + 1];
          loss.push(sum / B);
        }
        // back in the per-model layout, for one comparison of the whole parameter block
        const p = await tr.params();
        const out = new Float32Array(L.P);
        for (let k = 0; k < S; k++) for (let j = 0; j < D; j++) out[L.WE + k * D + j] = p.w_enc[j * S + k];
        out.set(p.b_enc, L.BE);
        out.set(p.w_dec, L.WD);
        out.set(p.b_dec, L.BD);
        wide[gemm].params.push(out);
        wide[gemm].loss.push(loss);
      } finally {
        tr.destroy();
      }
    }
  }
  // the fused path in the version the study runs on this kind of adapter (the fused versions agree with each other
  // in the 'train SAE fused' checks)
  for (const kernel of [isSoftwareAdapter(ctx.adapter) ? 'cpu' : 'v1'] as const) {
    const gpu = await GpuSaeTrainer.create(ctx, spec, { path: 'fused', kernel, kSteps: 6 });
    try {
      await gpu.train(T, { stepsPerSubmit: 24 });
      const fp = await gpu.readParams();
      const floss = gpu.history.map((r) => Array.from({ length: c.M }, (_, m) => r.values[m * L.HIST_W]));
      for (const [gemm, w] of Object.entries(wide)) {
        const tag = `study shape d=2 s=4, 3 SAEs x ${T} steps: wide engine (gemm ${gemm}) vs fused ${gpu.describe()}`;
        const params = new Float32Array(c.M * L.P);
        w.params.forEach((p, m) => params.set(p, m * L.P));
        // the extra per-latent block (unused by ReLU) is the fused path's own
        for (let m = 0; m < c.M; m++) params.set(fp.subarray(m * L.P + L.XP, (m + 1) * L.P), m * L.P + L.XP);
        comparisons.push(compareArrays(`${tag}: parameters`, params, fp, TRAIN_TOL.params));
        comparisons.push(
          compareArrays(
            `${tag}: total loss per step`,
            w.loss[0].flatMap((_, t) => w.loss.map((l) => l[t])),
            floss.flat(),
            TRAIN_TOL.loss,
          ),
        );
      }
      notes.push(`fused ${gpu.describe()}: ${gpu.history.length} logged steps`);
    } finally {
      gpu.destroy();
    }
  }
  // the run trains: the wide engine's encoder moved from its initialisation by more than the tolerance
  const moved = Math.max(
    ...Object.values(wide)[0]
      .params[0].subarray(L.WE, L.WE + S * D)
      .map((v, i) => Math.abs(v - spec.saeParams[L.WE + i])),
  );
  comparisons.push(
    compareArrays(`wide vs fused: largest move of a W_enc entry (${moved.toExponential(2)}) above 1e-2 (1 = yes)`, [moved > 1e-2 ? 1 : 0], [1], {
      atol: 0,
      rtol: 0,
    }),
  );
  return { comparisons, notes };
}
