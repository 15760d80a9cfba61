// (f) a hierarchy instead of sets (SAELens's HierarchyConfig semantics, two levels): 2 parents with 3 mutually
// exclusive children each, which fire only with their parent; a draw is a parent with one of its children, or
// (probability p_alone, the axis) the parent alone. The child's amplitude leans on its parent's (rho 0.5; SAELens
// scales a child by its parent's activation). d = 4, s = 8. The features are a fixed random dictionary,
// orthogonalised as SAELens does (100 steps): a trained toy model here stores a parent antipodal to the other
// parent's children (they never meet), which the guards flag (3 of 3 seeds at d = 4, 1 of 3 at d = 6 in a trial).
// Absorption: does the parent's latent stop firing when a child fires (its recall with a child against alone)?
import { type Scenario, WIDER_LAMBDAS } from './scenario';

export const hierarchy: Scenario = {
  letter: 'f',
  title: 'a hierarchy',
  question: "With parents whose mutually exclusive children fire only with them, are the parents absorbed into their children's latents?",
  axis: 'p_alone (parent without a child)',
  points: [0.25, 0.5, 0.75].map((p) => ({
    label: `p${String(p).replace('.', '')}`,
    x: p,
    data: { sets: [2, 6], hierarchy: { children: 3 }, rho: 0.5, p_onehot: p },
    d: 4,
    s: 8,
    toy: { model: 'dictionary', ortho_steps: 100 },
    lambdas: WIDER_LAMBDAS, // at lambda 1 the L1-style variants' L0 stayed above the data's (unit-norm features)
  })),
};
