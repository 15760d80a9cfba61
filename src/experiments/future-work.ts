// The future-work bench (presets future-work, -seed2 .. -seed5): every scenario of src/scenarios x every SAE
// variant of src/variants, each variant's sparsity knob swept (lambda for the L1-style variants; k for the TopK
// family, at the data's own L0). Its leaderboard is future-work-report.ts.
import type { ExperimentInput } from '../config/schema';
import { SCENARIOS, type Scenario, type ScenarioPoint, trueL0 } from '../scenarios';
import { SAE_VARIANTS, type SaeVariant } from '../variants';

/**
 * The bench's budget: the phase diagram's long budget (12,000 SAE steps of 256; there it agreed with 4x the
 * samples at 32 of 32 points), a toy model of 3,000 steps at lr 3e-3 (loss ~1e-9 by then), 4 SAEs per knob value.
 */
export const FW = {
  toySteps: 3000,
  toyLr: 3e-3,
  saeSteps: 12000,
  saeBatch: 256,
  lr: 3e-3,
  lambdas: [0.03, 0.1, 0.3, 1],
  realizations: 4,
  evalSamples: 4000,
  logEvery: 200,
  seeds: 5,
} as const;

/** Each variant's own settings in the bench beyond its knob (its config section), as the fixes presets set them. */
const VARIANT_SETTINGS: Record<string, Record<string, unknown>> = {
  matryoshka: { matryoshka: { group_fractions: [0.5, 0.5], weights: 'uniform' } },
  'matryoshka-topk': { matryoshka: { group_fractions: [0.5, 0.5], weights: 'uniform' } },
  'matryoshka-batchtopk': { matryoshka: { group_fractions: [0.5, 0.5], weights: 'uniform' } },
  // p annealed from 1 to 0.2 (dictionary_learning's 10 updates over the last 80 % of training)
  panneal: { panneal: { p_end: 0.2 } },
};

export const fwName = (sc: Scenario, p: ScenarioPoint, v: SaeVariant) => `fw-${sc.letter}-${p.label}-${v.name}`;

/** The TopK family's k at a point: the data's own L0 (features active per draw), rounded. */
export const fwK = (p: ScenarioPoint) => Math.max(1, Math.min(p.s, Math.round(trueL0(p.data))));

/** The fixed-dictionary bench's toy model: a random unit dictionary orthogonalised as SAELens does (100 steps). */
export const FW_DICTIONARY = { model: 'dictionary', ortho_steps: 100 } as const;

/**
 * One experiment per scenario point and variant. `dictionary`: every point on a fixed orthogonalised random dictionary
 * (FW_DICTIONARY) instead of the trained toy model, so the SAE question is asked without the toy model's own failures
 * (a trained toy model in d = k pairs features across sets at k = 3 for every seed tried).
 */
export function futureWorkExperiments(
  scenarios: readonly Scenario[] = SCENARIOS,
  variants: readonly SaeVariant[] = SAE_VARIANTS,
  opts: { dictionary?: boolean } = {},
): ExperimentInput[] {
  return scenarios.flatMap((sc) =>
    sc.points.flatMap((p) =>
      variants.map((v) => {
        const knob = v.needsK ? { k: fwK(p), auxk: { k: Math.max(1, Math.floor(p.d / 2)) } } : {};
        return {
          name: fwName(sc, p, v),
          description: `(${sc.letter}) ${sc.title}, ${sc.axis} = ${p.x}: sets [${(p.data.sets ?? []).join(', ')}], d = ${p.d}, s = ${p.s}; ${v.name} SAE`,
          data: p.data,
          toy: { d: p.d, steps: FW.toySteps, lr: FW.toyLr, ...(p.toy ?? (opts.dictionary ? FW_DICTIONARY : {})) },
          sae: { variant: v.name, s: p.s, steps: FW.saeSteps, batch: FW.saeBatch, ...knob, ...(VARIANT_SETTINGS[v.name] ?? {}) },
          grid: { lr: [FW.lr], l1: v.needsK ? [0] : [...(p.lambdas ?? FW.lambdas)] },
          realizations: FW.realizations,
          eval_samples: FW.evalSamples,
          log_every: FW.logEvery,
        } as ExperimentInput;
      }),
    ),
  );
}
