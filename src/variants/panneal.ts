// SAE variant panneal: p-annealing (Karvonen et al. 2024; dictionary_learning trainers/p_anneal.py, its Lp^p form):
// the study's ReLU with the penalty lambda sum_k f_k^p, p annealed from p_start to p_end in `updates` steps between
// anneal_start and anneal_end (fractions of sae.steps), lambda rescaled at each update by the ratio of the penalty
// at the old and the new p over the last `queue` steps, so the penalty keeps its scale. WGSL: panneal.wgsl (and
// lib/p_anneal.wgsl, lib/p_anneal_step.wgsl); the schedule rides on Config (pa_*, p_start, p_end).
import { z } from 'zod';
import { FLAG, type GpuConfig } from '../core/wire';
import type { SaeVariant } from './variant';

export const PAnnealSchema = z
  .object({
    p_start: z.number().gt(0, 'must be > 0').max(1, 'must be <= 1').default(1),
    p_end: z.number().min(0, 'must be >= 0').max(1, 'must be <= 1').default(0),
    anneal_start: z.number().min(0, 'must be >= 0').lt(1, 'must be < 1').default(0.2),
    anneal_end: z.number().gt(0, 'must be > 0').max(1, 'must be <= 1').default(1),
    updates: z.number().int('must be an integer').min(2, 'must be >= 2').default(10),
    queue: z.number().int('must be an integer').min(1, 'must be >= 1').default(10),
  })
  .strict();

/** The schedule on the wire: update steps pa_start .. pa_end (the last at most T - 1), or an Error naming the field. */
export function pannealWire(section: unknown, steps: number): Partial<GpuConfig> {
  const c = PAnnealSchema.parse(section ?? {});
  if (!(c.p_end < c.p_start)) throw new Error(`sae.panneal: p_end = ${c.p_end} must be below p_start = ${c.p_start}`);
  if (!(c.anneal_start < c.anneal_end)) throw new Error(`sae.panneal: anneal_start = ${c.anneal_start} must be below anneal_end = ${c.anneal_end}`);
  const start = Math.floor(c.anneal_start * steps),
    end = Math.min(Math.floor(c.anneal_end * steps), steps - 1);
  // every queue must hold the steps of one exponent pair: updates at least `queue` steps apart
  const gap = Math.floor((end - start) / (c.updates - 1));
  if (gap < c.queue)
    throw new Error(
      `sae.panneal: ${c.updates} updates between steps ${start} and ${end} come every ${gap} steps, fewer than queue = ${c.queue}; lower queue or updates, widen anneal_start .. anneal_end or raise sae.steps`,
    );
  return { pa_n: c.updates, pa_start: start, pa_end: end, pa_queue: c.queue, p_start: c.p_start, p_end: c.p_end };
}

// updates at steps 2, 4, 6, 8 (p 1, 0.75, 0.5, 0.25), queue 2: step 6, an update, trains at 0.75 against 0.5
const PA_CHECK = { pa_n: 4, pa_start: 2, pa_end: 8, pa_queue: 2, p_start: 1, p_end: 0.25 };

const pow = (f: number, p: number) => (f > 0 ? f ** p : 0);

export const panneal = {
  name: 'panneal',
  summary: 'f = max(pre, 0), penalty sum f^p with p annealed from p_start to p_end and lambda rescaled at each step of p (sae.panneal)',
  wgsl: 'variants/panneal.wgsl',
  flag: FLAG.PANNEAL,
  needsK: false,
  matches: (cfg) => (cfg.flags & FLAG.PANNEAL) !== 0,
  section: { key: 'panneal', schema: PAnnealSchema },
  wire: pannealWire,
  sharedMisfit:
    "its lambda is rescaled during training (lib/p_anneal_step.wgsl), which the modular sae_loss and the CPU-shaped steps do and v1 / v2 (a model's steps shared by a workgroup's threads) do not",
  checks: [
    { name: 'p = 0.75 at step 6', in: ['fd'], cfg: PA_CHECK },
    { name: 'p = 0.75, ghost grads, pre-bias', in: ['fd'], options: FLAG.GHOST | FLAG.PRE_BIAS, dead: true, cool: 4, cfg: PA_CHECK },
    { name: 'ghost grads', in: ['kernel'], options: FLAG.GHOST, cfg: PA_CHECK, manyModels: true },
    // p_end 0.5: lower exponents magnify f's f32 rounding near 0 (p f^(p-1)), past the training tolerances on lavapipe at 0.25
    { name: 'p 1 -> 0.5 in 4 updates, queue 4', in: ['train'], cfg: { pa_n: 4, pa_start: 8, pa_end: 32, pa_queue: 4, p_start: 1, p_end: 0.5 } },
  ],
  // p f^(p-1) magnifies f's own f32 rounding where f is small (f ~ 1e-4: 2.5e-4 relative at p = 0.75)
  checkRtol: 1e-3,
  twin: {
    activation: (_cfg, pre) => Array.from(pre, (v) => Math.max(v, 0)),
    penalised: (f, _pre, cfg) => pow(f, cfg.pa?.p ?? 1),
    // the kernels sum it only in the queue's steps (its only use; elsewhere 0, lib/p_anneal.wgsl)
    penNext: (f, _pre, cfg) => (!cfg.pa?.queued ? 0 : pow(f, cfg.pa?.next ?? 1)),
    dpre: ({ cfg, f, df, pw }) => (f > 0 ? df + pw * (cfg.pa?.p ?? 1) * f ** ((cfg.pa?.p ?? 1) - 1) : 0),
    dxp: () => 0,
  },
} as const satisfies SaeVariant;
