// One comparison helper for every GPU-vs-reference check (llm.c / tinygrad style):
// pass iff |gpu - ref| <= atol + rtol * |ref| for every element; reports the worst errors.

export interface Tolerance {
  atol: number;
  rtol: number;
}

export interface Comparison {
  name: string;
  count: number;
  maxAbs: number;
  maxRel: number;
  /** worst element: the largest share of its own tolerance used, |d| / (atol + rtol |ref|) (an exact 0 = 0 pair
   * uses none, so it is never named beside a nonzero maxAbs; with tolerance 0, any difference is infinitely over) */
  worstIndex: number;
  worst: { gpu: number; ref: number } | null;
  tol: Tolerance;
  pass: boolean;
  nonFinite: number;
}

export function compareArrays(name: string, gpu: ArrayLike<number>, ref: ArrayLike<number>, tol: Tolerance): Comparison {
  if (gpu.length !== ref.length) throw new Error(`${name}: length mismatch, gpu ${gpu.length} vs reference ${ref.length}`);
  let maxAbs = 0,
    maxRel = 0,
    worstIndex = -1,
    worstShare = -Infinity,
    nonFinite = 0;
  let pass = true;
  for (let i = 0; i < ref.length; i++) {
    const g = gpu[i],
      r = ref[i];
    if (!Number.isFinite(g) || !Number.isFinite(r)) {
      if (!(Number.isNaN(g) && Number.isNaN(r)) && g !== r) {
        nonFinite++;
        pass = false;
        worstIndex = i;
        worstShare = Infinity;
      }
      continue;
    }
    const d = Math.abs(g - r);
    const rel = d / Math.max(Math.abs(r), 1e-30);
    if (d > maxAbs) maxAbs = d;
    if (r !== 0 && rel > maxRel) maxRel = rel;
    const allowed = tol.atol + tol.rtol * Math.abs(r);
    if (d > allowed) pass = false;
    const share = d === 0 ? 0 : allowed > 0 ? d / allowed : Infinity;
    if (share > worstShare) {
      worstShare = share;
      worstIndex = i;
    }
  }
  return {
    name,
    count: ref.length,
    maxAbs,
    maxRel,
    worstIndex,
    worst: worstIndex >= 0 ? { gpu: gpu[worstIndex], ref: ref[worstIndex] } : null,
    tol,
    pass,
    nonFinite,
  };
}

/** A float32 value with the digits that tell it from its neighbours (9 significant), 0 as 0, no trailing zeros. */
export function formatValue(x: number): string {
  if (!Number.isFinite(x) || x === 0) return String(x);
  const a = Math.abs(x);
  return a >= 1e-4 && a < 1e9 ? String(Number(x.toPrecision(9))) : x.toExponential(8).replace(/\.?0+e/, 'e');
}

export function formatComparison(c: Comparison): string {
  const w = c.worst
    ? ` worst[${c.worstIndex}] gpu=${formatValue(c.worst.gpu)} ref=${formatValue(c.worst.ref)} (|d|=${Math.abs(c.worst.gpu - c.worst.ref).toExponential(2)})`
    : '';
  return `${c.pass ? 'OK    ' : 'NOT OK'} ${c.name}: n=${c.count} maxAbs=${c.maxAbs.toExponential(2)} maxRel=${c.maxRel.toExponential(2)} (atol ${c.tol.atol}, rtol ${c.tol.rtol})${c.nonFinite ? ` nonFinite=${c.nonFinite}` : ''}${w}`;
}
