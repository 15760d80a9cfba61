// One validated schema for an experiment (data, toy model, SAE, grid, realizations, budget, seed) and
// for presets; the TypeScript types are inferred from it. Errors name the field and the allowed range.
import { z } from 'zod';
import { formatIssues } from '../core/issues';
import { cpuEvalMisfit } from '../kernels/sae_eval/fit';
import { COS_VARIANTS, saeLayout, toyLayout } from '../core/wire';
import { SAE_VARIANT_NAMES, SAE_VARIANTS, saeDimsOf, saeGroups, saeVariant, saeVariantWire } from '../variants';

const prob = z.number().min(0, 'must be >= 0').max(1, 'must be <= 1');
const positiveInt = z.number().int('must be an integer').positive('must be > 0');

export const DataSchema = z
  .object({
    sets: z.array(positiveInt).min(1, 'needs at least one feature set').default([2, 2]),
    joint: z.array(z.number().min(0)).optional(),
    set_probs: z.array(z.array(z.number().min(0))).optional(),
    rho: prob.default(1),
    p_onehot: prob.default(0),
    onehot_probs: z.array(z.number().min(0)).optional(),
    boost: z
      .object({ i: z.number().int().min(0), j: z.number().int().min(0), c: prob })
      .strict()
      .optional(),
    /** Zipf-distributed feature frequencies: within each set (composed draws) and over all features (one-hot) */
    zipf_alpha: z.number().min(0, 'must be >= 0').max(10, 'must be <= 10').optional(),
    /**
     * a two-level hierarchy (SAELens's HierarchyConfig semantics): sets [P, P x children] are the parents and
     * their children, `children` per parent in order; a composed draw is a parent with one of its own children
     * (mutually exclusive), a one-hot draw (p_onehot) a parent alone; children never fire without their parent
     */
    hierarchy: z.object({ children: positiveInt }).strict().optional(),
    /** sparser data: each set is left out of a composed draw with this probability */
    p_set_empty: prob.default(0),
    /**
     * one data stream per experiment: every SAE trains on the same batches and every realization is
     * evaluated on the same samples (the study's realizations share one stream); else one per SAE
     */
    shared_stream: z.boolean().default(false),
  })
  .strict();

export const ToySchema = z
  .object({
    d: positiveInt.max(64, 'must be <= 64').default(2),
    lr: z.number().positive('must be > 0').default(1e-3),
    weight_decay: z.number().min(0, 'must be >= 0').default(0.01),
    betas: z.tuple([z.number().min(0).lt(1), z.number().min(0).lt(1)]).default([0.9, 0.999]),
    eps: z.number().positive().default(1e-8),
    steps: positiveInt.default(10000),
    batch: positiveInt.default(1000),
    seed: z.number().int().min(0).default(0),
    /**
     * 'dictionary': a fixed random unit dictionary in place of the trained toy model (SAELens's synthetic models;
     * src/data/dictionary.ts), so the SAE question is asked without the toy model's own failures; absent: trained
     */
    model: z.enum(['trained', 'dictionary']).optional(),
    /** dictionary: Adam steps orthogonalising it as SAELens does (0 or absent: the random unit vectors as drawn) */
    ortho_steps: z.number().int('must be an integer').min(0, 'must be >= 0').max(100000, 'must be <= 100000').optional(),
    ortho_lr: z.number().positive('must be > 0').optional(),
  })
  .strict()
  .superRefine((t, ctx) => {
    for (const k of ['ortho_steps', 'ortho_lr'] as const)
      if (t[k] !== undefined && t.model !== 'dictionary')
        ctx.addIssue({
          code: 'custom',
          path: [k],
          message: "orthogonalises a fixed dictionary: set toy.model to 'dictionary' (a trained toy model is not orthogonalised)",
        });
  });

export const CosSchema = z
  .object({
    variant: z.enum(COS_VARIANTS).default('none'),
    coef: z.number().min(0, 'must be >= 0').default(1),
    norm: z.enum(['code', 'pairs']).default('code'),
  })
  .strict();

const VARIANT_SECTIONS: Record<string, z.ZodOptional<z.ZodType>> = Object.fromEntries(
  SAE_VARIANTS.flatMap((v) => (v.section ? [[v.section.key, v.section.schema.optional()]] : [])),
);

