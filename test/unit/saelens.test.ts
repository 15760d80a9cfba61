// SAELens interop (src/io/saelens.ts, src/experiments/saelens.ts, src/cli/saelens.ts): the hand-written fixtures of
// test/data/saelens/ (scripts/saelens/make_fixture.py) read into the kit's layout compute what SAELens computes; a
// run's SAEs exported and read back are the same tensors and config; bad input gets a named error and writes nothing.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tmpDirs } from '../tmp';
import { parseExperiment } from '../../src/config/schema';
import { saeLayout } from '../../src/core/wire';
import { rngUnit } from '../../src/core/rng';
import { encodeSafetensors } from '../../src/io/safetensors';
import { saeWeights } from '../../src/results/stored';
import type { ExperimentResult } from '../../src/results/schema';
import { saeDimsOf, saeVariant } from '../../src/variants';
import { latentParams } from '../../src/reference/sae';
import {
  decodeFloatSafetensors,
  fromSaeLens,
  kitParams,
  SAE_CFG_FILENAME,
  SAE_WEIGHTS_FILENAME,
  SAELENS_VERSION,
  SaeLensFormatError,
  SaeLensUnsupportedError,
  toSaeLens,
  type KitSae,
} from '../../src/io/saelens';
import { exportSaeLens, findSaeLensDirs, loadRunSaes, readSaeLensDir } from '../../src/experiments/saelens';
import { saelensCommand } from '../../src/cli/saelens';

const FIXTURES = join(__dirname, '..', 'data', 'saelens');
const expected = JSON.parse(readFileSync(join(FIXTURES, 'expected.json'), 'utf8')) as Record<
  string,
  { params: Record<string, number[]>; cases: { x: number[]; feature_acts: number[]; sae_out: number[] }[] }
>;
const tmp = tmpDirs('sae-saelens-');

/** The kit's forward pass of one SAE from its flat kernel layout (kitParams) and its variant's twin (src/variants). */
function kitForward(sae: KitSae, x: number[]): { f: number[]; out: number[] } {
  const { d, s } = sae;
  const L = saeLayout({ D: d, S: s, xp: sae.variant === 'gated' ? 2 : 1 });
  const p = kitParams(sae);
  const v = saeVariant(sae.variant);
  const pre = Array.from({ length: s }, (_, k) => {
    let acc = p[L.BE + k];
    for (let j = 0; j < d; j++) acc += p[L.WE + k * d + j] * (x[j] - (sae.preEncoderBias ? p[L.BD + j] : 0));
    return acc;
  });
  const cfg = { flags: v.flag, topk: sae.k ?? 0, jump_eps: 1e-3 };
  const f = v.twin.activation(cfg, pre, latentParams({ D: d, S: s, xp: L.XP_N }, p, 0), 0);
  const out = Array.from({ length: d }, (_, j) => p[L.BD + j] + f.reduce((a, fk, k) => a + fk * p[L.WD + k * d + j], 0));
  return { f, out };
}

