// Probability tables of composed-feature data (docs/science.md §1), built on the host in f64 and shipped to the
// GPU (and the reference sampler) as f32 CDFs so both draw exactly the same features.

export interface DataSpec {
  /** feature count of each set; n = sum */
  sets: number[];
  /** joint table over the product of the sets, flattened row-major (first set slowest); default uniform */
  joint?: number[];
  /** per-set probabilities for independent sets (used when joint is absent) */
  setProbs?: number[][];
  /** amplitude correlation rho in [0, 1] */
  rho: number;
  /** probability of a one-hot draw */
  pOnehot: number;
  /** probabilities of the one-hot feature (default uniform 1/n) */
  onehotProbs?: number[];
  /** correlated-pair boost on a two-set joint table: raise P[i, j] by c times the room it has */
  boost?: { i: number; j: number; c: number };
  /** Zipf(alpha) feature frequencies: p(rank r) proportional to r^-alpha within each set and for one-hot draws */
  zipfAlpha?: number;
  /**
   * a hierarchy (SAELens's HierarchyConfig semantics, two levels): set 0 holds the parents, set 1 their children,
   * `children` per parent in parent order; a composed draw is a parent with one of its own children (mutually
   * exclusive), a one-hot draw a parent alone (children never fire without their parent)
   */
  hierarchy?: { children: number };
}

/** The hierarchy's parent of each child (set 1's features, in order): child c belongs to parent floor(c / children). */
export function hierarchyParents(sets: number[], children: number): number[] {
  if (sets.length !== 2 || sets[1] !== sets[0] * children)
    throw new Error(`a hierarchy needs two sets, parents and children: sets [P, P x ${children}], got [${sets.join(', ')}]`);
  return Array.from({ length: sets[1] }, (_, c) => Math.floor(c / children));
}

export function zipf(k: number, alpha: number): number[] {
  const w = Array.from({ length: k }, (_, r) => (r + 1) ** -alpha);
  const s = w.reduce((a, b) => a + b, 0);
  return w.map((v) => v / s);
}

export function featureCount(sets: number[]): number {
  return sets.reduce((a, b) => a + b, 0);
}

function checkProbs(name: string, p: number[]): void {
  p.forEach((x, i) => {
    if (!Number.isFinite(x) || x < 0) throw new Error(`${name}[${i}] = ${x}: probabilities must be finite and >= 0`);
  });
  const s = p.reduce((a, b) => a + b, 0);
  if (Math.abs(s - 1) > 1e-6) throw new Error(`${name} sums to ${s}, must sum to 1`);
}

/** Raise P[i0, j0] by c times the largest amount its row and column allow; rescale the rest of that
 * row and column to keep their marginals, and the remaining block so the table sums to 1. */
export function boostPair(P: number[][], i0: number, j0: number, c: number): number[][] {
  if (!(c >= 0 && c <= 1)) throw new Error(`boost c = ${c} must lie in [0, 1]`);
  const R = P.length,
    C = P[0].length;
  if (!(i0 >= 0 && i0 < R && j0 >= 0 && j0 < C)) throw new Error(`boost pair (${i0}, ${j0}) outside the ${R}x${C} table`);
  const row = P[i0].reduce((a, b) => a + b, 0);
  const col = P.reduce((a, r) => a + r[j0], 0);
  const old = P[i0][j0];
  const nu = old + c * (Math.min(row, col) - old);
  const out = P.map((r) => [...r]);
  const rowRest = row - old,
    colRest = col - old;
  for (let j = 0; j < C; j++) if (j !== j0) out[i0][j] = rowRest > 0 ? (P[i0][j] * (row - nu)) / rowRest : 0;
  for (let i = 0; i < R; i++) if (i !== i0) out[i][j0] = colRest > 0 ? (P[i][j0] * (col - nu)) / colRest : 0;
  out[i0][j0] = nu;
  let block = 0;
  for (let i = 0; i < R; i++) for (let j = 0; j < C; j++) if (i !== i0 && j !== j0) block += P[i][j];
  const want = 1 - row - col + nu;
  for (let i = 0; i < R; i++) for (let j = 0; j < C; j++) if (i !== i0 && j !== j0) out[i][j] = block > 0 ? (P[i][j] * want) / block : 0;
  return out;
}

