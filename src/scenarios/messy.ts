// (c) messier superposition than antipodal pairs: "10 total features and the hidden dimension is 3 or 4" (two sets
// of five, uncorrelated amplitudes), s = 10 latents; lambda up to 10 (at 1 the L1-style variants' L0 stayed above 2).
import { type Scenario, WIDER_LAMBDAS } from './scenario';

export const messy: Scenario = {
  letter: 'c',
  title: '10 features in d = 3, 4',
  question: 'In messier superposition (10 total features and the hidden dimension is 3 or 4), what does the SAE learn?',
  axis: 'd (hidden dims, 10 features)',
  points: [3, 4].map((d) => ({ label: `d${d}`, x: d, data: { sets: [5, 5], rho: 0 }, d, s: 10, lambdas: WIDER_LAMBDAS })),
};