describe('hand-written SAELens fixtures (test/data/saelens)', () => {
  it('each folder loads with its architecture, shapes and values, and the kit computes what SAELens computes', () => {
    const want = {
      standard: { variant: 'relu', k: null, pre: true },
      topk: { variant: 'topk', k: 2, pre: false },
      jumprelu: { variant: 'jumprelu', k: null, pre: true },
      gated: { variant: 'gated', k: null, pre: true },
      'pre6-topk': { variant: 'topk', k: 1, pre: true },
    } as const;
    expect(findSaeLensDirs([FIXTURES]).map((d) => d.slice(FIXTURES.length + 1))).toEqual(Object.keys(want).sort());
    for (const [name, w] of Object.entries(want)) {
      const { sae, notes } = readSaeLensDir(join(FIXTURES, name));
      expect([sae.variant, sae.k, sae.preEncoderBias, sae.d, sae.s], name).toEqual([w.variant, w.k, w.pre, 2, 3]);
      const e = expected[name];
      if (name !== 'topk') {
        // stored values unchanged (float32 files; the topk fixture's decoder norms are folded, below)
        expect(Array.from(sae.W_enc), name).toEqual(e.params.W_enc);
        expect(Array.from(sae.W_dec), name).toEqual(e.params.W_dec);
        expect(Array.from(sae.b_enc), name).toEqual(e.params.b_enc ?? e.params.b_gate); // gated: the kit's b_enc is b_gate
        expect(Array.from(sae.b_dec), name).toEqual(e.params.b_dec);
      }
      for (const c of e.cases) {
        const { f, out } = kitForward(sae, c.x);
        f.forEach((v, k) => expect(v, `${name} x=${c.x} f[${k}]`).toBeCloseTo(c.feature_acts[k], 5));
        out.forEach((v, j) => expect(v, `${name} x=${c.x} out[${j}]`).toBeCloseTo(c.sae_out[j], 5));
      }
      if (name === 'pre6-topk') expect(notes.join(' ')).toMatch(/SAELens < 6/);
      if (name === 'topk') expect(notes.join(' ')).toMatch(/rescale_acts_by_decoder_norm/);
    }
  });

  it('the jumprelu fixture gates a positive pre-activation below its threshold (the case is exercised)', () => {
    const { cases } = expected.jumprelu;
    expect(cases[0].feature_acts[2]).toBe(0);
    const { sae } = readSaeLensDir(join(FIXTURES, 'jumprelu'));
    expect(Array.from(sae.log_threshold, Math.exp).map((v) => Number(v.toFixed(6)))).toEqual([0.3, 0.05, 0.6]);
  });

  it('the gated fixture closes a gate whose magnitude path is positive (the case is exercised)', () => {
    const { cases, params } = expected.gated;
    expect(cases[0].feature_acts[1]).toBe(0);
    const { sae } = readSaeLensDir(join(FIXTURES, 'gated'));
    expect([Array.from(sae.r_mag!), Array.from(sae.b_mag!)]).toEqual([params.r_mag, params.b_mag]);
  });

  it('the topk fixture (float16, rescale_acts_by_decoder_norm) folds to unit decoder rows', () => {
    const { sae } = readSaeLensDir(join(FIXTURES, 'topk'));
    for (let k = 0; k < sae.s; k++) expect(Math.hypot(...sae.W_dec.subarray(k * sae.d, (k + 1) * sae.d))).toBeCloseTo(1, 6);
    // W_enc columns times the stored decoder norm (2 x |W_DEC row|)
    const stored = expected.topk.params;
    const n0 = Math.hypot(stored.W_dec[0], stored.W_dec[1]);
    expect(sae.W_enc[0]).toBeCloseTo(stored.W_enc[0] * n0, 6);
  });

  it('export of a fixture read into the kit gives the fixture\u2019s tensors and config fields back', () => {
    for (const name of ['standard', 'jumprelu', 'gated']) {
      const dir = join(FIXTURES, name);
      const cfg = JSON.parse(readFileSync(join(dir, SAE_CFG_FILENAME), 'utf8'));
      const orig = decodeFloatSafetensors(new Uint8Array(readFileSync(join(dir, SAE_WEIGHTS_FILENAME))), name).tensors;
      const back = toSaeLens(readSaeLensDir(dir).sae);
      expect(Object.keys(back.tensors).sort()).toEqual(Object.keys(orig).sort());
      for (const [t, x] of Object.entries(orig)) {
        expect(back.tensors[t].shape, `${name} ${t}`).toEqual(x.shape);
        if (t === 'threshold') back.tensors[t].data.forEach((v, i) => expect(v).toBeCloseTo(x.data[i], 6));
        else expect(Array.from(back.tensors[t].data), `${name} ${t}`).toEqual(Array.from(x.data));
      }
      for (const f of ['architecture', 'd_in', 'd_sae', 'dtype', 'apply_b_dec_to_input', 'normalize_activations', 'reshape_activations'])
        expect(back.cfg[f], `${name} ${f}`).toEqual(cfg[f]);
    }
  });
});

