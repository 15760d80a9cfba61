// (a) k features per set growing: a composed pair gets rarer (1/k^2 of the draws) than each true feature (1/k).
// Two sets of k features, uncorrelated amplitudes, the toy model in d = k, as many latents as features (s = 2k).
import type { Scenario } from './scenario';

export const kGrows: Scenario = {
  letter: 'a',
  title: 'k features per set',
  question: 'As k grows, composed pairs occur more rarely than true features: when does the SAE switch from composed pairs to the true features?',
  axis: 'k (features per set)',
  expectation:
    "The kit's analytic expectation covers k = 2 only: with uncorrelated amplitudes a composed dictionary codes a draw at expected L1 0.943 against the true one's 1.000 (docs/science.md §5.5), so an L1 SAE prefers the composed directions there. For k > 2 it has none: s = 2k latents cannot hold the k^2 composed directions, so a composed code is out of reach from k = 3 on.",
  points: [2, 3, 4, 6, 8].map((k) => ({ label: `k${k}`, x: k, data: { sets: [k, k], rho: 0 }, d: k, s: 2 * k })),
};
