// Presets: every experiment of the study (docs/science.md §6) at two budgets. `full` is the study's own budget
// (128M samples per SAE: 125,000 steps of 1,024); `quick` is sized so the whole study runs in minutes on
// a 2-core machine with a software WebGPU adapter and still shows the study's effects (see budget_note).
import { parsePreset, type ExperimentInput, type PresetConfig, ConfigError } from '../config/schema';
import { FW, FW_DICTIONARY, futureWorkExperiments } from './future-work';
import { SCENARIOS, WIDER_LAMBDAS } from '../scenarios';

export const QUICK = { saeSteps: 12000, saeBatch: 64, toySteps: 4000, evalSamples: 10000, logEvery: 100 };
/** Fresh evaluation samples at the full budget: the study's 10,000, and 1,000,000 on a hardware adapter (cheap there; picks on 10,000 are noisy). */
export const FULL = { saeSteps: 125000, saeBatch: 1024, toySteps: 10000, evalSamples: 1_000_000, logEvery: 500 };
const QUICK_NOTE = `quick budget: ${QUICK.saeSteps} SAE steps of ${QUICK.saeBatch} samples (${((QUICK.saeSteps * QUICK.saeBatch) / 1e6).toFixed(2)}M samples per SAE, the study used 128M), toy model ${QUICK.toySteps} steps of 1000, selection loss on ${QUICK.evalSamples} fresh samples (the study's number). Low learning rates do not converge at this budget.`;
const FULL_NOTE = `full budget: the study's ${FULL.saeSteps.toLocaleString('en-US')} SAE steps of ${FULL.saeBatch.toLocaleString('en-US')} samples (128M per SAE), toy model ${FULL.toySteps.toLocaleString('en-US')} steps of 1,000, selection loss on ${FULL.evalSamples.toLocaleString('en-US')} fresh samples (the study used 10,000; its per-sample FVU is too noisy there to rank the realizations reliably).`;

const STUDY: ExperimentInput[] = [
  { name: 'correlated', description: 'two sets of two features, correlated amplitudes (rho = 1)', data: { sets: [2, 2], rho: 1, p_onehot: 0 } },
  { name: 'uncorrelated', description: 'two sets of two features, uncorrelated amplitudes (rho = 0)', data: { sets: [2, 2], rho: 0, p_onehot: 0 } },
  { name: 'onehot', description: '75 % one-hot draws (p = 0.75), uncorrelated amplitudes', data: { sets: [2, 2], rho: 0, p_onehot: 0.75 } },
  {
    name: 'cos-signed',
    description: 'correlated amplitudes + cosine penalty gamma * mean(tril(S))',
    data: { sets: [2, 2], rho: 1, p_onehot: 0 },
    sae: { cos: { variant: 'signed', coef: 1, norm: 'code' } },
  },
  {
    name: 'cos-abs',
    description: "correlated amplitudes + cosine penalty gamma * mean(|tril(S)|) (the study code's)",
    data: { sets: [2, 2], rho: 1, p_onehot: 0 },
    sae: { cos: { variant: 'abs', coef: 1, norm: 'code' } },
  },
];

/** The study's experiments that train reference SAEs (the optimality gap): those without a cosine penalty. */
export const GAP_EXPERIMENTS = ['correlated', 'uncorrelated', 'onehot'];

function atBudget(e: ExperimentInput, budget: 'quick' | 'full'): ExperimentInput {
  const b =
    budget === 'quick'
      ? { toy: { steps: QUICK.toySteps }, sae: { steps: QUICK.saeSteps, batch: QUICK.saeBatch }, eval_samples: QUICK.evalSamples, log_every: QUICK.logEvery }
      : {
          toy: { steps: FULL.toySteps },
          sae: { steps: FULL.saeSteps, batch: FULL.saeBatch },
          eval_samples: FULL.evalSamples,
          log_every: FULL.logEvery,
        };
  return {
    ...e,
    // reference SAEs with fixed decoders where the claims ask what the objective prefers (8: no penalty, 10: one-hot)
    optimality_gap: GAP_EXPERIMENTS.includes(e.name ?? ''),
    // the study's realizations share one data stream (and so one evaluation set per cell)
    data: { ...e.data, shared_stream: true },
    toy: { ...e.toy, ...b.toy },
    sae: { ...e.sae, ...b.sae },
    eval_samples: b.eval_samples,
    log_every: b.log_every,
  };
}