/** A run folder as the kit writes one (config.json + saes.safetensors of the stacked form), with random parameters. */
function fakeRun(sae: Record<string, unknown>, name = 'exp'): { run: string; params: Float32Array; M: number } {
  const config = parseExperiment({ name, data: { sets: [2, 2] }, toy: { d: 3 }, sae: { s: 5, ...sae }, grid: { lr: [1e-3], l1: [0.1, 0.3] }, realizations: 2 });
  const L = saeLayout({ D: 3, S: 5, ...saeDimsOf(config.sae) });
  const M = 4;
  const params = Float32Array.from({ length: M * L.P }, (_, i) => rngUnit(7, 1, 0, i, 0) * 2 - 1);
  const run = tmp();
  const models = Array.from({ length: M }, (_, m) => ({ lr: 1e-3, l1: m < 2 ? 0.1 : 0.3, realization: m % 2, seed: 1000 + m }));
  const stub = { config, saes: new Array(M).fill({}) } as unknown as Pick<ExperimentResult, 'config' | 'saes'>;
  mkdirSync(join(run, name));
  writeFileSync(join(run, name, 'config.json'), JSON.stringify(config));
  writeFileSync(join(run, name, 'saes.safetensors'), encodeSafetensors(saeWeights(stub, params), { models: JSON.stringify(models) }));
  return { run, params, M };
}

describe('export a run, import it again', () => {
  it.each([
    ['relu', {}],
    ['topk', { variant: 'topk', k: 2 }],
    ['jumprelu', { variant: 'jumprelu' }],
    ['gated', { variant: 'gated' }],
    ['relu with pre_encoder_bias', { pre_encoder_bias: true }],
  ])('%s: identical tensors and config, in SAELens’s key names, shapes and dtype', (_, sae) => {
    const { run, params, M } = fakeRun(sae);
    const to = join(tmp(), 'out');
    const dirs = exportSaeLens(run, to);
    expect(dirs).toEqual(['exp/sae-0', 'exp/sae-1', 'exp/sae-2', 'exp/sae-3']);
    const variant = (sae as { variant?: string }).variant ?? 'relu';
    const L = saeLayout({ D: 3, S: 5, xp: variant === 'gated' ? 2 : 1 });
    const { saes: stored } = loadRunSaes(run, 'exp');
    for (let m = 0; m < M; m++) {
      const dir = join(to, dirs[m]);
      expect(readdirSync(dir).sort()).toEqual([SAE_CFG_FILENAME, SAE_WEIGHTS_FILENAME]);
      const cfg = JSON.parse(readFileSync(join(dir, SAE_CFG_FILENAME), 'utf8'));
      expect(cfg).toMatchObject({
        architecture: { relu: 'standard', topk: 'topk', jumprelu: 'jumprelu', gated: 'gated' }[variant],
        d_in: 3,
        d_sae: 5,
        dtype: 'float32',
        device: 'cpu',
        apply_b_dec_to_input: (sae as { pre_encoder_bias?: boolean }).pre_encoder_bias ?? false,
        normalize_activations: 'none',
        reshape_activations: 'none',
        metadata: { sae_lens_version: SAELENS_VERSION, sae_composed_webgpu: { experiment: 'exp', index: m, l1: m < 2 ? 0.1 : 0.3, seed: 1000 + m } },
      });
      if (variant === 'topk') expect([cfg.k, cfg.rescale_acts_by_decoder_norm]).toEqual([2, false]);
      const bytes = new Uint8Array(readFileSync(join(dir, SAE_WEIGHTS_FILENAME)));
      const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true)))));
      const keys = Object.keys(header).sort();
      // SAELens's GatedSAE has b_gate, r_mag, b_mag and no b_enc
      const gated = variant === 'gated';
      expect(keys).toEqual([
        'W_dec',
        'W_enc',
        'b_dec',
        ...(gated ? ['b_gate', 'b_mag', 'r_mag'] : ['b_enc']),
        ...(variant === 'jumprelu' ? ['threshold'] : []),
      ]);
      expect(Object.fromEntries(keys.map((k) => [k, [header[k].dtype, header[k].shape]]))).toEqual({
        W_enc: ['F32', [3, 5]],
        W_dec: ['F32', [5, 3]],
        ...(gated ? { b_gate: ['F32', [5]], r_mag: ['F32', [5]], b_mag: ['F32', [5]] } : { b_enc: ['F32', [5]] }),
        b_dec: ['F32', [3]],
        ...(variant === 'jumprelu' ? { threshold: ['F32', [5]] } : {}),
      });

      const { sae: back } = readSaeLensDir(dir);
      expect([back.variant, back.k, back.preEncoderBias]).toEqual([stored[m].variant, stored[m].k, stored[m].preEncoderBias]);
      expect(back.provenance).toEqual(stored[m].provenance);
      for (const t of ['W_enc', 'b_enc', 'W_dec', 'b_dec'] as const) expect(back[t], `${dirs[m]} ${t}`).toEqual(stored[m][t]);
      // and in the kernels' flat layout: the run's own parameters, bit for bit (W_enc transposed twice)
      const p = kitParams(back);
      expect(p.subarray(0, L.XP)).toEqual(params.subarray(m * L.P, m * L.P + L.XP));
      if (variant === 'jumprelu')
        // threshold = exp(log_threshold) in the file, log again on import: equal to float32 rounding
        p.subarray(L.XP, L.P).forEach((v, i) => expect(v).toBeCloseTo(params[m * L.P + L.XP + i], 6));
      if (gated) expect(p).toEqual(params.subarray(m * L.P, (m + 1) * L.P)); // r_mag and b_mag as they are
    }
  });

  it('a Matryoshka SAE exports as its activation, saying what it was trained as', () => {
    const { run } = fakeRun({ variant: 'matryoshka' });
    const to = join(tmp(), 'm');
    exportSaeLens(run, to, { experiment: 'exp', model: 1 });
    const cfg = JSON.parse(readFileSync(join(to, 'exp', 'sae-1', SAE_CFG_FILENAME), 'utf8'));
    expect(cfg.architecture).toBe('standard');
    expect(cfg.metadata.sae_composed_webgpu).toMatchObject({ variant: 'relu', trained_as: 'matryoshka' });
  });

  it('--experiment and --model pick one SAE; the folder name pads the index', () => {
    const { run } = fakeRun({});
    const to = join(tmp(), 'one');
    expect(exportSaeLens(run, to, { experiment: 'exp', model: 2 })).toEqual(['exp/sae-2']);
    expect(readdirSync(join(to, 'exp'))).toEqual(['sae-2']);
  });
});