export const SaeSchema = z
  .object({
    s: positiveInt.max(1024, 'must be <= 1024').default(4),
    /** the SAE variant (src/variants: one record each); relu is the study's */
    variant: z.enum(SAE_VARIANT_NAMES).default('relu'),
    k: positiveInt.optional(),
    /** JumpReLU: initial threshold and the straight-through estimator's kernel width */
    init_threshold: z.number().positive('must be > 0').default(0.001),
    jump_eps: z.number().positive('must be > 0').default(0.001),
    batch: positiveInt.default(1024),
    steps: positiveInt.default(125000),
    warmup_frac: prob.default(0.1),
    cooldown_frac: prob.default(0.2),
    betas: z.tuple([z.number().min(0).lt(1), z.number().min(0).lt(1)]).default([0, 0.999]),
    eps: z.number().positive().default(1e-8),
    ghost: z.boolean().default(true),
    /** AuxK dead-latent loss (TopK-style SAEs), used instead of ghost grads when given */
    auxk: z
      .object({
        k: positiveInt,
        coef: z
          .number()
          .min(0)
          .default(1 / 32),
      })
      .strict()
      .optional(),
    ghost_quirk: z.boolean().default(true),
    dead_after: positiveInt.default(400),
    ghost_cooldown: positiveInt.default(1000),
    pre_encoder_bias: z.boolean().default(false),
    /** per-sample: mean of |hhat - h|^2 / |h|^2 (the study); batch: sum |hhat - h|^2 / sum |h - mean h|^2 */
    fvu: z.enum(['per-sample', 'batch']).default('per-sample'),
    b_dec_init: z.enum(['median', 'zeros']).default('median'),
    cos: CosSchema.prefault({}),
    /** the variants' own sections (src/variants: a record's `section`), each checked by its schema */
    ...VARIANT_SECTIONS,
  })
  .strict();

export const GridSchema = z
  .object({
    lr: z.array(z.number().positive('learning rates must be > 0')).min(1).default([3e-5, 1e-4, 3e-4, 1e-3, 3e-3]),
    l1: z.array(z.number().min(0, 'L1 coefficients must be >= 0')).min(1).default([0.01, 0.03, 0.1, 0.3, 1.0]),
  })
  .strict();

export const ExperimentSchema = z
  .object({
    name: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes')
      .default('experiment'),
    description: z.string().default(''),
    data: DataSchema.prefault({}),
    toy: ToySchema.prefault({}),
    sae: SaeSchema.prefault({}),
    grid: GridSchema.prefault({}),
    realizations: positiveInt.max(1000).default(5),
    seed: z.number().int().min(0).default(0),
    /** fresh samples for the evaluation and the selection loss (the study: 10,000) */
    eval_samples: positiveInt.default(10000),
    /** fresh samples instead of eval_samples when the adapter is hardware (not a fallback/software adapter), where many are cheap */
    eval_samples_hardware: positiveInt.optional(),
    /** the loss that picks each cell's lowest-loss realization: per_sample_fvu (the study: mean |hhat - h|^2 / |h|^2 + lambda mean sum f)
     *  or batch_fvu (sum |hhat - h|^2 / sum |h - mean h|^2 + lambda mean sum f); both are always computed and reported */
    selection: z.enum(['per_sample_fvu', 'batch_fvu']).default('per_sample_fvu'),
    log_every: positiveInt.default(50),
    /**
     * the optimality gap: per grid cell two reference SAEs whose decoder is fixed to the true and to the composed
     * directions (encoder and biases trained at the same budget, evaluated on the same samples); needs
     * s = the number of true features = the number of composed directions (two or more sets)
     */
    optimality_gap: z.boolean().default(false),
  })
  .strict();

export const PresetSchema = z
  .object({
    name: z.string(),
    description: z.string(),
    budget: z.enum(['quick', 'full', 'custom']),
    budget_note: z.string().default(''),
    experiments: z.array(ExperimentSchema).min(1),
  })
  .strict();