function build(): Record<string, PresetConfig> {
  const out: Record<string, PresetConfig> = {};
  for (const budget of ['quick', 'full'] as const) {
    const note = budget === 'quick' ? QUICK_NOTE : FULL_NOTE;
    out[`study-${budget}`] = parsePreset({
      name: `study-${budget}`,
      description: `the whole study: ${STUDY.map((e) => e.name).join(', ')}`,
      budget,
      budget_note: note,
      experiments: STUDY.map((e) => atBudget(e, budget)),
    });
    // the second seed of the whole study (toy models, SAE initialisations, data and evaluation samples): `compare` the two runs
    // -seedN is experiment seed N - 1 (the plain preset is seed 0): -seed2 .. -seed10, so claims rest on >= 8 seeds
    for (let n = 2; n <= SEED_PRESETS; n++) out[`study-${budget}-seed${n}`] = withSeed(out[`study-${budget}`], n - 1, `study-${budget}-seed${n}`);
    for (const e of STUDY) {
      out[`${e.name}-${budget}`] = parsePreset({
        name: `${e.name}-${budget}`,
        description: e.description ?? '',
        budget,
        budget_note: note,
        experiments: [atBudget(e, budget)],
      });
    }
  }
  // the phase diagram at two budgets (the longer one shows whether the quick one's shares have settled), at seeds 0, 1, 2
  for (const [name, b] of Object.entries(PHASE_BUDGETS)) {
    out[name] = parsePreset({
      name,
      description: 'phase diagram: features per set k (2..8) x one-hot probability p (0..0.9), ReLU and TopK SAEs; share of true feature directions recovered',
      budget: b.kind,
      budget_note: `phase diagram, ${b.label}: toy model ${b.toySteps} steps of 1000, SAEs ${b.saeSteps} steps of ${b.saeBatch}, lr ${PHASE.lr}, ${PHASE.realizations} realizations per point; d = k hidden dims, s = 2k latents, TopK k = 2`,
      experiments: phaseExperiments(b),
    });
    for (let n = 2; n <= 3; n++) out[`${name}-seed${n}`] = withSeed(out[name], n - 1, `${name}-seed${n}`);
  }
  // the seed's setting with every fix (src/variants): the study's three data settings x each variant and sparsity knob
  for (const budget of ['quick', 'full'] as const) {
    const name = `fixes-${budget}`;
    out[name] = parsePreset({
      name,
      description: `the study's correlated, uncorrelated and one-hot data with every SAE variant, each variant's sparsity knob swept (lambda over the study's grid; k = 1, 2): ${FIXES.map((f) => f.tag).join(', ')}`,
      budget,
      budget_note: `${budget === 'quick' ? QUICK_NOTE : FULL_NOTE} No reference SAEs.`,
      experiments: fixesExperiments(budget),
    });
    for (let n = 2; n <= 3; n++) out[`${name}-seed${n}`] = withSeed(out[name], n - 1, `${name}-seed${n}`);
  }
  // the future-work bench: every scenario (src/scenarios) x every SAE variant, each variant's knob swept, seeds 0 .. 4
  out['future-work'] = parsePreset({
    name: 'future-work',
    description: `the study's future-work list as a bench: scenarios ${SCENARIOS.map((s) => `(${s.letter}) ${s.title}`).join(', ')}; every SAE variant, its sparsity knob swept; the leaderboard at matched L0 (future-work.md)`,
    budget: 'custom',
    budget_note: `future-work bench: toy model ${FW.toySteps} steps of 1000 at lr ${FW.toyLr}, SAEs ${FW.saeSteps} steps of ${FW.saeBatch} at lr ${FW.lr}, lambda ${FW.lambdas.join('/')} (${WIDER_LAMBDAS.join('/')} at ${SCENARIOS.filter(
      (sc) => sc.points.some((p) => p.lambdas),
    )
      .map((sc) => `(${sc.letter})`)
      .join(', ')}; k at the data's L0 for the TopK family), ${FW.realizations} SAEs per knob value, ${FW.evalSamples} evaluation samples.`,
    experiments: futureWorkExperiments(),
  });
  for (let n = 2; n <= FW.seeds; n++) out[`future-work-seed${n}`] = withSeed(out['future-work'], n - 1, `future-work-seed${n}`);
  // the same bench on a fixed orthogonalised random dictionary in place of every trained toy model
  out['future-work-dict'] = parsePreset({
    ...out['future-work'],
    name: 'future-work-dict',
    description: `${out['future-work'].description}; every point on a fixed random unit dictionary orthogonalised as SAELens does, not a trained toy model`,
    budget_note: `${out['future-work'].budget_note} Toy model: a fixed random dictionary (${FW_DICTIONARY.ortho_steps} orthogonalisation steps) at every point.`,
    experiments: futureWorkExperiments(SCENARIOS, undefined, { dictionary: true }),
  });
  for (let n = 2; n <= FW.seeds; n++) out[`future-work-dict-seed${n}`] = withSeed(out['future-work-dict'], n - 1, `future-work-dict-seed${n}`);
  // a tiny preset for tests and demos: 2 x 2 grid, 2 realizations, a few hundred steps
  out.tiny = parsePreset({
    name: 'tiny',
    description: 'a 2x2 grid with 2 realizations and a few hundred steps (tests, demos)',
    budget: 'custom',
    budget_note: 'tiny: 200 SAE steps of 64, toy 600 steps of 200',
    experiments: [
      {
        name: 'correlated',
        data: { sets: [2, 2], rho: 1 },
        toy: { steps: 600, batch: 200, lr: 1e-2 },
        sae: { steps: 200, batch: 64 },
        grid: { lr: [1e-3, 1e-2], l1: [0.03, 0.3] },
        realizations: 2,
        eval_samples: 500,
        log_every: 10,
      },
    ],
  });
  return out;
}

