import { describe, expect, it } from 'vitest';
import { compareArrays } from '../../src/checks/compare';
import { matmulBatched } from '../../src/reference/matmul';
import { rngFill } from '../../src/reference/rng';
import { pcgHash, rngU32, rngUnit } from '../../src/core/rng';
import { originOf, resolveShader, shaderHeader, shaderKeys } from '../../src/gpu/shaders';
import { loadShaderSourcesFromDisk } from '../../src/gpu/shaders-node';

describe('counter-based RNG (reference)', () => {
  it('pcg_hash matches published values of the PCG hash', () => {
    // pcg_hash(0) per Jarzynski & Olano's reference implementation (uint arithmetic mod 2^32).
    const state = 2891336453;
    const word = Number((BigInt(((state >>> ((state >>> 28) + 4)) ^ state) >>> 0) * 277803737n) & 0xffffffffn);
    expect(pcgHash(0)).toBe(((word >>> 22) ^ word) >>> 0);
  });
  it('is deterministic and differs across every counter word', () => {
    const base = rngU32(1, 2, 3, 4, 5);
    expect(rngU32(1, 2, 3, 4, 5)).toBe(base);
    for (const args of [
      [2, 2, 3, 4, 5],
      [1, 3, 3, 4, 5],
      [1, 2, 4, 4, 5],
      [1, 2, 3, 5, 5],
      [1, 2, 3, 4, 6],
    ] as [number, number, number, number, number][]) {
      expect(rngU32(...args)).not.toBe(base);
    }
  });
  it('gives U[0,1) with the right mean, variance and bucket counts', () => {
    const n = 200_000,
      buckets = new Array(10).fill(0);
    let s = 0,
      s2 = 0;
    for (let i = 0; i < n; i++) {
      const u = rngUnit(7, 3, 0, i >>> 8, i & 255);
      expect(u >= 0 && u < 1).toBe(true);
      s += u;
      s2 += u * u;
      buckets[Math.floor(u * 10)]++;
    }
    const mean = s / n,
      v = s2 / n - mean * mean;
    expect(Math.abs(mean - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / n));
    expect(Math.abs(v - 1 / 12)).toBeLessThan(0.002);
    const chi2 = buckets.reduce((a, c) => a + (c - n / 10) ** 2 / (n / 10), 0);
    expect(chi2).toBeLessThan(27.9); // chi-square 9 dof, p = 0.001
  });
  it('rngFill lays out rows x cols', () => {
    const r = rngFill({ seed: 9, stream: 1, step: 2, rows: 2, cols: 3 });
    expect(r.u32[1 * 3 + 2]).toBe(rngU32(9, 1, 2, 1, 2));
    expect(r.unit[4]).toBe(Math.fround(rngUnit(9, 1, 2, 1, 1)));
  });
});

describe('batched matmul (reference)', () => {
  it('multiplies each model independently', () => {
    const a = [1, 2, 3, 4, /* m1 */ 0, 1, 1, 0];
    const b = [5, 6, 7, 8, /* m1 */ 1, 2, 3, 4];
    expect([...matmulBatched(a, b, 2, 2, 2, 2)]).toEqual([19, 22, 43, 50, 3, 4, 1, 2]);
  });
});

describe('compareArrays', () => {
  it('passes within atol + rtol|ref| and fails outside, reporting the worst element', () => {
    expect(compareArrays('x', [1, 2.001], [1, 2], { atol: 0, rtol: 1e-3 }).pass).toBe(true);
    const c = compareArrays('x', [1, 2.01, 3], [1, 2, 3], { atol: 1e-3, rtol: 1e-3 });
    expect(c.pass).toBe(false);
    expect(c.worstIndex).toBe(1);
    expect(c.maxAbs).toBeCloseTo(0.01, 10);
    expect(compareArrays('nan', [NaN], [1], { atol: 1, rtol: 1 }).pass).toBe(false);
  });
});

describe('shader include mechanism', () => {
  it('inlines lib files once and maps lines back to their origin', () => {
    const sources = { 'a.wgsl': '// a\n//#include "lib/x.wgsl"\n//#include "lib/x.wgsl"\nfn a() {}', 'lib/x.wgsl': 'fn x() {}\nfn y() {}' };
    const r = resolveShader('a.wgsl', sources);
    expect(r.code).toBe('// a\nfn x() {}\nfn y() {}\nfn a() {}');
    expect(originOf(r, 3)).toEqual({ file: 'lib/x.wgsl', line: 2 });
    expect(originOf(r, 4)).toEqual({ file: 'a.wgsl', line: 4 });
  });
  it('names a missing include and a cycle', () => {
    expect(() => resolveShader('a.wgsl', { 'a.wgsl': '//#include "nope.wgsl"' })).toThrow(/not found: nope.wgsl \(included from a.wgsl\)/);
    expect(() => resolveShader('a.wgsl', { 'a.wgsl': '//#include "b.wgsl"', 'b.wgsl': '//#include "a.wgsl"' })).toThrow(/cycle/);
  });
  it('an include path may name a define; two files with one key are refused', () => {
    const sources = { 'k.wgsl': '//#include "v/{{V}}.wgsl"\nfn main() {}', 'v/a.wgsl': 'const A = 1;', 'v/b.wgsl': 'const B = 2;' };
    expect(resolveShader('k.wgsl', sources, { V: 'b' }).code).toContain('const B = 2;');
    expect(() => resolveShader('k.wgsl', sources)).toThrow(/includes "v\/\{\{V\}\}.wgsl": the define V has no value/);
    expect(() =>
      shaderKeys([
        ['lib/x.wgsl', 'a'],
        ['lib/x.wgsl', 'b'],
      ]),
    ).toThrow(/two shader files named lib\/x.wgsl/);
  });
  it('every kernel file opens with a header naming its bindings, dispatch and twin', () => {
    const sources = loadShaderSourcesFromDisk();
    const kernels = Object.keys(sources).filter((f) => !f.startsWith('lib/') && !f.startsWith('variants/')); // included files
    expect(kernels.length).toBeGreaterThan(0);
    for (const f of kernels) {
      const h = shaderHeader(sources[f]);
      expect(h, f).toMatch(/Bindings:/);
      expect(h, f).toMatch(/Dispatch:/);
      expect(h, f).toMatch(/Twin:/);
    }
  });
});
