// experimentWarnings (src/jobs/experiment.ts): a valid config whose s is below the number of occurring
// composed directions (or of features) cannot yield that verdict; it is said before training, naming the
// experiment. The study's presets get no warning.
import { describe, expect, it } from 'vitest';
import { parseExperiment } from '../../src/config/schema';
import { getPreset } from '../../src/experiments/presets';
import { experimentWarnings } from '../../src/jobs/experiment';

const exp = (name: string, sets: number[], s: number, joint?: number[]) =>
  parseExperiment({ name, data: { sets, rho: 0, ...(joint ? { joint } : {}) }, toy: { d: 2 }, sae: { s }, grid: { lr: [1e-3], l1: [0.1] }, realizations: 1 });

describe('experimentWarnings', () => {
  it('warns when s is below the occurring composed directions, naming the experiment', () => {
    const [w, ...rest] = experimentWarnings(exp('three-sets', [2, 2, 2], 6));
    expect(rest).toEqual([]);
    expect(w).toBe(
      "experiment 'three-sets': sae.s = 6 latents is below the 8 occurring composed directions: no SAE can be judged composed (matched recovery gives each direction its own latent)",
    );
    expect(experimentWarnings(exp('k3', [3, 3], 4))[0]).toMatch(
      /^experiment 'k3': sae.s = 4 latents is below the 9 occurring composed directions and the 6 features: no SAE can be judged composed or true/,
    );
  });

  it('counts only the composed directions that occur', () => {
    // x1+y1 and x2+y2 only: 2 composed directions, 4 features
    expect(experimentWarnings(exp('diag', [2, 2], 2, [0.5, 0, 0, 0.5]))).toEqual([
      "experiment 'diag': sae.s = 2 latents is below the 4 features: no SAE can be judged true (matched recovery gives each direction its own latent)",
    ]);
    expect(experimentWarnings(exp('diag4', [2, 2], 4, [0.5, 0, 0, 0.5]))).toEqual([]);
  });

  it('is silent where both verdicts can occur, and for one set', () => {
    expect(experimentWarnings(exp('study', [2, 2], 4))).toEqual([]);
    expect(experimentWarnings(exp('one', [4], 2))).toEqual([]);
    for (const p of ['tiny', 'study-quick', 'study-full']) expect(getPreset(p).experiments.flatMap(experimentWarnings)).toEqual([]);
  });
});