/** The study presets come at seeds 0 (no suffix) and 1 .. SEED_PRESETS - 1 (`-seed2` .. `-seed<SEED_PRESETS>`). */
export const SEED_PRESETS = 10;

/** The same preset with every experiment's seed set to `seed` (a new toy model, new SAE initialisations, new data). */
export function withSeed(p: PresetConfig, seed: number, name: string): PresetConfig {
  return parsePreset({
    ...p,
    name,
    description: `${p.description} (seed ${seed})`,
    budget_note: `${p.budget_note} Seed ${seed}.`,
    experiments: p.experiments.map((e) => ({ ...e, seed })),
  });
}

export const PHASE = { ks: [2, 3, 4, 6, 8], ps: [0, 0.25, 0.5, 0.75, 0.9], lr: 3e-3, l1: 0.1, realizations: 5 };
/**
 * The phase diagram's budgets: quick, long (16x the SAE samples) to show the quick shares have settled, and longer (4x
 * long) to check the long ones. All train the same toy models (same steps and seeds; their loss is ~1e-9 by then), so
 * the budgets differ only in the SAEs.
 */
export const PHASE_BUDGETS = {
  'phase-quick': { kind: 'quick', label: 'quick budget', toySteps: 3000, saeSteps: 3000, saeBatch: 64 },
  'phase-long': { kind: 'full', label: 'long budget', toySteps: 3000, saeSteps: 12000, saeBatch: 256 },
  /** 4x the long budget's SAE samples: shows whether the long budget's shares have settled where the quick ones had not */
  'phase-longer': { kind: 'full', label: 'longer budget', toySteps: 3000, saeSteps: 12000, saeBatch: 1024 },
} as const;
type PhaseBudget = (typeof PHASE_BUDGETS)[keyof typeof PHASE_BUDGETS];

