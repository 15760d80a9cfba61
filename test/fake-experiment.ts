// Hand-built experiments for the report, summary and figure tests (no GPU): a toy model W, SAE decoders and
// liveness, analysed with the kit's own host functions (the same path analyseStage takes).
import type { ExperimentResult } from '../src/results/schema';
import type { ResultsFile, StoredExperiment } from '../src/results/stored';
import { angleDeg, composedDirections, featureLabel, figureRotation, rotate2, symmetricEigen, type Vec } from '../src/metrics/analysis';
import { analyseSae, toyValidity, VERDICTS, type Verdict } from '../src/metrics/recovery';

export interface FakeSae {
  decoder: Vec[];
  alive?: boolean[];
  loss?: number;
}

export interface FakeOptions {
  name: string;
  sets: number[];
  /** feature directions, one row per feature (features set by set) */
  W: Vec[];
  saes: FakeSae[];
  p_onehot?: number;
  /** grid: the SAEs are split over this many cells (lr values), in order */
  cells?: number;
}

export const dir = (deg: number): Vec => [Math.cos((deg * Math.PI) / 180), Math.sin((deg * Math.PI) / 180)];

export function fakeExperiment(o: FakeOptions): StoredExperiment & ExperimentResult {
  const d = o.W[0].length;
  const n = o.W.length;
  const combos = o.sets.reduce((a, b) => a * b, 1);
  const composed = composedDirections(
    o.W,
    o.sets,
    Array.from({ length: combos }, () => 1 / combos),
  );
  const theta = d === 2 ? figureRotation(o.W) : 0;
  const plane = (v: Vec): Vec => (d === 2 ? rotate2(v, theta) : [v[0], v[1]]);
  const labels = o.W.map((_, i) => featureLabel(i, o.sets));
  const nCells = o.cells ?? 1;
  const per = Math.ceil(o.saes.length / nCells);
  const validity = toyValidity(o.W, o.sets, composed);
  const saes = o.saes.map((s, m) => {
    const alive = s.alive ?? s.decoder.map(() => true);
    const a = analyseSae(s.decoder, alive, o.W, composed, o.sets);
    const cell = Math.floor(m / per);
    return {
      index: m,
      cell: [cell, 0] as [number, number],
      lr: 1e-3 * (cell + 1),
      l1: 0.1,
      realization: m % per,
      seed: m,
      final_loss: s.loss ?? 0.1 + m / 100,
      final_loss_batch: s.loss ?? 0.1 + m / 100,
      per_sample_fvu: 0.05,
      batch_fvu: 0.05,
      l1_term: 1,
      train_loss: 0.1,
      monosemanticity: 0.75,
      l0: 1.5,
      dead: alive.filter((x) => !x).length,
      dead_probe: alive.filter((x) => !x).length,
      ev_h: 0.95,
      ev_out: 0.95,
      decoder: s.decoder,
      angles_deg: s.decoder.map((w) => angleDeg(plane(w))),
      ...a,
      verdict_flagged: !validity.valid,
      dead_fraction: alive.filter((x) => !x).length / s.decoder.length,
      diverged: null,
      converged: true,
      late_drop: 0,
    };
  });
  const cells = Array.from({ length: nCells }, (_, c) => {
    const models = saes.filter((s) => s.cell[0] === c).map((s) => s.index);
    const lowest = models.reduce((b, i) => (saes[i].final_loss < saes[b].final_loss ? i : b));
    const verdicts = Object.fromEntries(VERDICTS.map((v) => [v, 0])) as Record<Verdict, number>;
    const nearest = { true: 0, composed: 0, mixed: 0, dead: 0 };
    for (const i of models) {
      verdicts[saes[i].verdict]++;
      nearest[saes[i].verdict_nearest]++;
    }
    return {
      cell: [c, 0] as [number, number],
      lr: 1e-3 * (c + 1),
      l1: 0.1,
      models,
      lowest_loss: lowest,
      lowest_by: { per_sample_fvu: lowest, batch_fvu: lowest },
      most_monosemantic: models[models.length - 1],
      verdicts,
      verdicts_nearest: nearest,
      converged: true,
    };
  });
  const second = Array.from({ length: d }, (_, i) => Array.from({ length: d }, (_, j) => o.W.reduce((s, w) => s + (w[i] * w[j]) / (2 * n), 0)));
  const eig = symmetricEigen(second).values;
  const pair: Record<string, number> = {};
  for (let a = 0; a < n; a++)
    for (let b = 0; b < a; b++) {
      const c = o.W[a].reduce((s, v, j) => s + v * o.W[b][j], 0) / (Math.hypot(...o.W[a]) * Math.hypot(...o.W[b]));
      pair[`${labels[b]}-${labels[a]}`] = c;
    }
  const steps = Array.from({ length: 40 }, (_, i) => i * 25);
  return {
    name: o.name,
    description: `fake ${o.name}`,
    config: {
      name: o.name,
      selection: 'per_sample_fvu',
      eval_samples: 100,
      seed: 0,
      data: { sets: o.sets, rho: 1, p_onehot: o.p_onehot ?? 0, p_set_empty: 0 },
      toy: { d },
      sae: { s: o.saes[0].decoder.length, variant: 'relu', steps: 1000, batch: 64 },
      grid: { lr: cells.map((c) => c.lr), l1: [0.1] },
    },
    shard: null,
    toy: {
      W: o.W,
      b: o.W.map(() => 0),
      final_loss: 0.1,
      rotation_deg: (theta * 180) / Math.PI,
      projection: d === 2 ? 'exact-2d' : 'top-2-pcs',
      features_rotated: o.W.map(plane),
      labels,
      pair_cosines: pair,
      validity,
      loss_curve: { step: [0], loss: [0.1] },
    },
    composed: composed.map((x) => ({ label: x.label, dir_rotated: plane(x.dir) })),
    saes,
    cells,
    pca: { second_moment_eigenvalues: eig, covariance_eigenvalues: eig, second_moment_axes_deg: [], eigenvalue_ratio: eig[0] / eig[eig.length - 1] },
    expected_l1: null,
    curves: {
      step: steps,
      // spikes every 7th step (a near-zero |h| in the batch)
      total: saes.map((s) => steps.map((t, i) => (i % 7 === 3 ? 50 : 0.2 + 1 / (1 + t / 100) + s.index / 100))),
      eval: {
        step: steps.filter((_, i) => i % 4 === 0),
        batch: saes.map((s) => steps.filter((_, i) => i % 4 === 0).map((t) => 0.15 + 1 / (1 + t / 100) + s.index / 100)),
        per_sample: saes.map((s) => steps.filter((_, i) => i % 4 === 0).map((t, i) => (i === 2 ? 80 : 0.2 + 1 / (1 + t / 100) + s.index / 100))),
      },
    },
    evaluation: { samples: 100, selection: 'per_sample_fvu', software_adapter: true },
    sae_path: 'fused',
    kernels: { toy: { kernel: 'modular', why: 'hand-built' }, sae: { path: 'fused', kernel: 'v1', threads: 16, describe: 'hand-built', why: 'hand-built' } },
    timing: { toy_s: 0, sae_s: 0, eval_s: 0, analysis_s: 0 },
    weights: { toy: new Float32Array(0), saes: new Float32Array(0) },
    files: {},
  } as unknown as StoredExperiment & ExperimentResult;
}

export function fakeResults(experiments: StoredExperiment[], preset = 'mine'): ResultsFile {
  return {
    kit: 'test',
    preset,
    description: 'hand-built',
    budget: { kind: 'quick', note: 'hand-built', sae_steps: {}, sae_batch: {} },
    adapter: null,
    shard: null,
    started: '2026-01-01T00:00:00Z',
    updated: '2026-01-01T00:00:00Z',
    timing: {},
    experiments,
  };
}

/** The study's geometry: x1 +e1, x2 -e1, y1 +e2, y2 -e2. */
export const STUDY_W: Vec[] = [
  [1, 0],
  [-1, 0],
  [0, 1],
  [0, -1],
];
/** Cross-set pairing, as on one-hot toy seeds 1 and 6: x1 opposite y1, x2 opposite y2. */
export const CROSS_W: Vec[] = [
  [1, 0.05],
  [0.05, 1],
  [-1, 0.02],
  [0.02, -1],
];