export type ExperimentConfig = z.infer<typeof ExperimentSchema>;
export type ExperimentInput = z.input<typeof ExperimentSchema>;
export type PresetConfig = z.infer<typeof PresetSchema>;

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Parse and cross-check an experiment; `limits` are the adapter's (buffer size) when known. */
export function parseExperiment(input: unknown, limits?: { maxBufferSize: number; maxStorageBufferBindingSize: number }): ExperimentConfig {
  const r = ExperimentSchema.safeParse(input);
  if (!r.success) throw new ConfigError(`invalid experiment config: ${formatIssues(r.error)}`);
  const c = r.data;
  const name = `experiment '${c.name}'`;
  const n = c.data.sets.reduce((a, b) => a + b, 0);
  const combos = c.data.sets.reduce((a, b) => a * b, 1);
  if (c.data.joint) {
    if (c.data.joint.length !== combos)
      throw new ConfigError(`${name}: data.joint has ${c.data.joint.length} entries, sets ${c.data.sets.join('x')} need ${combos}`);
    const s = c.data.joint.reduce((a, b) => a + b, 0);
    if (Math.abs(s - 1) > 1e-6) throw new ConfigError(`${name}: data.joint sums to ${s}, probabilities must sum to 1`);
  }
  if (c.data.onehot_probs) {
    if (c.data.onehot_probs.length !== n) throw new ConfigError(`${name}: data.onehot_probs has ${c.data.onehot_probs.length} entries, expected n = ${n}`);
    const s = c.data.onehot_probs.reduce((a, b) => a + b, 0);
    if (Math.abs(s - 1) > 1e-6) throw new ConfigError(`${name}: data.onehot_probs sums to ${s}, probabilities must sum to 1`);
  }
  if (c.data.set_probs) {
    c.data.set_probs.forEach((p, j) => {
      const s = p.reduce((a, b) => a + b, 0);
      if (Math.abs(s - 1) > 1e-6) throw new ConfigError(`${name}: data.set_probs[${j}] sums to ${s}, probabilities must sum to 1`);
    });
  }
  if (c.data.boost && c.data.sets.length !== 2) throw new ConfigError(`${name}: data.boost needs exactly two feature sets`);
  if (c.data.hierarchy) {
    const k = c.data.hierarchy.children;
    if (c.data.sets.length !== 2 || c.data.sets[1] !== c.data.sets[0] * k)
      throw new ConfigError(`${name}: data.hierarchy needs sets [P, P x ${k}] (parents, then their children); got [${c.data.sets.join(', ')}]`);
    const clash = (['joint', 'set_probs', 'onehot_probs', 'boost', 'zipf_alpha'] as const).filter((f) => c.data[f] !== undefined);
    if (clash.length) throw new ConfigError(`${name}: data.hierarchy sets the joint and one-hot tables itself; drop data.${clash.join(', data.')}`);
    if (c.data.p_set_empty > 0) throw new ConfigError(`${name}: data.hierarchy with p_set_empty > 0 would let a child fire without its parent`);
  }
  if (c.data.zipf_alpha !== undefined && (c.data.set_probs || c.data.joint || c.data.onehot_probs))
    throw new ConfigError(`${name}: data.zipf_alpha replaces set_probs/joint/onehot_probs; give one or the other`);
  const variant = saeVariant(c.sae.variant);
  for (const v of SAE_VARIANTS)
    if (v.section && (c.sae as Record<string, unknown>)[v.section.key] !== undefined && variant.section?.key !== v.section.key)
      throw new ConfigError(
        `${name}: sae.${v.section.key} is read by the ${SAE_VARIANTS.filter((r) => r.section?.key === v.section?.key)
          .map((r) => r.name)
          .join(' and ')} variants, not ${c.sae.variant}`,
      );
  try {
    saeGroups(c.sae);
    saeVariantWire(c.sae);
  } catch (e) {
    throw new ConfigError(`${name}: ${(e as Error).message}`);
  }
  if (variant.needsK && (c.sae.k === undefined || c.sae.k > c.sae.s))
    throw new ConfigError(`${name}: sae.variant ${c.sae.variant} needs sae.k between 1 and s = ${c.sae.s}`);
  if (c.optimality_gap && (c.data.sets.length < 2 || c.sae.s !== n || (!c.data.joint && c.sae.s !== combos)))
    throw new ConfigError(
      `${name}: optimality_gap needs two or more feature sets and s = n = the number of composed directions (one decoder row per direction); s = ${c.sae.s}, n = ${n}, ${combos} combinations`,
    );
  if (combos > 1 << 20) throw new ConfigError(`${name}: ${combos} feature combinations; at most ${1 << 20} are supported`);
  if (c.toy.d > n) throw new ConfigError(`${name}: toy.d = ${c.toy.d} hidden dims for n = ${n} features; superposition needs d <= n`);
  const M = c.grid.lr.length * c.grid.l1.length * c.realizations;
  if (M > 65535) throw new ConfigError(`${name}: ${M} SAEs in one job; at most 65535`);
  if (limits) {
    // training holds every SAE's batch at once; the evaluation is split into groups of models, so one model's samples must fit
    // the largest per-sample record: the SAE work record or the toy model's (same rows)
    const rec = Math.max(saeLayout({ D: c.toy.d, S: c.sae.s, ...saeDimsOf(c.sae) }).REC, toyLayout({ N: n, D: c.toy.d }).REC);
    const cap = Math.min(limits.maxBufferSize, limits.maxStorageBufferBindingSize);
    const train = M * c.sae.batch * rec * 4;
    if (train > cap)
      throw new ConfigError(
        `${name}: the per-sample work buffer needs ${train} bytes (${M} SAEs x ${c.sae.batch} samples), the adapter allows ${cap}; lower sae.batch or the grid`,
      );
    const evalN = Math.max(c.eval_samples, c.eval_samples_hardware ?? 0);
    const ev = evalN * rec * 4;
    // the CPU-shaped evaluation keeps no per-sample records: an SAE it fits takes any number of samples
    if (ev > cap && cpuEvalMisfit(c.toy.d, c.sae.s, n, c.sae.variant) !== null)
      throw new ConfigError(
        `${name}: evaluating one SAE on ${evalN} samples needs ${ev} bytes of per-sample work, the adapter allows ${cap}; lower eval_samples / eval_samples_hardware`,
      );
  }
  return c;
}

export function parsePreset(input: unknown): PresetConfig {
  const r = PresetSchema.safeParse(input);
  if (!r.success) throw new ConfigError(`invalid preset: ${formatIssues(r.error)}`);
  r.data.experiments.forEach((e) => parseExperiment(e));
  const names = r.data.experiments.map((e) => e.name);
  const dup = names.find((x, i) => names.indexOf(x) !== i);
  if (dup) throw new ConfigError(`preset '${r.data.name}': experiment name '${dup}' appears twice`);
  return r.data;
}
