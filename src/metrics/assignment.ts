// One-to-one assignment (the Hungarian algorithm, in the shortest-augmenting-path form of Jonker and
// Volgenant): O(r^2 c) for an r x c cost matrix with r <= c, exact for rectangular matrices. Used to match SAE
// latents to target directions (docs/science.md §8.4), as SAELens's synthetic-data evaluation does for MCC.

/**
 * Minimum-cost assignment of the rows of `cost` (r x c) to distinct columns, or of the columns to distinct
 * rows when r > c. Returns, per row, its column (-1 when the row is left unassigned because r > c).
 * Non-finite costs are not allowed.
 */
export function assignMin(cost: number[][]): number[] {
  const r = cost.length;
  if (!r) return [];
  const c = cost[0].length;
  for (const row of cost) {
    if (row.length !== c) throw new Error('assignMin: ragged cost matrix');
    for (const v of row) if (!Number.isFinite(v)) throw new Error('assignMin: non-finite cost');
  }
  if (!c) return cost.map(() => -1);
  if (r > c) {
    // assign the columns to rows, then invert
    const t = Array.from({ length: c }, (_, j) => cost.map((row) => row[j]));
    const colToRow = assignMin(t);
    const out = new Array(r).fill(-1);
    colToRow.forEach((i, j) => {
      out[i] = j;
    });
    return out;
  }
  // 1-indexed potentials u (rows), v (columns); p[j] = row matched to column j (0 = none)
  const INF = Number.POSITIVE_INFINITY;
  const u = new Array(r + 1).fill(0),
    v = new Array(c + 1).fill(0),
    p = new Array(c + 1).fill(0),
    way = new Array(c + 1).fill(0);
  for (let i = 1; i <= r; i++) {
    p[0] = i;
    let j0 = 0;
    const minv = new Array(c + 1).fill(INF);
    const used = new Array(c + 1).fill(false);
    do {
      used[j0] = true;
      const i0 = p[j0];
      let delta = INF,
        j1 = 0;
      for (let j = 1; j <= c; j++) {
        if (used[j]) continue;
        const cur = cost[i0 - 1][j - 1] - u[i0] - v[j];
        if (cur < minv[j]) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j] < delta) {
          delta = minv[j];
          j1 = j;
        }
      }
      for (let j = 0; j <= c; j++) {
        if (used[j]) {
          u[p[j]] += delta;
          v[j] -= delta;
        } else minv[j] -= delta;
      }
      j0 = j1;
    } while (p[j0] !== 0);
    do {
      const j1 = way[j0];
      p[j0] = p[j1];
      j0 = j1;
    } while (j0);
  }
  const out = new Array(r).fill(-1);
  for (let j = 1; j <= c; j++) if (p[j]) out[p[j] - 1] = j - 1;
  return out;
}

/** Maximum-weight one-to-one assignment (rows to columns); see assignMin. */
export function assignMax(weight: number[][]): number[] {
  return assignMin(weight.map((row) => row.map((w) => -w)));
}
