// The wire format is written twice, once in WGSL (shaders/lib/*.wgsl) and once in TypeScript (src/core/wire.ts).
// This test evaluates the WGSL constants for several shapes and compares them with the TypeScript layouts,
// so a constant changed on one side only fails here.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { factsOfCode } from '../../src/gpu/shader-facts';
import { defaultConfig, FLAG, HIST, MET, NOT_DIVERGED, type RecGroups, saeLayout, toyLayout } from '../../src/core/wire';
import { dimDefines } from '../../src/kernels/defines';
import { parseExperiment } from '../../src/config/schema';
import { getPreset } from '../../src/experiments/presets';

const lib = (f: string) => readFileSync(new URL(`../../shaders/lib/${f}`, import.meta.url), 'utf8');

/** Every scalar `const` of the given WGSL sources at one shape, evaluated by the reflection the fit rules use (src/gpu/shader-facts.ts). */
function wgslConsts(src: string, shape: { N: number; D: number; S: number; nested?: RecGroups; xp?: number }): Record<string, number> {
  let text = src;
  for (const [k, v] of Object.entries(dimDefines(shape))) text = text.split(`{{${k}}}`).join(String(v));
  return Object.fromEntries(factsOfCode(text).consts);
}

const SHAPES = [
  { N: 4, D: 2, S: 4 },
  { N: 9, D: 3, S: 12 },
  { N: 40, D: 16, S: 64 },
  { N: 9, D: 3, S: 12, nested: { ends: [2, 6, 12], weights: [1 / 3, 1 / 3, 1 / 3] } }, // Matryoshka: three nested reconstructions
  { N: 9, D: 3, S: 12, xp: 2 }, // Gated: two extra per-latent parameter blocks
];

describe('wire format: TypeScript layouts match the WGSL constants', () => {
  const src = lib('common.wgsl') + lib('sae_layout.wgsl') + lib('toy_layout.wgsl');

  for (const shape of SHAPES) {
    it(`SAE and toy layouts at N=${shape.N}, D=${shape.D}, S=${shape.S}${shape.nested ? `, ${shape.nested.ends.length} nested reconstructions` : ''}${shape.xp ? `, ${shape.xp} extra parameter blocks` : ''}`, () => {
      const w = wgslConsts(src, shape);
      const L = saeLayout(shape),
        T = toyLayout(shape);
      const sae: Record<keyof typeof L, string> = {
        P: 'P_SAE',
        WE: 'OFF_WE',
        BE: 'OFF_BE',
        WD: 'OFF_WD',
        BD: 'OFF_BD',
        XP: 'OFF_XP',
        XP_N: 'XP_N',
        F: 'R_F',
        DPRE: 'R_DPRE',
        A: 'R_A',
        DH: 'R_DH',
        G: 'R_G',
        HIN: 'R_HIN',
        E: 'R_E',
        LOSS: 'R_LOSS',
        LOSS_N: 'LOSS_N',
        DXP: 'R_DXP',
        DHX: 'R_DHX',
        GROUPS: 'REC_G',
        REC: 'REC',
        HIST_W: 'HIST_W',
        MET_W: 'MET_W',
        LAT_W: 'LAT_W',
      };
      for (const [ts, wg] of Object.entries(sae)) expect({ [ts]: L[ts as keyof typeof L] }).toEqual({ [ts]: w[wg] });
      const toy: Record<keyof typeof T, string> = {
        P: 'P_TOY',
        B: 'T_OFF_B',
        H: 'T_H',
        XHAT: 'T_XHAT',
        DELTA: 'T_DELTA',
        G: 'T_G',
        LOSS: 'T_LOSS',
        REC: 'REC_T',
      };
      for (const [ts, wg] of Object.entries(toy)) expect({ [ts]: T[ts as keyof typeof T] }).toEqual({ [ts]: w[wg] });
    });
  }

  it('flags, metric columns, history width and the divergence sentinel', () => {
    const w = wgslConsts(src, SHAPES[0]);
    for (const [k, v] of Object.entries(FLAG)) expect({ [k]: v }).toEqual({ [k]: w[`FLAG_${k}`] });
    const wgFlags = Object.keys(w).filter((k) => k.startsWith('FLAG_'));
    expect(wgFlags.length).toBe(Object.keys(FLAG).length);
    for (const [k, v] of Object.entries(MET)) expect({ [k]: v }).toEqual({ [k]: w[`MET_${k}`] });
    expect(w.NOT_DIVERGED).toBe(NOT_DIVERGED);
    expect(Object.keys(HIST).length).toBe(w.HIST_W);
  });

  it('Config struct members are the GpuConfig fields, in order', () => {
    const body = /struct Config \{([^}]*)\}/.exec(lib('common.wgsl'))?.[1] ?? '';
    const members = [...body.matchAll(/^\s*(\w+):/gm)].map((m) => m[1]);
    expect(members).toEqual(Object.keys(defaultConfig({})));
  });

  it('the evaluator notices a changed constant (the test can fail)', () => {
    const changed = lib('sae_layout.wgsl').replace('const REC: u32 = (3u + XP_N) * S_LAT', 'const REC: u32 = (2u + XP_N) * S_LAT');
    const w = wgslConsts(lib('common.wgsl') + changed, SHAPES[0]);
    expect(w.REC).not.toBe(saeLayout(SHAPES[0]).REC);
  });
});

describe('adapter-limit check uses the real per-sample record', () => {
  it('rejects a job whose work buffer (REC = 4S + 4D + 5 floats per sample) exceeds the limit', () => {
    const tiny = getPreset('tiny').experiments[0];
    const exp = { ...tiny, sae: { ...tiny.sae, batch: 1024 } }; // training's buffer is the larger one
    const M = exp.grid.lr.length * exp.grid.l1.length * exp.realizations;
    const rows = M * exp.sae.batch; // training holds every SAE's batch at once
    const rec = saeLayout({ D: exp.toy.d, S: exp.sae.s }).REC;
    const old = 3 * exp.sae.s + 4 * exp.toy.d + 5; // the record before JumpReLU: too small
    expect(rec).toBeGreaterThan(old);
    const evalBytes = Math.max(exp.eval_samples, exp.eval_samples_hardware ?? 0) * rec * 4; // one model's evaluation
    const cap = rows * old * 4; // fits the old formula exactly, not the real record
    expect(evalBytes).toBeLessThan(cap);
    expect(() => parseExperiment(exp, { maxBufferSize: cap, maxStorageBufferBindingSize: cap })).toThrow(/work buffer needs/);
    const ok = Math.max(rows * rec * 4, evalBytes);
    expect(() => parseExperiment(exp, { maxBufferSize: ok, maxStorageBufferBindingSize: ok })).not.toThrow();
  });
});
