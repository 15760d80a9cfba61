// (g) dictionary size from n to 4n on the study's 2x2 data (uncorrelated amplitudes, d = 2): larger dictionaries
// may escape the local minima (Till's comment).
import type { Scenario } from './scenario';

export const dictionarySize: Scenario = {
  letter: 'g',
  title: 'dictionary size',
  question: 'Do larger dictionaries (s from n to 4n) escape the composed local minima?',
  axis: 's / n (latents per feature)',
  points: [1, 2, 4].map((r) => ({ label: `s${4 * r}`, x: r, data: { sets: [2, 2], rho: 0 }, d: 2, s: 4 * r })),
};
