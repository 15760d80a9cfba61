// The kernel registry is the one list of kernels: every kernel file has an entry, every entry's file
// exists, every check it names exists, and each grid covers its work with the reflected workgroup size.
import { describe, expect, it } from 'vitest';
import { checkList } from '../../src/checks';
import { KERNEL_SHAPES } from '../../src/kernels/fixtures';
import { definesFor, KERNELS, LAB_DEFINES } from '../../src/kernels/registry';
import { loadShaderSourcesFromDisk } from '../../src/gpu/shaders-node';
import { resolveShader } from '../../src/gpu/shaders';
import { SAE_KERNELS, SAE_STEPS } from '../../src/kernels/sae_steps';
import { TOY_STEPS } from '../../src/kernels/toy_steps';
import { RefSaeTrainer } from '../../src/reference/trainer';

const sources = loadShaderSourcesFromDisk();
const CHECKS = checkList(sources);
// lib/ and variants/ hold included files, not kernels
const files = Object.keys(sources).filter((f) => !f.startsWith('lib/') && !f.startsWith('variants/'));

describe('kernel registry', () => {
  it('has exactly one entry per kernel file', () => {
    expect(KERNELS.map((k) => k.file).sort()).toEqual([...files].sort());
    expect(new Set(KERNELS.map((k) => k.file)).size).toBe(KERNELS.length);
  });

  it('names an existing check for every kernel with a twin', () => {
    for (const k of KERNELS.filter((e) => e.bench !== 'peak')) expect(CHECKS[k.check], `${k.file} -> '${k.check}'`).toBeDefined();
  });

  it('the fused SAE step unit: every version has its file, a check that exists, a twin and a registry entry', () => {
    for (const name of SAE_KERNELS) {
      const v = SAE_STEPS[name];
      expect(v.name, name).toBe(name);
      expect(sources[v.file], v.file).toBeDefined();
      expect(CHECKS[v.check], `${name} -> '${v.check}'`).toBeDefined();
      expect(v.twin).toBe('reference/trainer: RefSaeTrainer');
      expect(typeof RefSaeTrainer).toBe('function');
      expect(KERNELS.filter((k) => k.file === v.file && k.version === name)).toHaveLength(1);
    }
  });

  it('the fused toy step unit: every version has its file, a check that exists and a registry entry', () => {
    for (const [name, v] of Object.entries(TOY_STEPS)) {
      expect(v.name, name).toBe(name);
      expect(sources[v.file], v.file).toBeDefined();
      expect(CHECKS[v.check], `${name} -> '${v.check}'`).toBeDefined();
      expect(KERNELS.filter((k) => k.file === v.file && k.version === name)).toHaveLength(1);
    }
  });

  it('gives every placeholder of every kernel a value at each test shape', () => {
    for (const k of KERNELS)
      for (const s of KERNEL_SHAPES) {
        const defines = { ...definesFor(k.file, s), ...LAB_DEFINES };
        const code = resolveShader(k.file, sources, defines).code;
        const missing = [...code.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).filter((n) => !(n in defines));
        expect(missing, k.file).toEqual([]);
      }
  });

  it('grids are whole, positive workgroup counts or invocation counts', () => {
    for (const k of KERNELS)
      for (const s of KERNEL_SHAPES) {
        const g = k.grid(s, definesFor(k.file, s));
        const n = 'groups' in g ? g.groups : typeof g.threads === 'number' ? [g.threads] : g.threads;
        for (const v of n) expect(Number.isInteger(v) && v > 0, `${k.file}: ${JSON.stringify(g)}`).toBe(true);
      }
  });
});
