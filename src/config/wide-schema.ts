// A wide run's config (src/experiments/wide.ts WidePreset) as a validated schema, so a researcher edits a JSON file
// instead of code: `npm start -- wide --print-config synth-cpu > mine.json`, then `npm start -- wide --config
// mine.json`. The variant's own section (sae.matryoshka) is the same schema the study's configs use; errors name the
// field and the allowed range before any GPU work.
import { z } from 'zod';
import { formatIssues } from '../core/issues';
import { featureCount, samplerTables } from '../data/tables';
import { MatryoshkaSchema } from '../variants/matryoshka-groups';
import { SAE_VARIANTS, saeGroups, saeVariant } from '../variants';
import { ConfigError } from './schema';
import type { WidePreset } from '../experiments/wide';

const positive = z.number().positive('must be > 0');
const positiveInt = z.number().int('must be an integer').positive('must be > 0');
const nonNegInt = z.number().int('must be an integer').min(0, 'must be >= 0');
const WIDE_VARIANTS = SAE_VARIANTS.filter((v) => v.wide).map((v) => v.name) as [string, ...string[]];

// The study's composed sets (docs/science.md §1) as the generator's structure: the study's data section in this
// file's camelCase (src/config/schema.ts DataSchema: sets, rho, p_onehot, ...), drawn by the study's own sampler.
const prob = z.number().min(0, 'must be >= 0').max(1, 'must be <= 1');
const ComposedSchema = z
  .object({
    sets: z.array(positiveInt).min(1, 'needs at least one feature set'),
    rho: prob,
    pOnehot: prob,
    pSetEmpty: prob.optional(),
    joint: z.array(z.number().min(0)).optional(),
    setProbs: z.array(z.array(z.number().min(0))).optional(),
    onehotProbs: z.array(z.number().min(0)).optional(),
    boost: z.object({ i: nonNegInt, j: nonNegInt, c: prob }).strict().optional(),
    zipfAlpha: z.number().min(0, 'must be >= 0').max(10, 'must be <= 10').optional(),
    hierarchy: z.object({ children: positiveInt }).strict().optional(),
  })
  .strict();

const SynthSchema = z
  .object({
    features: positiveInt,
    zipf: z
      .object({ exponent: z.number().min(0, 'must be >= 0'), pMax: positive.max(1, 'must be <= 1'), pMin: positive.max(1, 'must be <= 1') })
      .strict()
      .refine((z) => z.pMin <= z.pMax, { message: 'pMin must be <= pMax', path: ['pMin'] })
      .optional(),
    magnitude: z
      .object({ meanStart: positive, meanEnd: positive, stdMean: z.number().min(0), stdStd: z.number().min(0) })
      .strict()
      .optional(),
    correlation: z
      .object({ rank: nonNegInt.max(64, "must be <= 64 (the GPU generator's factor)"), scale: z.number().min(0, 'must be >= 0') })
      .strict()
      .optional(),
    hierarchy: z
      .object({
        roots: positiveInt,
        branching: positiveInt,
        depth: positiveInt,
        mutuallyExclusive: z.number().min(0, 'must be >= 0').max(1, 'must be <= 1'),
        meMinDepth: nonNegInt.optional(),
        meMaxDepth: nonNegInt.optional(),
        compensate: z.boolean(),
        scaleChildrenByParent: z.boolean(),
      })
      .strict()
      .optional(),
    composed: ComposedSchema.optional(),
    seed: nonNegInt,
  })
  .strict()
  .superRefine((data, ctx) => {
    const issue = (path: string[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    if (!data.composed) {
      for (const k of ['zipf', 'magnitude'] as const)
        if (!data[k]) issue([k], "is needed (SAELens's structure), unless data.composed gives the study's sets instead");
      return;
    }
    for (const k of ['zipf', 'magnitude', 'correlation', 'hierarchy'] as const)
      if (data[k] !== undefined) issue([k], "goes with SAELens's structure; data.composed replaces it (drop one)");
    const n = featureCount(data.composed.sets);
    if (data.features !== n) issue(['features'], `must equal the composed sets' ${n} features (sets [${data.composed.sets.join(', ')}])`);
    try {
      samplerTables(data.composed);
    } catch (e) {
      issue(['composed'], (e as Error).message);
    }
  });

export const WidePresetSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes'),
    description: z.string().default(''),
    data: SynthSchema,
    d: positiveInt,
    orthoSteps: nonNegInt,
    biasNorm: z.number().min(0, 'must be >= 0'),
    sae: z
      .object({
        variant: z.enum(WIDE_VARIANTS),
        width: positiveInt,
        lambda: z.number().min(0, 'must be >= 0'),
        k: positiveInt.optional(),
        auxk: z
          .object({ coef: z.number().min(0, 'must be >= 0'), window: positiveInt })
          .strict()
          .optional(),
        matryoshka: MatryoshkaSchema.optional(),
        jumprelu: z.object({ initThreshold: positive, bandwidth: positive }).strict().optional(),
        objective: z.enum(['saelens', 'study']).optional(),
      })
      .strict(),
    train: z
      .object({
        samples: positiveInt,
        batch: positiveInt,
        lr: positive,
        warmup: z.number().min(0, 'must be >= 0').max(1, 'must be <= 1 (a share of the steps)'),
        cooldown: z.number().min(0, 'must be >= 0').max(1, 'must be <= 1 (a share of the steps)'),
      })
      .strict(),
    evalRows: positiveInt,
    seed: nonNegInt.max(999, 'must be <= 999 (generator batches come from seed x 1,000,000)'),
  })
  .strict();

