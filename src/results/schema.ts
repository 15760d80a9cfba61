// The results format as one zod schema: results.json, each experiment's result.json and what the runner
// returns (ExperimentResult = a stored experiment without its file names, plus the weights). The types the
// runner writes and the report, summary, figures and app read are inferred from it, and a file is
// validated when it is loaded: a damaged or foreign file fails with the field named. Results written by
// older versions of the kit still load: the fields added later are optional (report.ts upgrades what it
// can, e.g. matched recovery from the stored decoders). JSON writes NaN and Infinity as null; numbers read
// back null as NaN.
import { z } from 'zod';
import type { ExperimentConfig } from '../config/schema';
import type { AdapterReport } from '../gpu/context';
import { formatIssues } from '../core/issues';
import { LATENT_KINDS, NEAREST_VERDICTS, SELECTION_RULES } from '../metrics/analysis';
import { VERDICTS } from '../metrics/recovery';

/** A number that JSON may have written as null (NaN, Infinity): read back as NaN. */
const num = z
  .number()
  .nullable()
  .transform((v) => v ?? Number.NaN);
const vec = z.array(num);
const cell = z.tuple([z.number(), z.number()]);

const LatentMatchSchema = z.object({
  kind: z.enum(LATENT_KINDS),
  closest_true: z.string(),
  cos_true: num,
  closest_composed: z.string(),
  cos_composed: num,
});

const RecoverySchema = z.object({
  targets: z.number(),
  covered: z.number(),
  mcc: num,
  match: z.array(z.number()),
  cos: z.array(num.or(z.null())),
  missing: z.array(z.string()),
  unmatched_latents: z.number(),
  duplicate_latents: z.number(),
});

/** Results written before the field was renamed call the mean per-sample FVU `mse`: read it as per_sample_fvu. */
const renamedMse = (v: unknown) => {
  if (v && typeof v === 'object' && 'mse' in v && !('per_sample_fvu' in v)) {
    const { mse, ...rest } = v as Record<string, unknown>;
    return { ...rest, per_sample_fvu: mse };
  }
  return v;
};

export const SaeResultSchema = z.preprocess(
  renamedMse,
  z.object({
    index: z.number(),
    cell,
    lr: z.number(),
    l1: z.number(),
    realization: z.number(),
    seed: z.number(),
    /** the study's selection loss on fresh samples: mean per-sample FVU + lambda mean sum|f| */
    final_loss: num,
    /** the batch-FVU selection loss on the same samples: batch_fvu + lambda mean sum|f| (absent in the oldest results) */
    final_loss_batch: num.optional(),
    /** mean per-sample FVU on the evaluation samples (`mse` in results written before 2026-12) */
    per_sample_fvu: num,
    /** batch FVU on the evaluation samples: sum |hhat - h|^2 / sum |h - mean h|^2 (= 1 - ev_h) */
    batch_fvu: num.optional(),
    /** mean sum |f| (the L1 term divided by lambda) */
    l1_term: num,
    train_loss: num,
    monosemanticity: num,
    l0: num,
    dead: num,
    dead_probe: num,
    ev_h: num,
    ev_out: num,
    decoder: z.array(vec),
    angles_deg: vec.nullable(),
    latents: z.array(LatentMatchSchema),
    /** from matched recovery (docs/science.md §8.4): true / composed when every true / occurring composed direction is covered */
    verdict: z.enum(VERDICTS),
    /** the old nearest-line rule (secondary: it cannot reject in 2-D; absent before matched recovery) */
    verdict_nearest: z.enum(NEAREST_VERDICTS).optional(),
    /** true when the toy model fails the guards (toy.validity): the verdict is not the study's kind */
    verdict_flagged: z.boolean().optional(),
    /** one-to-one (Hungarian) matching of the live latents to the true and to the composed directions */
    recovery: z.object({ true: RecoverySchema, composed: RecoverySchema }).optional(),
    mmcs: num,
    recovered: num,
    /** latents whose decoder direction is a composed direction, over s */
    composed_fraction: num,
    /** SynthSAEBench's decoder metrics, SAELens's definitions: MCC (mean |cos| of the one-to-one match to the true features) and uniqueness (distinct argmax features / latents); absent in older results */
    synth: z.object({ mcc: num, uniqueness: num }).optional(),
    /**
     * SAELens's detector scores on the evaluation samples (each latent against its best-matching feature by |cos|;
     * means over latents) and shrinkage (mean |hhat| / |h|); absent in older results and where the detector's
     * CPU-shaped kernel does not fit the SAE (d*s > 64)
     */
    detector: z.object({ precision: num, recall: num, f1: num, accuracy: num, shrinkage: num }).optional(),
    /** hierarchies (data.hierarchy): each parent's latent's recall with a child and alone, absorption = alone - with a child (means over parents) */
    absorption: z.object({ recall_with_child: num, recall_alone: num, absorption: num }).optional(),
    /** latents that never fired on the evaluation batch, over s */
    dead_fraction: num,
    collapsed_pairs: z.number(),
    diverged: z.number().nullable(),
    /** false when the training loss (median) still fell by more than CONVERGENCE_DROP over the last 10 % of steps; null: too few logged points */
    converged: z.boolean().nullable().default(null),
    /** relative drop of the median training loss from the previous 10 % of steps to the last 10 % */
    late_drop: num.optional(),
  }),
);