describe('named errors', () => {
  it('a batchtopk run cannot be exported, and nothing is written', () => {
    const { run } = fakeRun({ variant: 'batchtopk', k: 2 });
    const to = join(tmp(), 'x');
    expect(() => exportSaeLens(run, to)).toThrow(SaeLensUnsupportedError);
    expect(() => exportSaeLens(run, to)).toThrow(/batchtopk SAE: SAELens has no inference BatchTopK/);
    expect(existsSync(to)).toBe(false);
  });

  it('bad export arguments name the problem', () => {
    const { run } = fakeRun({});
    expect(() => exportSaeLens(run, join(tmp(), 'a'), { experiment: 'nope' })).toThrow(/has no experiment 'nope' \(it has exp\)/);
    expect(() => exportSaeLens(run, join(tmp(), 'b'), { model: 4 })).toThrow(/--model 4: experiment 'exp' has SAEs 0 \.\. 3/);
    const full = tmp();
    writeFileSync(join(full, 'x'), '');
    expect(() => exportSaeLens(run, full)).toThrow(/exists and is not empty/);
    expect(() => exportSaeLens(tmp(), join(tmp(), 'c'))).toThrow(/is not a run folder/);
    expect(() => exportSaeLens(join(tmp(), 'missing'), join(tmp(), 'd'))).toThrow(/does not exist/);
  });

  it('the CLI names missing and malformed options', async () => {
    await expect(saelensCommand(['export-saelens', '--from', 'x'])).rejects.toThrow(/--to DIR is required/);
    await expect(saelensCommand(['export-saelens', '--to', 'x'])).rejects.toThrow(/--from RUN_DIR is required/);
    await expect(saelensCommand(['export-saelens', '--from', 'x', '--to', 'y', '--model', '1.5'])).rejects.toThrow(
      /--model must be an integer >= 0, got '1.5'/,
    );
    await expect(saelensCommand(['import-saelens', FIXTURES])).rejects.toThrow(/exactly one of --run RUN_DIR .* or --preset NAME/);
    await expect(saelensCommand(['import-saelens', '--preset', 'tiny'])).rejects.toThrow(/give one or more SAE folders/);
    await expect(saelensCommand(['import-saelens', FIXTURES, '--preset', 'tiny', '--experiment', 'nope'])).rejects.toThrow(
      /preset tiny has no experiment 'nope'/,
    );
    const { run } = fakeRun({});
    const to = join(tmp(), 'cli');
    const lines: string[] = [];
    expect(await saelensCommand(['export-saelens', '--from', run, '--to', to, '--model', '1'], (l) => lines.push(l))).toBe(0);
    expect(lines.join('\n')).toMatch(/wrote 1 SAE folder.*\n {2}exp\/sae-1\nload one in Python: from sae_lens import SAE; sae = SAE\.load_from_disk\(/);
  });

  /** The standard fixture with one change to its config or tensors. */
  const standard = () => {
    const dir = join(FIXTURES, 'standard');
    return {
      cfg: JSON.parse(readFileSync(join(dir, SAE_CFG_FILENAME), 'utf8')) as Record<string, unknown>,
      tensors: decodeFloatSafetensors(new Uint8Array(readFileSync(join(dir, SAE_WEIGHTS_FILENAME))), 'fixture').tensors,
    };
  };

  it('configs SAELens would reject or the kit cannot evaluate', () => {
    const cases: [string, (c: Record<string, unknown>) => void, RegExp, new (m: string) => Error][] = [
      ['gated', (c) => (c.architecture = 'gated'), /unexpected tensor "b_enc" .*a gated SAE has W_enc, b_gate, r_mag, b_mag/, SaeLensFormatError],
      ['batchtopk', (c) => (c.architecture = 'batchtopk'), /saves BatchTopK SAEs for inference as "jumprelu"/, SaeLensUnsupportedError],
      ['unknown', (c) => (c.architecture = 'foo'), /unknown architecture "foo"/, SaeLensFormatError],
      ['d_in', (c) => (c.d_in = 2.5), /d_in must be a positive integer, got 2.5/, SaeLensFormatError],
      ['dtype', (c) => (c.dtype = 'int8'), /dtype "int8" is not one SAELens loads/, SaeLensFormatError],
      ['layer_norm', (c) => (c.normalize_activations = 'layer_norm'), /normalize_activations "layer_norm" rescales every input/, SaeLensUnsupportedError],
      ['hook_z', (c) => (c.reshape_activations = 'hook_z'), /reshape_activations "hook_z"/, SaeLensUnsupportedError],
      ['topk k', (c) => Object.assign(c, { architecture: 'topk', k: 9 }), /integer k in 1 \.\. d_sae = 3, got 9/, SaeLensFormatError],
      ['topk default k', (c) => (c.architecture = 'topk'), /got 100 \(SAELens’s default\)/, SaeLensFormatError],
    ];
    for (const [what, change, msg, cls] of cases) {
      const { cfg, tensors } = standard();
      change(cfg);
      expect(() => fromSaeLens(cfg, tensors, 'dir'), what).toThrow(msg);
      expect(() => fromSaeLens(cfg, tensors, 'dir'), what).toThrow(cls);
    }
    expect(() => fromSaeLens([1], standard().tensors, 'dir')).toThrow(/cfg.json is not a JSON object/);
  });

  it('tensors SAELens’s strict load_state_dict would reject, non-finite values, thresholds <= 0', () => {
    const msg = (change: (t: ReturnType<typeof standard>['tensors']) => void, cfgChange?: (c: Record<string, unknown>) => void) => {
      const { cfg, tensors } = standard();
      change(tensors);
      cfgChange?.(cfg);
      try {
        fromSaeLens(cfg, tensors, 'dir');
      } catch (e) {
        return `${(e as Error).name}: ${(e as Error).message}`;
      }
      return 'no error';
    };
    expect(msg((t) => delete t.b_enc)).toMatch(/SaeLensFormatError: dir: sae_weights.safetensors has no tensor "b_enc"/);
    expect(msg((t) => (t.W_enc.shape = [3, 2]))).toMatch(/tensor "W_enc" has shape \[3, 2\], expected \[2, 3\]/);
    expect(msg((t) => (t.extra = { shape: [1], data: new Float32Array(1) }))).toMatch(/unexpected tensor "extra"/);
    expect(msg((t) => (t.W_dec.data[4] = NaN))).toMatch(/tensor "W_dec" holds a non-finite value \(NaN\) at flat index 4/);
    expect(msg((t) => (t.scaling_factor = { shape: [3], data: new Float32Array([1, 1, 1]) }))).toBe('no error');
    expect(msg((t) => (t.scaling_factor = { shape: [3], data: new Float32Array([1, 2, 1]) }))).toMatch(/SaeLensUnsupportedError: .*scaling_factor/);
    expect(
      msg(
        (t) => (t.threshold = { shape: [3], data: new Float32Array([0.1, 0, 0.2]) }),
        (c) => (c.architecture = 'jumprelu'),
      ),
    ).toMatch(/SaeLensUnsupportedError: dir: threshold 0 of latent 1 is not > 0/);
    expect(
      msg(
        () => undefined,
        (c) => (c.architecture = 'jumprelu'),
      ),
    ).toMatch(/has no tensor "threshold"/);
  });

  it('broken files: truncated safetensors, unreadable cfg.json, a folder without the files', () => {
    const dir = tmp();
    const src = join(FIXTURES, 'standard');
    const bytes = readFileSync(join(src, SAE_WEIGHTS_FILENAME));
    writeFileSync(join(dir, SAE_CFG_FILENAME), readFileSync(join(src, SAE_CFG_FILENAME)));
    writeFileSync(join(dir, SAE_WEIGHTS_FILENAME), bytes.subarray(0, bytes.length - 4));
    expect(() => readSaeLensDir(dir)).toThrow(/tensor "b_enc" offsets \[.*\] do not fit shape \[3\] F32 or the file/);
    writeFileSync(join(dir, SAE_WEIGHTS_FILENAME), bytes.subarray(0, 20));
    expect(() => readSaeLensDir(dir)).toThrow(/header length \d+ exceeds the file size 20 \(truncated\?\)/);
    writeFileSync(join(dir, SAE_CFG_FILENAME), '{"d_in": 2,');
    expect(() => readSaeLensDir(dir)).toThrow(/cfg.json is not readable JSON/);
    expect(() => readSaeLensDir(tmp())).toThrow(/no cfg.json \(not an SAE folder in SAELens's layout\)/);
    expect(() => findSaeLensDirs([tmp()])).toThrow(/no cfg.json in it or in its sub-folders/);
  });

  it('float dtypes SAELens writes decode to the same float32 values (F16, BF16, F64)', () => {
    // 1.5, -0.25, 3.0 in each encoding, packed by hand
    const file = (dtype: string, w: number, put: (v: DataView, o: number, x: number) => void) => {
      const head = new TextEncoder().encode(JSON.stringify({ t: { dtype, shape: [3], data_offsets: [0, 3 * w] } }));
      const out = new Uint8Array(8 + head.length + 3 * w);
      const v = new DataView(out.buffer);
      v.setBigUint64(0, BigInt(head.length), true);
      out.set(head, 8);
      [1.5, -0.25, 3].forEach((x, i) => put(v, 8 + head.length + i * w, x));
      return decodeFloatSafetensors(out, dtype).tensors.t.data;
    };
    const f16 = { 1.5: 0x3e00, '-0.25': 0xb400, 3: 0x4200 } as Record<string, number>;
    expect(Array.from(file('F16', 2, (v, o, x) => v.setUint16(o, f16[String(x)], true)))).toEqual([1.5, -0.25, 3]);
    expect(Array.from(file('BF16', 2, (v, o, x) => v.setUint16(o, new Uint32Array(new Float32Array([x]).buffer)[0] >>> 16, true)))).toEqual([1.5, -0.25, 3]);
    expect(Array.from(file('F64', 8, (v, o, x) => v.setFloat64(o, x, true)))).toEqual([1.5, -0.25, 3]);
    expect(() => file('I32', 4, (v, o, x) => v.setInt32(o, x, true))).toThrow(/dtype I32; supported: F32, F64, F16, BF16/);
  });
});
