// The GEMM unit's twin and version records (the GPU versions against the twin: checks 'gemm <version>').
import { describe, expect, it } from 'vitest';
import { gemm, matmulBatched } from '../../src/reference/matmul';
import { GEMM_VERSIONS, gemmDefines, gemmVersion, layoutName } from '../../src/kernels/gemm';
import { loadShaderSourcesFromDisk } from '../../src/gpu/shaders-node';
import { expandShader } from '../../src/gpu/shaders';

const rand = (n: number, seed: number) => Float64Array.from({ length: n }, (_, i) => Math.sin(seed * 1000 + i * 12.9898) * 0.9);
const transpose = (x: ArrayLike<number>, r: number, c: number) => {
  const t = new Float64Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) t[j * r + i] = x[i * c + j];
  return t;
};

describe('GEMM twin', () => {
  it('every layout equals the plain product of the transposed operands, and accumulates onto C', () => {
    const [M, K, N] = [7, 5, 9];
    const a = rand(M * K, 1),
      b = rand(K * N, 2),
      c0 = rand(M * N, 3);
    const want = matmulBatched(a, b, 1, M, K, N);
    for (const ta of [false, true])
      for (const tb of [false, true]) {
        const s = { M, K, N, ta, tb };
        const got = gemm(ta ? transpose(a, M, K) : a, tb ? transpose(b, K, N) : b, s);
        for (let i = 0; i < M * N; i++) expect(got[i], layoutName(s)).toBeCloseTo(want[i], 12);
        const acc = gemm(ta ? transpose(a, M, K) : a, tb ? transpose(b, K, N) : b, s, c0);
        for (let i = 0; i < M * N; i++) expect(acc[i]).toBeCloseTo(want[i] + c0[i], 12);
      }
  });
});

describe('GEMM versions', () => {
  const sources = loadShaderSourcesFromDisk();
  it('each grid covers every output of odd shapes with its workgroup size (read from the WGSL) and its tile', () => {
    // outputs per workgroup: naive 16 x 16 invocations, tiled 16 x 16, blocked 64 x 64, lanes 8 rows x 256 columns
    const tile: Record<string, [number, number]> = { naive: [16, 16], tiled: [16, 16], blocked: [64, 64], lanes: [256, 8] };
    for (const v of Object.values(GEMM_VERSIONS)) {
      const code = expandShader(v.file, sources, gemmDefines(v, { ta: false, tb: false })).code;
      const wg = /@workgroup_size\((\d+)(?:,\s*(\d+))?/
        .exec(code)!
        .slice(1, 3)
        .map((x) => Number(x ?? 1));
      for (const [M, N] of [
        [1, 1],
        [37, 45],
        [1024, 4096],
        [70, 600],
      ]) {
        const g = v.grid({ M, N });
        const groups = 'groups' in g ? g.groups : [Math.ceil((g.threads as number[])[0] / wg[0]), Math.ceil((g.threads as number[])[1] / wg[1]), 1];
        expect(groups[0] * tile[v.name][0], `${v.name} columns`).toBeGreaterThanOrEqual(N);
        expect(groups[1] * tile[v.name][1], `${v.name} rows`).toBeGreaterThanOrEqual(M);
        expect((groups[0] - 1) * tile[v.name][0], `${v.name}: no idle column of workgroups`).toBeLessThan(N);
      }
    }
  });
  it('an unknown version is a named error', () => {
    expect(() => gemmVersion('fast')).toThrow(/unknown GEMM version 'fast' \(known: naive, tiled, blocked, lanes\)/);
  });
});
