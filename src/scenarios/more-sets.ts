// (b) more than two sets: m sets of two features, uncorrelated amplitudes, d = m (one antipodal pair per set, as
// the study's toy model stores its two), s = 2m latents. A composed draw has m active features.
import type { Scenario } from './scenario';

export const moreSets: Scenario = {
  letter: 'b',
  title: 'm sets',
  question: 'With more than two sets, does the SAE still learn composed directions?',
  axis: 'm (sets of two features)',
  points: [2, 3, 4].map((m) => ({ label: `m${m}`, x: m, data: { sets: Array(m).fill(2), rho: 0 }, d: m, s: 2 * m })),
};
