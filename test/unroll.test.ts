// The source-level unroller of the CPU-shaped kernels (src/gpu/unroll.ts): what it unrolls, what it
// leaves alone, and that an unrolled kernel computes what the rolled one does (on the GPU).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evalConst, specializeFields, u32Consts, unrollLoops } from '../src/gpu/unroll';
import { acquireNodeDevice, releaseNodeGpu } from '../src/gpu/node';
import type { GpuContext } from '../src/gpu/context';
import { Kernel } from '../src/gpu/kernel';

describe('unrollLoops', () => {
  it('evaluates u32 constants of literals and earlier constants', () => {
    const c = u32Consts('const A: u32 = 4u;\nconst B: u32 = 2u * A + 0x10u;\nconst C = (B - 1u) / 3u;\nconst F: f32 = 1.5;');
    expect([...c.entries()]).toEqual([
      ['A', 4],
      ['B', 24],
      ['C', 7],
    ]);
    expect(evalConst('A * 2u', c)).toBe(8);
    expect(evalConst('cfg.B', c)).toBeNull();
  });

  it('unrolls constant-bound loops, nested ones with bounds from the outer variable, in order', () => {
    const src = 'const S: u32 = 3u;\nfn f() { for (var k = 0u; k < S; k++) { for (var l = 0u; l < k; l++) { g(k, l); } } }';
    const out = unrollLoops(src);
    expect(out).not.toMatch(/for \(/);
    expect([...out.matchAll(/g\((\d)u, (\d)u\)/g)].map((m) => `${m[1]}${m[2]}`)).toEqual(['10', '20', '21']);
  });

  it('leaves runtime bounds, break/continue and shadowed variables rolled (their inner loops may unroll)', () => {
    const runtime = 'fn f() { for (var b = 0u; b < cfg.B; b++) { for (var j = 0u; j < 2u; j++) { h(b, j); } } }';
    const out = unrollLoops(runtime);
    expect(out).toMatch(/for \(var b = 0u; b < cfg\.B; b\+\+\)/);
    expect(out).toMatch(/h\(b, 0u\).*h\(b, 1u\)/s);
    for (const body of ['if (x) { break; }', 'if (x) { continue; }', 'let i = 2u;']) {
      const src = `fn f() { for (var i = 0u; i < 4u; i++) { ${body} } }`;
      expect(unrollLoops(src), body).toBe(src);
    }
  });

  it('reads words in comments as comments (a "continue" in one once kept the sampler loop rolled)', () => {
    const out = unrollLoops('fn f() { for (var j = 0u; j < 2u; j++) {\n // no `continue` here\n g(j); } }');
    expect(out).not.toMatch(/for \(/);
    expect(out).toMatch(/g\(0u\).*g\(1u\)/s);
  });

  it('unrolls a //#rolled loop after the others, and still unrolls the loops after one that would not fit', () => {
    const marked = 'fn f() {\n  //#rolled: cold\n  for (var k = 0u; k < 2u; k++) { c(k); }\n  for (var j = 0u; j < 2u; j++) { h(j); } }';
    const out = unrollLoops(marked);
    expect(out).not.toMatch(/for \(/);
    expect(out).toMatch(/c\(0u\).*c\(1u\).*h\(0u\).*h\(1u\)/s);
    // loops whose copies would pass the kernel's text budget (300k characters) stay rolled; a small one after them still unrolls
    const loop = `for (var k = 0u; k < 64u; k++) { ${'x(k); '.repeat(60)}} `;
    const r = unrollLoops(`fn f() { ${loop.repeat(16)}for (var i = 0u; i < 2u; i++) { y(i); } }`);
    const rolled = r.match(/for \(var k/g)?.length ?? 0;
    expect(rolled).toBeGreaterThan(0);
    expect(rolled).toBeLessThan(16);
    expect(r).toMatch(/y\(0u\).*y\(1u\)/s);
    expect(r.length).toBeLessThanOrEqual(300_000);
  });

  it('specializes uniform fields to literals', () => {
    expect(specializeFields('if ((cfg.flags & 2u) != 0u && cfg.topk > 0u) { cfg.flags_x; }', 'flags=6 topk=0')).toBe(
      'if ((6u & 2u) != 0u && 0u > 0u) { cfg.flags_x; }',
    );
    expect(() => specializeFields('', 'flags=-1')).toThrow(/not NAME=u32/);
  });
});

describe('unrolled kernels on the GPU', () => {
  let ctx: GpuContext;
  beforeAll(async () => {
    ctx = await acquireNodeDevice();
  });
  afterAll(() => releaseNodeGpu(ctx));

  it('compute the same as the rolled source', async () => {
    const code = `const N: u32 = 6u;
@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@compute @workgroup_size(1)
fn main() {
  var a: array<f32, N>;
  for (var i = 0u; i < N; i++) { a[i] = f32(i * i) + 0.5; }
  for (var i = 0u; i < N; i++) { for (var j = 0u; j < i; j++) { a[i] += a[j] * 0.25; } }
  for (var i = 0u; i < N; i++) { out[i] = a[i]; }
}`;
    const run = async (unroll: number) => {
      const k = await Kernel.create(ctx.device, 'unroll_probe.wgsl', { 'unroll_probe.wgsl': code }, { defines: { UNROLL: unroll } });
      const buf = ctx.createBuffer('out', 6 * 4);
      await ctx.run('probe', (pass) => k.dispatch(pass, k.bind({ out: buf }), 1));
      const r = await ctx.readF32(buf, 6);
      buf.destroy();
      return [...r];
    };
    const rolled = await run(0);
    expect(rolled[5]).toBeGreaterThan(25);
    expect(await run(1)).toEqual(rolled);
  });
});
