// The fit rules read a kernel's workgroup memory and reduced values from its WGSL (src/gpu/shader-facts.ts),
// not from TypeScript formulas: the parse itself, and what the fused versions' rules then see.
import { describe, expect, it } from 'vitest';
import { factsOfCode, moduleDeclarations } from '../../src/gpu/shader-facts';
import { loadShaderSourcesFromDisk } from '../../src/gpu/shaders-node';
import { saeTestSpec, STUDY_SHAPE } from '../../src/kernels/fixtures';
import { fusedMisfit, SAE_STEPS, stepsFootprint, type FitTarget } from '../../src/kernels/sae_steps';
import { TOY_STEPS, toyStepsFootprint } from '../../src/kernels/toy_steps';
import { toyTestSpec } from '../../src/kernels/fixtures';

const sources = loadShaderSourcesFromDisk();
const target = (bytes: number, subgroups: boolean): FitTarget => ({
  limits: { maxComputeInvocationsPerWorkgroup: 256, maxComputeWorkgroupStorageSize: bytes, maxStorageBuffersPerShaderStage: 10 },
  features: new Set(subgroups ? ['subgroups'] : []),
  sources,
});

describe('shader facts', () => {
  it('sizes var<workgroup> declarations from the shader constants and reads scalar consts', () => {
    const f = factsOfCode(`
      const A: u32 = 4u;   // a comment with var<workgroup> in it
      const WG: u32 = 8u;
      const RV: u32 = A * 2u + 1u;
      /* var<workgroup> nope: array<f32, 1000>; */
      struct Pair { a: f32, b: vec3<f32> }
      var<workgroup> red: array<f32, RV * WG>;
      var<workgroup> flag: u32;
      var<workgroup> pairs: array<Pair, 2>;
      var<private> acc: array<f32, 64>;
      const SIZES = array<u32, 2>(1u, 2u);
      fn main() { var<function> t: array<f32, 99>; { let x = 1u; } }
    `);
    expect(f.vars).toEqual([
      { name: 'red', bytes: 9 * 8 * 4 },
      { name: 'flag', bytes: 4 },
      { name: 'pairs', bytes: 64 },
    ]);
    expect(f.workgroupBytes).toBe(288 + 4 + 64);
    expect(f.consts.get('RV')).toBe(9);
    expect(f.consts.has('SIZES')).toBe(false);
  });

  it('keeps only module-scope declarations', () => {
    const d = moduleDeclarations('const X: u32 = 1u;\nfn f() -> u32 { const Y: u32 = 2u; return Y; }\n@group(0) @binding(0) var<storage, read> b: array<f32>;');
    expect(d).toBe('const X: u32 = 1u;');
  });
});

describe('fused steps: footprints from their WGSL', () => {
  const spec = saeTestSpec({ ...STUDY_SHAPE, M: 6, B: 64, T: 10, flags: 0 });
  it('v1 keeps RV rows per thread; its RV is the shader constant P + S + the 6 loss sums it reduces', () => {
    const f16 = stepsFootprint(SAE_STEPS.v1, spec, 16, target(16384, false));
    const f32 = stepsFootprint(SAE_STEPS.v1, spec, 32, target(16384, false));
    expect(f16.rv).toBe(26 + 4 + 6); // P = 26 at d = 2, s = 4 (layout test)
    expect(f16.vars.find((v) => v.name === 'red')?.bytes).toBe(f16.rv * 16 * 4);
    expect(f32.bytes).toBeGreaterThan(f16.bytes);
  });
  it('v2 needs less workgroup memory with subgroups; cpu none', () => {
    const withSg = stepsFootprint(SAE_STEPS.v2, spec, 64, target(65536, true));
    const without = stepsFootprint(SAE_STEPS.v2, spec, 64, target(65536, false));
    expect(withSg.bytes).toBeLessThan(without.bytes);
    expect(stepsFootprint(SAE_STEPS.cpu, spec, 1, target(0, false))).toEqual({ rv: 0, bytes: 0, vars: [] });
  });
  it('a device with too little workgroup memory gets the reflected bytes and variables in the reason', () => {
    const need = stepsFootprint(SAE_STEPS.v1, spec, 16, target(16384, false)).bytes;
    expect(fusedMisfit(spec, target(need, false), 'v1')).toBeNull();
    expect(fusedMisfit(spec, target(need - 4, false), 'v1')).toMatch(new RegExp(`v1 needs ${need} bytes of workgroup memory at 16 threads \\(red \\d+, .*\\)`));
    expect(fusedMisfit(spec, target(0, false), 'cpu')).toBeNull();
  });
  it('the fused toy step reduces P + 1 values (its RV) and fits where its bytes do', () => {
    const toy = toyTestSpec();
    const f = toyStepsFootprint(TOY_STEPS.fused, toy, 64, target(16384, false));
    expect(f.rv).toBe(4 * 2 + 4 + 1);
    expect(TOY_STEPS.fused.misfit(toy, target(f.bytes, false), 64, false)).toBeNull();
    expect(TOY_STEPS.fused.misfit(toy, target(f.bytes - 4, false), 64, false)).toMatch(/needs \d+ bytes of workgroup memory \(part \d+, red_fb \d+, wt \d+\)/);
  });
});
