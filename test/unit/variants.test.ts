// The SAE variant records (src/variants): each has its WGSL file with the four act_ functions, a complete
// twin, a name the config schema accepts, and a flag/topk encoding that variantOf reads back; a kernel that
// includes a variant's file fails clearly when the job gives no SAE_VARIANT.
import { describe, expect, it } from 'vitest';
import { parseExperiment } from '../../src/config/schema';
import { loadShaderSourcesFromDisk } from '../../src/gpu/shaders-node';
import { resolveShader } from '../../src/gpu/shaders';
import { defaultConfig, FLAG, MET, optionFlags, paExponents, type RecGroups, saeLayout, toyLayout } from '../../src/core/wire';
import { rngUnit } from '../../src/core/rng';
import { saeForward } from '../../src/reference/sae';
import { saeEval } from '../../src/reference/metrics';
import { dataSetup, saeJobPlan } from '../../src/jobs/experiment';
import { SAE_VARIANT_NAMES, SAE_VARIANTS, saeFlags, saeVariant, variantChecks, variantOf } from '../../src/variants';

const sources = loadShaderSourcesFromDisk();
const ACT_FNS = ['act_f', 'act_penalised', 'act_dpre', 'act_dxp', 'act_dbe', 'act_aux'];

describe('SAE variant records', () => {
  it('every record has its WGSL file with the act_ functions and ACT_AUX, and a twin of each', () => {
    expect(SAE_VARIANTS.map((v) => v.name).sort()).toEqual([...SAE_VARIANT_NAMES].sort());
    for (const v of SAE_VARIANTS) {
      expect(v.wgsl, v.name).toBe(`variants/${v.name}.wgsl`);
      expect(sources[v.wgsl], v.wgsl).toBeDefined();
      const src = resolveShader(v.wgsl, sources).code; // with what it includes (lib/act_l1.wgsl)
      for (const fn of ACT_FNS) expect(src.match(new RegExp(`^fn ${fn}\\(`, 'gm')), `${v.wgsl}: ${fn}`).toHaveLength(1);
      for (const fn of ['activation', 'penalised', 'dpre', 'dxp'] as const) expect(typeof v.twin[fn], `${v.name}.twin.${fn}`).toBe('function');
      // an auxiliary reconstruction on one side only would train one loss and check another
      const aux = /^const ACT_AUX: bool = (true|false);/m.exec(src);
      expect(aux, `${v.wgsl}: ACT_AUX`).not.toBeNull();
      expect(aux![1] === 'true', `${v.name}: ACT_AUX vs twin.aux`).toBe('aux' in v.twin);
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
    expect(() => saeVariant('gateless')).toThrow(/unknown SAE variant 'gateless' \(known: .*relu/);
    expect(() => parseExperiment({ name: 'x', sae: { variant: 'gateless' } })).toThrow(/variant/);
  });

  it('each variant has its own wire bit, apart from the runtime options, and its own check settings for the twin and training', () => {
    const options =
      optionFlags({ pre_encoder_bias: true, ghost: true, ghost_quirk: true, cos: { variant: 'abs', norm: 'pairs' }, fvu: 'batch', fixed_decoder: true }) |
      optionFlags({ auxk: {}, cos: { variant: 'ortho' } });
    for (const v of SAE_VARIANTS) {
      expect(v.flag & options, `${v.name}: its bit is a runtime option's`).toBe(0);
      // relu's settings are the runtime options' (the checks' own lists)
      if (v.name !== 'relu')
        for (const site of ['fd', 'train'] as const)
          expect(
            v.checks.some((c) => c.in.includes(site)),
            `${v.name}: a check setting at ${site}`,
          ).toBe(true);
      for (const c of v.checks) expect(variantOf({ flags: v.flag | (c.options ?? 0), topk: c.k ?? 0 }).name, `${v.name}: ${c.name}`).toBe(v.name);
    }
    for (const site of ['fd', 'kernel', 'eval', 'detect', 'probe', 'train'] as const) {
      const labels = variantChecks(site).map((c) => c.label);
      expect(new Set(labels).size, `distinct labels at ${site}`).toBe(labels.length);
    }
  });

  it('twins: relu and topk penalise f (L1), jumprelu [f > 0] (L0), gated its gate; only jumprelu and gated have parameter gradients', () => {
    const cfg = { ...defaultConfig({ M: 1, B: 1, topk: 1 }), jump_eps: 0.2 };
    const pre = [0.3, -0.2, 0.5];
    const lp = [0.25, 0.25, 0.6].map((th) => ({ be: 0, xp: [Math.log(th)] }));
    expect(saeVariant('relu').twin.activation(cfg, pre, lp, 0)).toEqual([0.3, 0, 0.5]);
    expect(saeVariant('topk').twin.activation(cfg, pre, lp, 0)).toEqual([0, 0, 0.5]);
    expect(saeVariant('batchtopk').twin.activation(cfg, pre, lp, 0.4)).toEqual([0, 0, 0.5]);
    expect(saeVariant('jumprelu').twin.activation(cfg, pre, lp, 0)).toEqual([0.3, 0, 0]);
    expect(saeVariant('relu').twin.penalised(0.3, 0.3, cfg)).toBe(0.3);
    expect(saeVariant('jumprelu').twin.penalised(0.3, 0.3, cfg)).toBe(1);
    const t = { cfg, pre: 0.3, f: 0.3, df: 0.1, dfa: 0, pw: 0.05, lp: lp[0] };
    expect(saeVariant('relu').twin.dpre(t)).toBeCloseTo(0.15, 15);
    expect(saeVariant('jumprelu').twin.dpre(t)).toBe(0.1);
    expect(saeVariant('relu').twin.dxp(cfg, 0, t)).toBe(0);
    expect(saeVariant('jumprelu').twin.dxp(cfg, 0, t)).toBeCloseTo(0.25 * (-(0.25 / 0.2) * 0.1 - 0.05 / 0.2), 15);
    expect(saeVariant('jumprelu').twin.dxp(cfg, 0, { ...t, pre: 0.9 })).toBe(0); // outside the kernel's window
    // gated: r_mag = ln 2, b_mag = -0.1, b_enc = 0.1: the gate opens at pre > 0, the magnitude is 2 (pre - 0.1) - 0.1
    const g = saeVariant('gated').twin,
      glp = { be: 0.1, xp: [Math.log(2), -0.1] };
    expect(g.activation(cfg, [0.3, 0.12, -0.2], [glp, glp, glp], 0)).toEqual([2 * (0.3 - 0.1) - 0.1, 0, 0]);
    expect(g.penalised(0, 0.12, cfg)).toBe(0.12); // its L1 is the gate's, whether or not the latent fires
    const gt = { cfg, pre: 0.3, f: 0.3, df: 0.1, dfa: 0.02, pw: 0.05, lp: glp };
    expect(g.dpre(gt)).toBeCloseTo(0.05 + 0.02 + 2 * 0.1, 15);
    expect(g.dxp(cfg, 0, gt)).toBeCloseTo(0.1 * 2 * (0.3 - 0.1), 15);
    expect(g.dxp(cfg, 1, gt)).toBe(0.1);
    expect(g.dbe!(g.dpre(gt), glp, [g.dxp(cfg, 0, gt), g.dxp(cfg, 1, gt)])).toBeCloseTo(0.07, 15);
    expect(g.aux!(-0.3)).toBe(0);
    // panneal: f^p at this step's p, f^p_next for the queue, dpre = df + pw p f^(p-1)
    const pa = saeVariant('panneal').twin,
      pc = { ...cfg, pa: { p: 0.5, next: 0.25, queued: true } };
    expect(pa.penalised(0.25, 0.25, pc)).toBeCloseTo(0.5, 15);
    expect(pa.penNext!(0.0625, 0.0625, pc)).toBeCloseTo(0.5, 15);
    expect(pa.penalised(0, -1, pc)).toBe(0);
    expect(pa.dpre({ ...t, cfg: pc, f: 0.25 })).toBeCloseTo(0.1 + 0.05 * 0.5 * 0.25 ** -0.5, 15);
  });

  it('lp: sae.lp.p is the fixed exponent on the wire (no updates, so every step trains at p); p outside (0, 1) is a named error', () => {
    const exp = parseExperiment({ name: 'lp', sae: { variant: 'lp', steps: 1000, lp: { p: 0.3 } } });
    const data = dataSetup(exp);
    const { cfg } = saeJobPlan(exp, data, new Float32Array(toyLayout(data.dims).P).fill(0.1)).spec;
    expect([cfg.pa_n, cfg.p_start, cfg.p_end]).toEqual([0, expect.closeTo(0.3, 6), expect.closeTo(0.3, 6)]);
    for (const t of [0, 500, 999]) expect(paExponents(cfg, t)).toEqual({ p: cfg.p_start, next: cfg.p_start, queued: false });
    expect(() => parseExperiment({ name: 'lp', sae: { variant: 'lp', lp: { p: 1 } } })).toThrow(/sae\.lp\.p.*must be < 1 \(p = 1 is relu\)/);
    expect(() => parseExperiment({ name: 'lp', sae: { variant: 'relu', lp: { p: 0.5 } } })).toThrow(/sae\.lp is read by the lp/);
  });

  it('p-annealing: its section sets the schedule on the wire; a schedule whose queue spans two exponents is a named error', () => {
    const exp = parseExperiment({ name: 'pa', sae: { variant: 'panneal', steps: 1000, panneal: { p_end: 0.2, updates: 5, queue: 10 } } });
    const data = dataSetup(exp);
    const { cfg } = saeJobPlan(exp, data, new Float32Array(toyLayout(data.dims).P).fill(0.1)).spec;
    expect([cfg.pa_n, cfg.pa_start, cfg.pa_end, cfg.pa_queue, cfg.p_start, cfg.p_end]).toEqual([5, 200, 999, 10, 1, 0.2]);
    expect(paExponents(cfg, 200)).toEqual({ p: 1, next: 1, queued: false }); // step 200 trains before update 0, which sets p_start
    expect(paExponents(cfg, 201)).toEqual({ p: 1, next: 0.8, queued: false }); // update 1 compares p_0 with p_1 ...
    expect(paExponents(cfg, 390).queued).toBe(true); // ... over steps 390 .. 399
    expect(paExponents(cfg, 389).queued).toBe(false);
    expect(paExponents(cfg, 400).p).toBeCloseTo(0.8, 12); // update 1 at 200 + floor(799 / 4) = 399
    expect(() => parseExperiment({ name: 'pa', sae: { variant: 'panneal', steps: 100, panneal: { updates: 10, queue: 10 } } })).toThrow(
      /'pa': sae\.panneal: 10 updates between steps 20 and 99 come every 8 steps, fewer than queue = 10/,
    );
    expect(() => parseExperiment({ name: 'pa', sae: { variant: 'panneal', panneal: { p_start: 0.5, p_end: 0.5 } } })).toThrow(
      /p_end = 0.5 must be below p_start = 0.5/,
    );
    expect(() => parseExperiment({ name: 'pa', sae: { variant: 'relu', panneal: {} } })).toThrow(/sae\.panneal is read by the panneal variants, not relu/);
  });

  it('an evaluation too large for the modular records passes the config check where the CPU-shaped evaluation fits', () => {
    const lim = { maxBufferSize: 2 ** 27, maxStorageBufferBindingSize: 2 ** 27 };
    // gated at the study's shape: 36 floats per sample x 1e6 samples = 144 MB > 128 MiB, but d s = 8 fits the cpu evaluation
    expect(parseExperiment({ name: 'g', sae: { variant: 'gated' }, eval_samples: 1_000_000 }, lim).sae.variant).toBe('gated');
    // Matryoshka BatchTopK (fixes-full): its threshold is found by the CPU-shaped evaluation too (lib/batch_threshold.wgsl)
    const mb = { variant: 'matryoshka-batchtopk', k: 2, matryoshka: { group_fractions: [0.5, 0.5] } };
    expect(parseExperiment({ name: 'mb', sae: mb, eval_samples: 1_000_000 }, lim).sae.variant).toBe('matryoshka-batchtopk');
    // d = 8, s = 16 (the future-work bench's largest) fits it; d = 16, s = 32 does not (d s = 512 > 256)
    expect(parseExperiment({ name: 'g', data: { sets: [8, 8] }, toy: { d: 8 }, sae: { s: 16 }, eval_samples: 1_000_000 }, lim).sae.s).toBe(16);
    expect(() => parseExperiment({ name: 'g', data: { sets: [16, 16] }, toy: { d: 16 }, sae: { s: 32 }, eval_samples: 1_000_000 }, lim)).toThrow(
      /evaluating one SAE on 1000000 samples needs \d+ bytes of per-sample work, the adapter allows 134217728/,
    );
  });

  it('a kernel including a variant file without SAE_VARIANT fails naming the define', () => {
    expect(() => resolveShader('sae_forward.wgsl', sources)).toThrow(/includes "variants\/\{\{SAE_VARIANT\}\}.wgsl": the define SAE_VARIANT has no value/);
    for (const v of SAE_VARIANTS) expect(resolveShader('sae_forward.wgsl', sources, { SAE_VARIANT: v.name }).code).toContain(`SAE variant ${v.name}`);
  });
});

describe('Matryoshka: the nested reconstructions from sae.matryoshka', () => {
  const groupsOf = (matryoshka: unknown, s = 8, variant = 'matryoshka') =>
    dataSetup(parseExperiment({ name: 'm', toy: { d: 2 }, sae: { variant, s, ...(variant.includes('batchtopk') ? { k: 2 } : {}), matryoshka } })).dims.nested;

  it('group_fractions as dictionary_learning sizes them (floor for all but the last), widths as SAELens lists them', () => {
    // dictionary_learning: sizes int(f s) for all but the last, the last the rest; weights 1/G by default
    expect(groupsOf({ group_fractions: [0.25, 0.25, 0.5] }, 10)).toEqual({ ends: [2, 4, 10], weights: [1 / 3, 1 / 3, 1 / 3] });
    expect(groupsOf({ widths: [1, 3, 8], weights: 'sum' })).toEqual({ ends: [1, 3, 8], weights: [1, 1, 1] });
    expect(groupsOf({ widths: [4, 8], weights: [2, 0.5] }, 8, 'matryoshka-batchtopk')).toEqual({ ends: [4, 8], weights: [2, 0.5] });
    expect(groupsOf(undefined, 6)).toEqual({ ends: [3, 6], weights: [0.5, 0.5] }); // default: two halves
    // every other variant trains one reconstruction (no nested groups on its dims)
    expect(dataSetup(parseExperiment({ name: 'r', sae: { variant: 'relu' } })).dims.nested).toBeUndefined();
  });

  it('a bad combination gets an error naming the field', () => {
    const bad = (m: unknown, re: RegExp, variant = 'matryoshka') =>
      expect(() => parseExperiment({ name: 'm', sae: { variant, s: 8, ...(variant === 'matryoshka' ? { matryoshka: m } : { k: 2, matryoshka: m }) } })).toThrow(
        re,
      );
    bad({ widths: [2, 6] }, /sae\.matryoshka\.widths \[2, 6\] must end at s = 8/);
    bad({ widths: [4, 2, 8] }, /widths \[4, 2, 8\] must rise strictly/);
    bad({ group_fractions: [0.5, 0.4] }, /group_fractions sum to 0\.9/);
    bad({ group_fractions: [0.05, 0.95] }, /give group sizes \[0, 8\] at s = 8; every group needs a latent/);
    bad({ widths: [4, 8], weights: [1] }, /weights has 1 entries for 2 nested reconstructions/);
    bad({ widths: [4, 8], group_fractions: [0.5, 0.5] }, /widths or group_fractions, not both/);
    bad({ widths: [4, 8], weights: 'balanced' }, /matryoshka/);
    bad({ widths: [4, 8] }, /sae\.matryoshka is read by the (matryoshka[a-z-]*(, | and )?)+ variants, not topk/, 'topk');
  });
});

describe("each variant's selection loss is its own objective (reference evaluation)", () => {
  it('relu: FVU + lambda mean sum f; jumprelu: FVU + lambda mean L0; matryoshka: the nested reconstructions + lambda mean sum f', () => {
    const dims = { N: 4, D: 2, S: 4 };
    const B = 40;
    const T = toyLayout(dims);
    const rnd = (n: number, seed: number, lo: number, hi: number) => Float64Array.from({ length: n }, (_, i) => lo + (hi - lo) * rngUnit(seed, 0, 0, i, 0));
    const acts = rnd(B * T.REC, 3, 0, 1); // rows of the toy record: h at offset 0 (T.H)
    const toyParams = rnd(T.P, 4, -0.8, 0.8);
    const lambda = 0.3;
    const cases: ['relu' | 'jumprelu' | 'matryoshka', number, RecGroups?][] = [
      ['relu', 0],
      ['jumprelu', FLAG.JUMPRELU],
      ['matryoshka', FLAG.MATRYOSHKA, { ends: [1, 4], weights: [0.5, 0.5] }],
    ];
    for (const [name, flags, nested] of cases) {
      const d = { ...dims, nested };
      const L = saeLayout(d);
      const cfg = defaultConfig({ M: 1, B, flags, act_stride: T.REC, act_offset: T.H, jump_eps: 0.1 });
      const params = rnd(L.P, 5, -0.7, 0.7);
      for (let k = 0; k < dims.S; k++) params[L.XP + k] = Math.log(0.1);
      const hyper = [{ lr: 1e-3, l1: lambda, cos: 0, seed: 1 }];
      const work = saeForward(cfg, d, hyper, acts, params, new Uint32Array(dims.S * 3));
      const met = new Float64Array(L.MET_W);
      saeEval(cfg, d, hyper, acts, toyParams, new Float64Array(B * T.REC), work, met);
      const own = { relu: met[MET.L1], jumprelu: met[MET.L0], matryoshka: met[MET.L1] }[name];
      expect(met[MET.PEN], name).toBeCloseTo(own, 12);
      if (name === 'jumprelu') expect(met[MET.L0]).not.toBeCloseTo(met[MET.L1], 3); // the test tells L0 from L1
      // the reconstruction term: FVU, or for Matryoshka the weighted nested reconstructions (the inner one lacks 3 latents)
      const rec = met[MET.SEL] - lambda * met[MET.PEN];
      if (name === 'matryoshka') expect(Math.abs(rec - met[MET.FVU])).toBeGreaterThan(1e-3);
      else expect(rec).toBeCloseTo(met[MET.FVU], 12);
    }
  });
});
