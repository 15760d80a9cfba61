// Loop unrolling at the source level, for kernels shaped for CPU adapters (define UNROLL = 1).
// A software adapter keeps a private array in memory and indexes it per SIMD lane whenever an index is
// not a compile-time constant; SwiftShader does not unroll loops itself. Unrolling every
// `for (var i = 0u; i < C; i++) { ... }` whose bound C is a constant expression (of literals and
// `const` u32 declarations) turns `a[OFF + i * D + j]` into constant indices, which both adapters keep in
// registers. The math and its order are unchanged: each copy is the loop body in its own block with the
// loop variable replaced by a literal, in increasing order. Loops whose body has break/continue, that
// redeclare their variable, with more than MAX_TRIPS iterations, a larger expansion than MAX_LOOP_EXPANSION
// or one that would take the kernel past MAX_OUTPUT are left as they are (their inner loops may still
// unroll). Loops marked `//#rolled` (cold code) unroll only after all others, within the same limits.

const MAX_TRIPS = 64;
/** characters one loop may expand to (trips x body): larger loops stay rolled, their inner loops may unroll */
const MAX_LOOP_EXPANSION = 24_000;
/** characters of the whole kernel beyond which no loop unrolls (compile time grows with the code). The fused SAE
 * step at n = 32, d = 8, s = 32 unrolls its per-sample code in about 300k: 3.1x the samples/s of a 150k cap on
 * lavapipe, with no longer a cold compile */
const MAX_OUTPUT = 300_000;

/** `//#rolled ...` as the last line before a loop: unrolled only after every unmarked loop (cold code) */
const ROLLED = /\/\/#rolled[^\n]*\n\s*$/;

const HEADER = /for\s*\(\s*var\s+(\w+)\s*=\s*0u\s*;\s*(\w+)\s*<\s*([^;]+?)\s*;\s*(\w+)\s*\+\+\s*\)\s*\{/g;

/** The u32 `const` declarations of a WGSL source that evaluate to integers, in declaration order. */
export function u32Consts(code: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of code.matchAll(/^\s*const\s+(\w+)\s*(?::\s*u32\s*)?=\s*([^;]+);/gm)) {
    const v = evalConst(m[2], out);
    if (v !== null) out.set(m[1], v);
  }
  return out;
}

/** Value of an integer expression of literals (`3u`, `0x10u`) and known constants, or null. */
export function evalConst(expr: string, consts: Map<string, number>): number | null {
  let ok = true;
  const e = expr
    .replace(/\b(0x[0-9a-f]+|\d+)u?\b/gi, (x) => String(Number.parseInt(x.replace(/u$/i, ''), x.toLowerCase().startsWith('0x') ? 16 : 10)))
    .replace(/\b[A-Za-z_]\w*\b/g, (name) => {
      const v = consts.get(name);
      if (v === undefined) ok = false;
      return String(v);
    });
  if (!ok || !/^[\d\s+*()/-]+$/.test(e)) return null;
  try {
    const v = Function(`"use strict"; return (${e});`)() as number;
    if (!Number.isFinite(v)) return null;
    // WGSL u32 division truncates
    return e.includes('/') ? Math.trunc(v) : v;
  } catch {
    return null;
  }
}

/** Index of the brace closing the one at `open`. */
function closing(code: string, open: number): number {
  let depth = 0;
  for (let i = open; i < code.length; i++) {
    if (code[i] === '{') depth++;
    else if (code[i] === '}' && --depth === 0) return i;
  }
  throw new Error('unroll: unbalanced braces');
}

export function unrollLoops(code: string): string {
  // marked loops (`//#rolled` on the line before) go last: the hot per-sample code gets the text budget first
  return unrollPass(unrollPass(code, false), true);
}

function unrollPass(code: string, marked: boolean): string {
  const consts = u32Consts(code);
  let out = code;
  let from = 0;
  for (;;) {
    HEADER.lastIndex = from;
    const m = HEADER.exec(out);
    if (!m) return out;
    const [whole, v, v2, bound, v3] = m;
    const open = m.index + whole.length - 1;
    const close = closing(out, open);
    const body = out.slice(open + 1, close);
    const trips = v === v2 && v === v3 ? evalConst(bound, consts) : null;
    const code = body.replace(/\/\/[^\n]*/g, ''); // a word in a comment is not a statement
    const unsafe = /\b(break|continue)\b/.test(code) || new RegExp(`\\b(var|let|const)\\s+${v}\\b`).test(code);
    const later = !marked && ROLLED.test(out.slice(Math.max(0, m.index - 300), m.index));
    if (later || unsafe || trips === null || trips > MAX_TRIPS || trips * body.length > MAX_LOOP_EXPANSION) {
      from = m.index + whole.length; // leave this loop; nested ones may still unroll
      continue;
    }
    const name = new RegExp(`\\b${v}\\b`, 'g');
    const copies = Array.from({ length: trips }, (_, i) => `{${body.replace(name, `${i}u`)}}`).join(' ');
    if (out.length - (close + 1 - m.index) + copies.length > MAX_OUTPUT) {
      from = m.index + whole.length;
      continue;
    }
    out = out.slice(0, m.index) + copies + out.slice(close + 1);
    from = m.index; // the copies may hold loops whose bounds are now constant
  }
}

/** Replace `cfg.NAME` by the u32 literal for each `NAME=VALUE` of `spec` (space-separated). */
export function specializeFields(code: string, spec: string): string {
  let out = code;
  for (const item of spec.split(/\s+/).filter(Boolean)) {
    const m = /^(\w+)=(\d+)$/.exec(item);
    if (!m) throw new Error(`SPECIALIZE: '${item}' is not NAME=u32`);
    out = out.replace(new RegExp(`\\bcfg\\.${m[1]}\\b`, 'g'), `${m[2]}u`);
  }
  return out;
}
