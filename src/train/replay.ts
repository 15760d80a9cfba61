// Replay: train one toy model or SAE on the GPU path from a given state on given data, so an
// independent implementation (e.g. PyTorch) can be compared step by step. See README "Replay".
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { GpuContext } from '../gpu/context';
import { decodeNpy } from '../io/npy';
import { decodeSafetensors, encodeSafetensors } from '../io/safetensors';
import { writeFileAtomic, writeJsonAtomic } from '../io/files';
import { formatIssues } from '../core/issues';
import { COS_VARIANTS, defaultConfig, saeLayout, scheduleSteps, toyLayout } from '../core/wire';
import { SaeSchema, type ExperimentConfig } from '../config/schema';
import { saeWire } from '../jobs/experiment';
import { GpuSaeTrainer } from './sae';
import { GpuToyTrainer } from './toy';

const frac = z.number().min(0).max(1);
const common = {
  lr: z.number().positive(),
  betas: z.tuple([z.number().min(0).max(1).lt(1), z.number().min(0).lt(1)]).default([0.9, 0.999]),
  eps: z.number().positive().default(1e-8),
  weight_decay: z.number().min(0).default(0),
  steps: z.number().int().positive(),
  warmup_frac: frac.default(0),
  cooldown_frac: frac.default(0),
};
export const ReplayConfig = z.discriminatedUnion('model', [
  z
    .object({
      model: z.literal('toy'),
      n: z.number().int().positive(),
      d: z.number().int().positive(),
      importance: z.array(z.number().min(0)).optional(),
      ...common,
    })
    .strict(),
  z
    .object({
      model: z.literal('sae'),
      d: z.number().int().positive(),
      s: z.number().int().positive(),
      l1: z.number().min(0),
      ...common,
      cos_penalty: z
        .object({
          variant: z.enum(COS_VARIANTS).default('none'),
          coef: z.number().min(0).default(0),
          norm: z.enum(['code', 'pairs']).default('code'),
        })
        .strict()
        .default({ variant: 'none', coef: 0, norm: 'code' }),
      normalize_decoder: z.boolean().default(true),
      pre_encoder_bias: z.boolean().default(false),
    })
    .strict(),
]);
export type ReplayConfig = z.infer<typeof ReplayConfig>;

function readInput(dir: string, name: string): Uint8Array {
  const p = join(dir, name);
  if (!existsSync(p)) throw new Error(`replay: missing input file ${p}`);
  return new Uint8Array(readFileSync(p));
}

function tensor(t: Record<string, { shape: number[]; data: Float32Array }>, name: string, shape: number[]): Float32Array {
  const x = t[name];
  if (!x) throw new Error(`replay: init.safetensors has no tensor '${name}' (has: ${Object.keys(t).join(', ')})`);
  if (x.shape.length !== shape.length || x.shape.some((v, i) => v !== shape[i]))
    throw new Error(`replay: tensor '${name}' has shape [${x.shape.join(', ')}], expected [${shape.join(', ')}]`);
  return x.data;
}

/**
 * A replay SAE config as an experiment's sae section (no ghost grads, plain ReLU, per-sample FVU), so the
 * study's mapping to the wire (saeWire) serves both; replay adds its weight decay and logs every step.
 */
function saeSection(c: Extract<ReplayConfig, { model: 'sae' }>, B: number): ExperimentConfig['sae'] {
  const sae = SaeSchema.safeParse({
    s: c.s,
    batch: B,
    steps: c.steps,
    warmup_frac: c.warmup_frac,
    cooldown_frac: c.cooldown_frac,
    betas: c.betas,
    eps: c.eps,
    ghost: false,
    ghost_quirk: false,
    pre_encoder_bias: c.pre_encoder_bias,
    cos: c.cos_penalty,
  });
  if (!sae.success) throw new Error(`replay: config.json as an experiment's sae section: ${formatIssues(sae.error)}`);
  return sae.data;
}

export interface ReplayResult {
  steps: number;
  final: Record<string, { shape: number[]; data: Float32Array }>;
  losses: { total: number[]; mse: number[]; l1: number[] };
}