/** The two fixed decoders of the reference SAEs: the true feature directions and the occurring composed ones. */
export const REFERENCE_BASES = ['true', 'composed'] as const;
export type ReferenceBasis = (typeof REFERENCE_BASES)[number];

/** A reference SAE on the cell's evaluation samples: the decoder is fixed, encoder and biases trained at the cell's budget. */
export const ReferenceSaeSchema = z.preprocess(
  renamedMse,
  z.object({
    /** the selection loss of SaeResult.final_loss (per-sample FVU + lambda mean sum|f|) */
    final_loss: num,
    final_loss_batch: num,
    per_sample_fvu: num,
    l1_term: num,
    l0: num,
    dead: num,
    diverged: z.number().nullable(),
    converged: z.boolean().nullable(),
  }),
);

const verdictCounts = z.object(Object.fromEntries(VERDICTS.map((v) => [v, z.number()])) as Record<(typeof VERDICTS)[number], z.ZodNumber>);
const nearestCounts = z.object(Object.fromEntries(NEAREST_VERDICTS.map((v) => [v, z.number()])) as Record<(typeof NEAREST_VERDICTS)[number], z.ZodNumber>);

export const CellResultSchema = z.object({
  cell,
  lr: z.number(),
  l1: z.number(),
  models: z.array(z.number()),
  /** the lowest-loss realization under the experiment's selection rule (config.selection) */
  lowest_loss: z.number(),
  /** the lowest-loss realization under each selection rule (absent in the oldest results) */
  lowest_by: z.object({ per_sample_fvu: z.number(), batch_fvu: z.number() }).optional(),
  most_monosemantic: z.number(),
  verdicts: verdictCounts,
  /** the realizations' counts under the old nearest-line rule */
  verdicts_nearest: nearestCounts.optional(),
  /** at least half of the cell's realizations converged (see SaeResult.converged); null when unknown */
  converged: z.boolean().nullable().optional(),
  /** the optimality gap (config.optimality_gap): the cell's reference SAEs with the decoder fixed to each basis */
  reference: z.object({ true: ReferenceSaeSchema, composed: ReferenceSaeSchema }).optional(),
});

const ToyValiditySchema = z.object({
  valid: z.boolean(),
  cross_set_pairs: z.array(z.object({ pair: z.string(), cos: num })),
  degenerate_composed: z.array(z.object({ label: z.string(), norm_ratio: num })),
  unrepresented: z.array(z.object({ label: z.string(), norm_ratio: num })).optional(),
  notes: z.array(z.string()),
});

const SaeKernelRecord = z.object({
  path: z.enum(['modular', 'fused']),
  kernel: z.string().nullable(),
  threads: z.number().nullable(),
  describe: z.string(),
  why: z.string(),
  measured: z.record(z.string(), num).optional(),
  skipped: z.record(z.string(), z.string()).optional(),
});

const configRecord = z.custom<ExperimentConfig>((v) => typeof v === 'object' && v !== null && 'name' in v, 'an experiment config object');