/** A wide run's config from JSON, or a ConfigError naming each bad field (the variant's own rules included). */
export function parseWidePreset(input: unknown): WidePreset {
  const r = WidePresetSchema.safeParse(input);
  if (!r.success) throw new ConfigError(`invalid wide config: ${formatIssues(r.error)}`);
  const p = r.data as WidePreset;
  const { needsK: topkFamily, wide } = saeVariant(p.sae.variant);
  const sel = wide!.select;
  const at = `wide config '${p.name}'`;
  if (topkFamily && p.sae.k === undefined) throw new ConfigError(`${at}: sae.k is needed by ${p.sae.variant} (the latents each row keeps)`);
  if (topkFamily && p.sae.k! > p.sae.width) throw new ConfigError(`${at}: sae.k = ${p.sae.k} is above sae.width = ${p.sae.width}`);
  if (!topkFamily && p.sae.k !== undefined) throw new ConfigError(`${at}: sae.k goes with the TopK family, not ${p.sae.variant}`);
  if (!topkFamily && p.sae.lambda === 0)
    throw new ConfigError(`${at}: sae.lambda = 0 leaves ${p.sae.variant} without its ${sel === 'jumprelu' ? 'L0' : 'L1'} penalty`);
  if (p.sae.jumprelu && sel !== 'jumprelu') throw new ConfigError(`${at}: sae.jumprelu goes with the jumprelu variant, not ${p.sae.variant}`);
  if (p.sae.matryoshka && !p.sae.variant.startsWith('matryoshka'))
    throw new ConfigError(`${at}: sae.matryoshka goes with a Matryoshka variant, not ${p.sae.variant}`);
  try {
    saeGroups({ ...p.sae, s: p.sae.width }); // the variant's own rules for its section (prefixes ending at the width)
  } catch (e) {
    throw new ConfigError(`${at}: ${(e as Error).message} (sae.width ${p.sae.width})`);
  }
  if (p.train.samples < p.train.batch) throw new ConfigError(`${at}: train.samples = ${p.train.samples} is less than one batch of ${p.train.batch}`);
  if (p.train.warmup + p.train.cooldown > 1)
    throw new ConfigError(`${at}: train.warmup + train.cooldown = ${p.train.warmup + p.train.cooldown} exceed the whole run (1)`);
  return p;
}