/** One experiment per (k, p, variant): two sets of k features, d = k hidden dims, s = 2k latents. */
export function phaseExperiments(b: PhaseBudget = PHASE_BUDGETS['phase-quick']): ExperimentInput[] {
  const out: ExperimentInput[] = [];
  for (const variant of ['relu', 'topk'] as const)
    for (const k of PHASE.ks)
      for (const p of PHASE.ps) {
        out.push({
          name: `phase-${variant}-k${k}-p${String(p).replace('.', '')}`,
          description: `${variant} SAE, two sets of ${k} features, one-hot probability ${p}`,
          data: { sets: [k, k], rho: 0, p_onehot: p },
          toy: { d: k, steps: b.toySteps, lr: 3e-3 },
          sae: { s: 2 * k, steps: b.saeSteps, batch: b.saeBatch, variant, ...(variant === 'topk' ? { k: 2 } : {}) },
          grid: { lr: [PHASE.lr], l1: [variant === 'topk' ? 0 : PHASE.l1] },
          realizations: PHASE.realizations,
          eval_samples: 2000,
          log_every: 100,
        });
      }
  return out;
}

/**
 * The fixes compared in the seed's setting: each variant with its sparsity knob (lambda: the study's grid, for relu,
 * matryoshka, jumprelu, gated and panneal (its starting lambda); k = 1 and 2, lambda = 0, AuxK for the TopK family), so they can be compared at matched L0 (a composed draw has 2 active
 * features: L0 = 2 with the true dictionary, 1 with the composed one).
 */
/** an experiment's sae section with the variants' own sections (sae.<key>, src/variants records), which the inferred type does not list */
type SaeInput = NonNullable<ExperimentInput['sae']> & { matryoshka?: unknown; panneal?: unknown };

export const FIXES: { tag: string; sae: SaeInput; l1?: number[] }[] = [
  { tag: 'relu', sae: { variant: 'relu' } },
  { tag: 'matryoshka', sae: { variant: 'matryoshka', matryoshka: { group_fractions: [0.5, 0.5], weights: 'uniform' } } },
  { tag: 'jumprelu', sae: { variant: 'jumprelu' } },
  { tag: 'gated', sae: { variant: 'gated' } },
  // p annealed from 1 to 0.2 over the last 80 % of training (dictionary_learning's 10 updates, queue 10)
  { tag: 'panneal', sae: { variant: 'panneal', panneal: { p_end: 0.2 } } },
  ...[1, 2].flatMap((k) => [
    { tag: `topk${k}`, sae: { variant: 'topk', k, auxk: { k: 2 } } as SaeInput, l1: [0] },
    { tag: `batchtopk${k}`, sae: { variant: 'batchtopk', k, auxk: { k: 2 } } as SaeInput, l1: [0] },
  ]),
  {
    tag: 'matryoshka-batchtopk2',
    sae: { variant: 'matryoshka-batchtopk', k: 2, auxk: { k: 2 }, matryoshka: { group_fractions: [0.5, 0.5], weights: 'uniform' } },
    l1: [0],
  },
];

export function fixesExperiments(budget: 'quick' | 'full'): ExperimentInput[] {
  return STUDY.filter((e) => GAP_EXPERIMENTS.includes(e.name ?? '')).flatMap((e) =>
    FIXES.map((f) => {
      const x = atBudget(e, budget);
      return {
        ...x,
        name: `${e.name}-${f.tag}`,
        description: `${e.description}; ${f.tag} SAE`,
        optimality_gap: false,
        sae: { ...x.sae, ...f.sae },
        ...(f.l1 ? { grid: { l1: f.l1 } } : {}),
      };
    }),
  );
}

export const PRESETS: Record<string, PresetConfig> = build();
/** the main job: the study at its own budget where that takes minutes (a GPU, lavapipe), else the quick budget */
export const DEFAULT_PRESET = 'study-full';
export const DEFAULT_PRESET_SLOW = 'study-quick';

export function getPreset(name: string): PresetConfig {
  const p = PRESETS[name];
  if (!p) throw new ConfigError(`unknown preset '${name}'; known presets: ${Object.keys(PRESETS).join(', ')}`);
  return p;
}