/** Validate everything first; write final.safetensors and losses.json only after training succeeded. */
export async function replay(ctx: GpuContext, inDir: string, outDir: string): Promise<ReplayResult> {
  if (!existsSync(inDir)) throw new Error(`replay: the input folder ${inDir} does not exist`);
  if (!statSync(inDir).isDirectory()) throw new Error(`replay: --in ${inDir} is a file, not a folder`);
  const configBytes = readInput(inDir, 'config.json');
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder().decode(configBytes));
  } catch (e) {
    throw new Error(`replay: config.json is not valid JSON (${(e as Error).message})`);
  }
  const parsed = ReplayConfig.safeParse(raw);
  if (!parsed.success) throw new Error(`replay: config.json: ${formatIssues(parsed.error)}`);
  const c = parsed.data;
  const init = decodeSafetensors(readInput(inDir, 'init.safetensors'), 'init.safetensors').tensors;
  const batches = decodeNpy(readInput(inDir, 'batches.npy'), 'batches.npy');
  const width = c.model === 'toy' ? c.n : c.d;
  if (batches.shape.length !== 3 || batches.shape[0] !== c.steps || batches.shape[2] !== width) {
    throw new Error(`replay: batches.npy has shape (${batches.shape.join(', ')}), expected (steps=${c.steps}, B, ${c.model === 'toy' ? 'n' : 'd'}=${width})`);
  }
  const B = batches.shape[1];
  if (B < 1) throw new Error('replay: batches.npy has an empty batch');
  if (batches.data.some((v) => !Number.isFinite(v))) throw new Error('replay: batches.npy contains NaN or Inf');
  const T = c.steps;
  const sched = {
    ...scheduleSteps(T, c.warmup_frac, c.cooldown_frac),
    beta1: c.betas[0],
    beta2: c.betas[1],
    eps: c.eps,
    weight_decay: c.weight_decay,
    hist_len: Math.min(T, 256),
    log_every: 1,
  };
  const hyper = [{ lr: c.lr, l1: c.model === 'sae' ? c.l1 : 0, cos: c.model === 'sae' && c.cos_penalty.variant !== 'none' ? c.cos_penalty.coef : 0, seed: 0 }];
  const losses = { total: [] as number[], mse: [] as number[], l1: [] as number[] };
  let final: ReplayResult['final'];

  if (c.model === 'toy') {
    const dims = { N: c.n, D: c.d };
    const L = toyLayout(dims);
    const W = tensor(init, 'W', [c.n, c.d]),
      b = tensor(init, 'b', [c.n]);
    const params = new Float32Array(L.P);
    params.set(W, 0);
    params.set(b, L.B);
    const importance = new Float32Array(c.importance ?? new Array(c.n).fill(1));
    if (importance.length !== c.n) throw new Error(`replay: importance has ${importance.length} entries, expected n = ${c.n}`);
    const job = await GpuToyTrainer.create(ctx, {
      dims,
      sets: [c.n],
      cfg: defaultConfig({ M: 1, B, toy_count: 1, ...sched }),
      hyper,
      tables: new Float32Array(1),
      importance,
      toyParams: params,
      batches: batches.data,
    });
    try {
      await job.train(T, { stepsPerSubmit: sched.hist_len });
      const curve = job.lossCurve(0);
      losses.total = curve.loss;
      losses.mse = curve.loss;
      losses.l1 = curve.loss.map(() => 0);
      const p = await job.readParams();
      final = { W: { shape: [c.n, c.d], data: p.slice(0, L.B) }, b: { shape: [c.n], data: p.slice(L.B, L.P) } };
    } finally {
      job.destroy();
    }
  } else {
    const dims = { N: 1, D: c.d, S: c.s };
    const L = saeLayout(dims);
    const We = tensor(init, 'W_enc', [c.d, c.s]),
      be = tensor(init, 'b_enc', [c.s]),
      Wd = tensor(init, 'W_dec', [c.s, c.d]),
      bd = tensor(init, 'b_dec', [c.d]);
    const params = new Float32Array(L.P);
    // W_enc arrives as [d, s]; the kernels keep it as [s][d] (row k = latent k's encoder)
    for (let k = 0; k < c.s; k++) for (let j = 0; j < c.d; j++) params[L.WE + k * c.d + j] = We[j * c.s + k];
    params.set(be, L.BE);
    params.set(Wd, L.WD);
    params.set(bd, L.BD);
    const sae = saeSection(c, B);
    const job = await GpuSaeTrainer.create(ctx, {
      dims,
      sets: [1],
      cfg: defaultConfig({
        M: 1,
        ...saeWire(sae),
        toy_count: 1,
        act_stride: c.d,
        act_offset: 0,
        weight_decay: c.weight_decay,
        hist_len: sched.hist_len,
        log_every: 1,
      }),
      hyper,
      tables: new Float32Array(1),
      toyParams: new Float32Array(0),
      saeParams: params,
      batches: batches.data,
      normalizeDecoder: c.normalize_decoder,
    });
    try {
      await job.train(T, { stepsPerSubmit: sched.hist_len });
      const curve = job.lossCurves(0);
      losses.total = curve.total;
      losses.mse = curve.fvu;
      losses.l1 = curve.l1;
      const p = await job.readParams();
      const wenc = new Float32Array(c.d * c.s);
      for (let k = 0; k < c.s; k++) for (let j = 0; j < c.d; j++) wenc[j * c.s + k] = p[L.WE + k * c.d + j];
      final = {
        W_enc: { shape: [c.d, c.s], data: wenc },
        b_enc: { shape: [c.s], data: p.slice(L.BE, L.WD) },
        W_dec: { shape: [c.s, c.d], data: p.slice(L.WD, L.BD) },
        b_dec: { shape: [c.d], data: p.slice(L.BD, L.XP) },
      };
    } finally {
      job.destroy();
    }
  }
  if (losses.total.length !== T) throw new Error(`replay: recorded ${losses.total.length} loss values for ${T} steps`);
  writeFileAtomic(join(outDir, 'final.safetensors'), encodeSafetensors(final, { source: 'sae-composed-webgpu replay', steps: String(T) }));
  writeJsonAtomic(join(outDir, 'losses.json'), losses);
  return { steps: T, final, losses };
}
