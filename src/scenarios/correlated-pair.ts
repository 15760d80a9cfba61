// (e) one very strongly correlated pair at large k: two sets of six, the pair (x1, y1) raised by boost c (the
// largest joint probability its row and column allow, times c; the marginals stay uniform), d = 6, s = 12.
// Anders' question to Riggs: do a few strongly correlated features bring the composed problem back at scale?
import type { Scenario } from './scenario';

export const correlatedPair: Scenario = {
  letter: 'e',
  title: 'one strongly correlated pair',
  question: 'Does one very strongly correlated pair of features at large k bring back the composed direction?',
  axis: 'boost c of the pair x1-y1',
  points: [0, 0.5, 0.9].map((c) => ({
    label: `c${String(c).replace('.', '')}`,
    x: c,
    data: { sets: [6, 6], rho: 0, ...(c > 0 ? { boost: { i: 0, j: 0, c } } : {}) },
    d: 6,
    s: 12,
  })),
};
