// The SAE variant records (src/variants): each has its WGSL file with the four act_ functions, a complete
// twin, a name the config schema accepts, and a flag/topk encoding that variantOf reads back; a kernel that
// includes a variant's file fails clearly when the job gives no SAE_VARIANT.
import { describe, expect, it } from 'vitest';
import { parseExperiment } from '../../src/config/schema';
import { loadShaderSourcesFromDisk } from '../../src/gpu/shaders-node';
import { resolveShader } from '../../src/gpu/shaders';
import { defaultConfig, toyLayout } from '../../src/core/wire';
import { dataSetup, saeJobPlan } from '../../src/jobs/experiment';
import { SAE_VARIANT_NAMES, SAE_VARIANTS, saeFlags, saeVariant, variantOf } from '../../src/variants';

const sources = loadShaderSourcesFromDisk();
const ACT_FNS = ['act_f', 'act_penalised', 'act_dpre', 'act_dth'];

describe('SAE variant records', () => {
  it('every record has its WGSL file with the four act_ functions and a twin of each', () => {
    expect(SAE_VARIANTS.map((v) => v.name).sort()).toEqual([...SAE_VARIANT_NAMES].sort());
    for (const v of SAE_VARIANTS) {
      expect(v.wgsl, v.name).toBe(`variants/${v.name}.wgsl`);
      expect(sources[v.wgsl], v.wgsl).toBeDefined();
      const src = resolveShader(v.wgsl, sources).code; // with what it includes (lib/act_l1.wgsl)
      for (const fn of ACT_FNS) expect(src.match(new RegExp(`^fn ${fn}\\(`, 'gm')), `${v.wgsl}: ${fn}`).toHaveLength(1);
      for (const fn of ['theta', 'activation', 'penalised', 'dpre', 'dth'] as const) expect(typeof v.twin[fn], `${v.name}.twin.${fn}`).toBe('function');
    }
    // no stray variant file without a record
    expect(
      Object.keys(sources)
        .filter((f) => f.startsWith('variants/'))
        .sort(),
    ).toEqual(SAE_VARIANTS.map((v) => v.wgsl).sort());
  });

  it('the config accepts each name, and the job built from it names the same variant on the wire', () => {
    for (const name of SAE_VARIANT_NAMES) {
      const v = saeVariant(name);
      const exp = parseExperiment({ name: `v-${name}`, sae: { variant: name, ...(v.needsK ? { k: 2 } : {}) } });
      const data = dataSetup(exp);
      const { spec } = saeJobPlan(exp, data, new Float32Array(toyLayout(data.dims).P).fill(0.1));
      expect(variantOf(spec.cfg).name, name).toBe(name);
      expect(spec.cfg.topk, name).toBe(v.needsK ? 2 : 0);
      expect(variantOf({ flags: saeFlags({ variant: name }), topk: v.needsK ? 2 : 0 }).name).toBe(name);
    }
    expect(() => saeVariant('gated')).toThrow(/unknown SAE variant 'gated' \(known: .*relu/);
    expect(() => parseExperiment({ name: 'x', sae: { variant: 'gated' } })).toThrow(/variant/);
  });

  it('twins: relu and topk penalise f (L1), jumprelu [f > 0] (L0); only jumprelu has a threshold gradient', () => {
    const cfg = { ...defaultConfig({ M: 1, B: 1, topk: 1 }), jump_eps: 0.2 };
    const pre = [0.3, -0.2, 0.5],
      theta = [0.25, 0.25, 0.6];
    expect(saeVariant('relu').twin.activation(cfg, pre, theta, 0)).toEqual([0.3, 0, 0.5]);
    expect(saeVariant('topk').twin.activation(cfg, pre, theta, 0)).toEqual([0, 0, 0.5]);
    expect(saeVariant('batchtopk').twin.activation(cfg, pre, theta, 0.4)).toEqual([0, 0, 0.5]);
    expect(saeVariant('jumprelu').twin.activation(cfg, pre, theta, 0)).toEqual([0.3, 0, 0]);
    expect(saeVariant('relu').twin.penalised(0.3)).toBe(0.3);
    expect(saeVariant('jumprelu').twin.penalised(0.3)).toBe(1);
    expect(saeVariant('relu').twin.dpre(0.3, 0.1, 0.05)).toBeCloseTo(0.15, 15);
    expect(saeVariant('jumprelu').twin.dpre(0.3, 0.1, 0.05)).toBe(0.1);
    expect(saeVariant('relu').twin.dth(cfg, 0.3, 0.25, 0.1, 0.05)).toBe(0);
    expect(saeVariant('jumprelu').twin.dth(cfg, 0.3, 0.25, 0.1, 0.05)).toBeCloseTo(0.25 * (-(0.25 / 0.2) * 0.1 - 0.05 / 0.2), 15);
    expect(saeVariant('jumprelu').twin.dth(cfg, 0.9, 0.25, 0.1, 0.05)).toBe(0); // outside the kernel's window
  });

  it('a kernel including a variant file without SAE_VARIANT fails naming the define', () => {
    expect(() => resolveShader('sae_forward.wgsl', sources)).toThrow(/includes "variants\/\{\{SAE_VARIANT\}\}.wgsl": the define SAE_VARIANT has no value/);
    for (const v of SAE_VARIANTS) expect(resolveShader('sae_forward.wgsl', sources, { SAE_VARIANT: v.name }).code).toContain(`SAE variant ${v.name}`);
  });
});
