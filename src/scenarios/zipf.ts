// (d) Zipf-distributed frequencies: two sets of four, the i-th feature of a set chosen with probability
// proportional to 1 / i^alpha (alpha 0: the study's uniform draw), d = 4, s = 8. Rare features may be absorbed
// into common combinations (Till's comment).
import type { Scenario } from './scenario';

export const zipf: Scenario = {
  letter: 'd',
  title: 'Zipf frequencies',
  question: 'With Zipf-distributed feature frequencies, are the rare features absorbed into common combinations?',
  axis: 'Zipf exponent alpha',
  points: [0, 1, 2].map((a) => ({ label: `z${a}`, x: a, data: { sets: [4, 4], rho: 0, zipf_alpha: a }, d: 4, s: 8 })),
};
