// A wide run's config as JSON (src/config/wide-schema.ts): every preset round-trips through --print-config's JSON,
// and a bad field is named before any work.
import { describe, expect, it } from 'vitest';
import { parseWidePreset } from '../../src/config/wide-schema';
import { WIDE_PRESETS } from '../../src/experiments/wide';

const json = (name: string) => JSON.parse(JSON.stringify(WIDE_PRESETS[name]));

describe('wide config schema', () => {
  it('every preset, printed as JSON, parses back to itself', () => {
    for (const [name, p] of Object.entries(WIDE_PRESETS)) expect(parseWidePreset(json(name)), name).toEqual(JSON.parse(JSON.stringify(p)));
  });
  it('names the bad field', () => {
    const bad = (edit: (c: ReturnType<typeof json>) => void, base = 'synth-cpu') => {
      const c = json(base);
      edit(c);
      return () => parseWidePreset(c);
    };
    expect(bad((c) => (c.sae.widht = 256))).toThrow(/sae: Unrecognized key.*widht/);
    expect(bad((c) => (c.data.zipf.pMin = 0.5))).toThrow(/data\.zipf\.pMin: pMin must be <= pMax/);
    expect(bad((c) => (c.seed = 1000))).toThrow(/seed: must be <= 999/);
    expect(bad((c) => (c.sae.variant = 'nope'))).toThrow(/sae\.variant/);
    expect(bad((c) => (c.data.correlation.rank = 65))).toThrow(/data\.correlation\.rank: must be <= 64/);
    expect(bad((c) => (c.train.cooldown = 0.9), 'synth-cpu')).not.toThrow();
    expect(bad((c) => (c.train.warmup = 0.9))).toThrow(/warmup \+ train\.cooldown = 1\.1\d* exceed/);
    expect(bad((c) => (c.sae.lambda = 0))).toThrow(/sae\.lambda = 0 leaves relu without its L1 penalty/);
    expect(bad((c) => (c.sae.k = undefined), 'synth-cpu-topk')).toThrow(/sae\.k is needed by topk/);
    expect(bad((c) => (c.sae.k = 300), 'synth-cpu-topk')).toThrow(/sae\.k = 300 is above sae\.width = 256/);
    expect(bad((c) => (c.sae.matryoshka.widths = [32, 64, 128]), 'synth-cpu-matryoshka-batchtopk')).toThrow(/must end at s = 256.*sae\.width 256/);
    expect(bad((c) => (c.sae.jumprelu = { initThreshold: 1, bandwidth: 0.5 }))).toThrow(/sae\.jumprelu goes with the jumprelu variant/);
    expect(bad((c) => (c.train.samples = 10))).toThrow(/less than one batch/);
  });
});

describe("wide config schema: the study's composed sets as the data", () => {
  const base = () => {
    const c = JSON.parse(JSON.stringify(WIDE_PRESETS['synth-cpu']));
    c.data = { features: 8, composed: { sets: [4, 4], rho: 1, pOnehot: 0 }, seed: 3 };
    c.d = 4;
    c.sae.width = 8;
    return c;
  };
  it('parses, and names what clashes with the sets', () => {
    expect(parseWidePreset(base()).data.composed?.sets).toEqual([4, 4]);
    const bad = (edit: (c: ReturnType<typeof base>) => void) => {
      const c = base();
      edit(c);
      return () => parseWidePreset(c);
    };
    expect(bad((c) => (c.data.features = 9))).toThrow(/data\.features: must equal the composed sets' 8 features/);
    expect(bad((c) => (c.data.zipf = { exponent: 1, pMax: 0.5, pMin: 0.1 }))).toThrow(/data\.zipf: goes with SAELens's structure/);
    expect(bad((c) => (c.data.composed.joint = [1]))).toThrow(/data\.composed: joint table has 1 entries, sets 4x4 need 16/);
    expect(bad((c) => (c.data.composed.rho = 2))).toThrow(/data\.composed\.rho: must be <= 1/);
    expect(bad((c) => delete c.data.composed)).toThrow(/data\.zipf: is needed/);
  });
});
