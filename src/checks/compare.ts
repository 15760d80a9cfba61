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
  /** worst element by (|d| - atol) / (rtol |ref|) criterion */
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
    worstExcess = -Infinity,
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
        worstExcess = Infinity;
      }
      continue;
    }
    const d = Math.abs(g - r);
    const rel = d / Math.max(Math.abs(r), 1e-30);
    if (d > maxAbs) maxAbs = d;
    if (r !== 0 && rel > maxRel) maxRel = rel;
    const excess = d - (tol.atol + tol.rtol * Math.abs(r));
    if (excess > 0) pass = false;
    if (excess > worstExcess) {
      worstExcess = excess;
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

export function formatComparison(c: Comparison): string {
  const w = c.worst ? ` worst[${c.worstIndex}] gpu=${c.worst.gpu.toPrecision(7)} ref=${c.worst.ref.toPrecision(7)}` : '';
  return `${c.pass ? 'OK    ' : 'NOT OK'} ${c.name}: n=${c.count} maxAbs=${c.maxAbs.toExponential(2)} maxRel=${c.maxRel.toExponential(2)} (atol ${c.tol.atol}, rtol ${c.tol.rtol})${c.nonFinite ? ` nonFinite=${c.nonFinite}` : ''}${w}`;
}