/** The joint table over all sets (flattened, row-major, first set slowest), in f64. */
export function jointTable(spec: DataSpec): number[] {
  const size = spec.sets.reduce((a, b) => a * b, 1);
  let joint: number[];
  if (spec.hierarchy) {
    // parent i with each of its own children alike; no parent with another's child
    const parentOf = hierarchyParents(spec.sets, spec.hierarchy.children);
    const [P, C] = spec.sets;
    joint = Array.from({ length: P * C }, (_, q) => (parentOf[q % C] === Math.floor(q / C) ? 1 / C : 0));
  } else if (spec.joint) {
    if (spec.joint.length !== size) throw new Error(`joint table has ${spec.joint.length} entries, sets ${spec.sets.join('x')} need ${size}`);
    joint = [...spec.joint];
  } else {
    const probs = spec.setProbs ?? spec.sets.map((k) => (spec.zipfAlpha !== undefined ? zipf(k, spec.zipfAlpha) : new Array(k).fill(1 / k)));
    if (probs.length !== spec.sets.length) throw new Error(`setProbs has ${probs.length} sets, expected ${spec.sets.length}`);
    probs.forEach((p, j) => {
      if (p.length !== spec.sets[j]) throw new Error(`setProbs[${j}] has ${p.length} entries, set ${j} has ${spec.sets[j]} features`);
      checkProbs(`setProbs[${j}]`, p);
    });
    joint = [1];
    for (const p of probs) joint = joint.flatMap((a) => p.map((b) => a * b));
  }
  checkProbs('joint table', joint);
  if (spec.boost) {
    if (spec.sets.length !== 2) throw new Error('the correlated-pair boost needs exactly two sets');
    const [R, C] = spec.sets;
    const P = Array.from({ length: R }, (_, i) => joint.slice(i * C, (i + 1) * C));
    joint = boostPair(P, spec.boost.i, spec.boost.j, spec.boost.c).flat();
  }
  return joint;
}

export function onehotTable(spec: DataSpec): number[] {
  const n = featureCount(spec.sets);
  // a hierarchy's one-hot draws are parents alone (a child never fires without its parent)
  const parentsOnly = spec.hierarchy ? Array.from({ length: n }, (_, i) => (i < spec.sets[0] ? 1 / spec.sets[0] : 0)) : undefined;
  const p = spec.onehotProbs ?? parentsOnly ?? (spec.zipfAlpha !== undefined ? zipf(n, spec.zipfAlpha) : new Array(n).fill(1 / n));
  if (p.length !== n) throw new Error(`onehotProbs has ${p.length} entries, expected ${n}`);
  checkProbs('onehotProbs', p);
  return p;
}

/** f32 CDF with the last entry exactly 1 (u < 1 always lands inside). */
export function cdfF32(p: number[]): Float32Array {
  const out = new Float32Array(p.length);
  let acc = 0;
  p.forEach((x, i) => {
    acc += x;
    out[i] = acc;
  });
  out[p.length - 1] = 1;
  return out;
}

/** The `tables` buffer of sample_data.wgsl: joint CDF then one-hot CDF. */
export function samplerTables(spec: DataSpec): { tables: Float32Array; tableLen: number } {
  if (spec.sets.length < 1 || spec.sets.some((k) => !Number.isInteger(k) || k < 1))
    throw new Error(`sets ${JSON.stringify(spec.sets)} must be positive integers`);
  if (!(spec.rho >= 0 && spec.rho <= 1)) throw new Error(`rho = ${spec.rho} must lie in [0, 1]`);
  if (!(spec.pOnehot >= 0 && spec.pOnehot <= 1)) throw new Error(`pOnehot = ${spec.pOnehot} must lie in [0, 1]`);
  const joint = cdfF32(jointTable(spec));
  const onehot = cdfF32(onehotTable(spec));
  const tables = new Float32Array(joint.length + onehot.length);
  tables.set(joint);
  tables.set(onehot, joint.length);
  return { tables, tableLen: joint.length };
}