export const StoredExperimentSchema = z.object({
  name: z.string(),
  description: z.string(),
  config: configRecord,
  shard: z.object({ index: z.number(), count: z.number() }).nullable(),
  toy: z.object({
    W: z.array(vec),
    b: vec,
    final_loss: num,
    rotation_deg: num,
    projection: z.enum(['exact-2d', 'top-2-pcs']),
    features_rotated: z.array(vec),
    labels: z.array(z.string()),
    pair_cosines: z.record(z.string(), num),
    /** guards: cross-set pairs on one line, degenerate composed directions, features not represented; when not valid, the verdicts are flagged (absent in older results) */
    validity: ToyValiditySchema.optional(),
    loss_curve: z.object({ step: z.array(z.number()), loss: vec }),
  }),
  composed: z.array(z.object({ label: z.string(), dir_rotated: vec })),
  saes: z.array(SaeResultSchema),
  cells: z.array(CellResultSchema),
  pca: z.object({ second_moment_eigenvalues: vec, covariance_eigenvalues: vec, second_moment_axes_deg: vec, eigenvalue_ratio: num }),
  expected_l1: z.object({ true_dictionary: num, composed_dictionary: num }).nullable(),
  /**
   * total: the training loss (study's per-sample FVU + L1 + ghost + penalty) at every logged step;
   * eval: selection losses of the current parameters on CURVE_SAMPLES fresh samples at about CURVE_EVALS
   * steps (batch: batch FVU + lambda mean sum f; per_sample: the study's per-sample FVU + lambda mean sum f)
   */
  curves: z.object({
    step: z.array(z.number()),
    total: z.array(vec),
    eval: z.object({ step: z.array(z.number()), batch: z.array(vec), per_sample: z.array(vec) }).optional(),
  }),
  /** the evaluation: fresh samples used, the selection rule, whether the adapter counted as software (absent in older results) */
  evaluation: z.object({ samples: z.number(), selection: z.enum(SELECTION_RULES), software_adapter: z.boolean() }).optional(),
  sae_path: z.enum(['modular', 'fused']),
  /** what trained the toy model and the SAEs, and why (per adapter: src/train/choose.ts); absent in the oldest results */
  kernels: z
    .object({
      // kernel: 'modular', a version of src/kernels/toy_steps ('fused', 'cpu'), or 'cached' (an earlier experiment's toy model)
      toy: z.object({ kernel: z.string(), why: z.string(), measured: z.record(z.string(), num).optional() }),
      sae: SaeKernelRecord,
      /** the evaluation's kernels (src/train/evaluate.ts evalKernelFor); absent in older results */
      eval: z.enum(['modular', 'cpu']).optional(),
      /** the reference SAEs' job (config.optimality_gap) */
      reference: SaeKernelRecord.optional(),
    })
    .optional(),
  /** ref_s: the reference SAEs (training and evaluation), when run */
  timing: z.object({ toy_s: num, sae_s: num, eval_s: num, analysis_s: num, ref_s: num.optional() }),
  /** the experiment's files, relative to the run folder (weights, config, figures) */
  files: z.record(z.string(), z.string()),
});

const adapterRecord = z.custom<AdapterReport>((v) => typeof v === 'object' && v !== null && 'vendor' in v, 'an adapter report');

export const ResultsFileSchema = z.object({
  kit: z.string(),
  preset: z.string(),
  description: z.string(),
  budget: z.object({ kind: z.string(), note: z.string(), sae_steps: z.record(z.string(), z.number()), sae_batch: z.record(z.string(), z.number()) }),
  /** the adapter of the latest process that ran experiments (see `adapters` when the run was resumed elsewhere) */
  adapter: adapterRecord.nullable(),
  /** per experiment: the adapter it ran on (a run resumed on another machine has several) */
  adapters: z.record(z.string(), adapterRecord.nullable()).optional(),
  /** a merge of shards that ran on different adapters: each shard's, by shard index */
  shard_adapters: z.array(adapterRecord.nullable()).optional(),
  shard: z.object({ index: z.number(), count: z.number() }).nullable(),
  started: z.string(),
  updated: z.string(),
  /** the command line that made the run (the last one, when resumed) */
  command: z.string().optional(),
  timing: z.record(z.string(), z.record(z.string(), num)),
  experiments: z.array(StoredExperimentSchema),
});

export type SaeResult = z.output<typeof SaeResultSchema>;
export type CellResult = z.output<typeof CellResultSchema>;
export type ReferenceSae = z.output<typeof ReferenceSaeSchema>;
export type StoredExperiment = z.output<typeof StoredExperimentSchema>;
export type ResultsFile = z.output<typeof ResultsFileSchema>;
/** What runExperiment returns: the stored experiment without its file names, plus the trained weights. */
export type ExperimentResult = Omit<StoredExperiment, 'files'> & { weights: { toy: Float32Array; saes: Float32Array } };

/** Validate a parsed results.json (`where` names it in the error). */
export function parseResultsFile(json: unknown, where: string): ResultsFile {
  const r = ResultsFileSchema.safeParse(json);
  if (!r.success) throw new Error(`${where} is not a results file of this kit: ${formatIssues(r.error)}`);
  return r.data;
}

/** Validate one stored experiment (result.json, or an experiment of results.json). */
export function parseStoredExperiment(json: unknown, where: string): StoredExperiment {
  const r = StoredExperimentSchema.safeParse(json);
  if (!r.success) throw new Error(`${where} is not an experiment result of this kit: ${formatIssues(r.error)}`);
  return r.data;
}
