// Replay (`npm run replay`): file formats, GPU replay vs the reference trainer, and malformed inputs.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tmpDirs } from './tmp';
import type { GpuContext } from '../src/gpu/context';
import { acquireNodeDevice, releaseNodeGpu } from '../src/gpu/node';
import { decodeNpy, encodeNpy } from '../src/io/npy';
import { decodeSafetensors, encodeSafetensors } from '../src/io/safetensors';
import { compareArrays, formatComparison } from '../src/checks/compare';
import { defaultConfig, FLAG, saeLayout } from '../src/core/wire';
import { rngUnit } from '../src/core/rng';
import { RefSaeTrainer, RefToyTrainer } from '../src/reference/trainer';
import { replay } from '../src/train/replay';

let ctx: GpuContext;
beforeAll(async () => {
  ctx = await acquireNodeDevice();
});
afterAll(() => releaseNodeGpu(ctx));

const rand = (n: number, seed: number, lo = -1, hi = 1) => Float32Array.from({ length: n }, (_, i) => lo + (hi - lo) * rngUnit(seed, 0, 0, i, 0));
const tmp = tmpDirs('sae-replay-');

function saeDir(over: Record<string, unknown> = {}) {
  const d = 2,
    s = 4,
    T = 20,
    B = 16;
  const dir = tmp();
  const config = {
    model: 'sae',
    d,
    s,
    lr: 3e-3,
    l1: 0.3,
    betas: [0, 0.999],
    eps: 1e-8,
    weight_decay: 0,
    steps: T,
    warmup_frac: 0.1,
    cooldown_frac: 0.2,
    cos_penalty: { variant: 'abs', coef: 0.5, norm: 'code' },
    normalize_decoder: true,
    pre_encoder_bias: true,
    ...over,
  };
  const init = {
    W_enc: { shape: [d, s], data: rand(d * s, 1) },
    b_enc: { shape: [s], data: rand(s, 2, -0.1, 0.1) },
    W_dec: { shape: [s, d], data: rand(s * d, 3) },
    b_dec: { shape: [d], data: rand(d, 4, -0.1, 0.1) },
  };
  const batches = rand(T * B * d, 5);
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  writeFileSync(join(dir, 'init.safetensors'), encodeSafetensors(init));
  writeFileSync(join(dir, 'batches.npy'), encodeNpy([T, B, d], batches));
  return { dir, init, batches, d, s, T, B };
}

describe('file formats', () => {
  it('safetensors round trip with metadata', () => {
    const t = { a: { shape: [2, 3], data: rand(6, 1) }, b: { shape: [1], data: new Float32Array([5]) } };
    const r = decodeSafetensors(encodeSafetensors(t, { note: 'x' }));
    expect(r.metadata).toEqual({ note: 'x' });
    expect(r.tensors.a.shape).toEqual([2, 3]);
    expect([...r.tensors.a.data]).toEqual([...t.a.data]);
    expect(() => decodeSafetensors(new Uint8Array(4))).toThrow(/too short/);
  });
  it('npy round trip; rejects float64', () => {
    const r = decodeNpy(encodeNpy([2, 2, 3], rand(12, 2)));
    expect(r.shape).toEqual([2, 2, 3]);
    const bad = encodeNpy([1], new Float32Array([1]));
    const at = new TextDecoder('latin1').decode(bad).indexOf('<f4');
    bad[at + 2] = '8'.charCodeAt(0);
    expect(() => decodeNpy(bad)).toThrow(/dtype <f8, expected float32/);
  });
});

describe('replay on the GPU path', () => {
  it('SAE: final parameters and per-step losses match the reference trainer', async () => {
    const { dir, init, batches, d, s, T, B } = saeDir();
    const out = tmp();
    const r = await replay(ctx, dir, out);
    const L = saeLayout({ D: d, S: s });
    const params = new Float32Array(L.P);
    for (let k = 0; k < s; k++) for (let j = 0; j < d; j++) params[L.WE + k * d + j] = init.W_enc.data[j * s + k];
    params.set(init.b_enc.data, L.BE);
    params.set(init.W_dec.data, L.WD);
    params.set(init.b_dec.data, L.BD);
    const ref = new RefSaeTrainer({
      dims: { N: 1, D: d, S: s },
      sets: [1],
      hyper: [{ lr: 3e-3, l1: 0.3, cos: 0.5, seed: 0 }],
      tables: new Float32Array(1),
      toyParams: new Float32Array(0),
      saeParams: params,
      batches,
      cfg: defaultConfig({ M: 1, B, T, warmup: 2, cooldown: 4, flags: FLAG.PRE_BIAS | FLAG.COS_ABS, act_stride: d, beta1: 0, beta2: 0.999, hist_len: T }),
    });
    ref.train(T);
    const written = decodeSafetensors(new Uint8Array(readFileSync(join(out, 'final.safetensors')))).tensors;
    const c1 = compareArrays('replay W_dec vs reference', written.W_dec.data, ref.params.subarray(L.WD, L.BD), { atol: 1e-5, rtol: 1e-4 });
    const c2 = compareArrays('replay b_dec vs reference', written.b_dec.data, ref.params.subarray(L.BD, L.XP), { atol: 1e-5, rtol: 1e-4 });
    const losses = JSON.parse(readFileSync(join(out, 'losses.json'), 'utf8'));
    const c3 = compareArrays(
      'replay losses.total vs reference',
      losses.total,
      ref.history.map((h) => h.rows[0]),
      { atol: 1e-5, rtol: 1e-4 },
    );
    [c1, c2, c3].forEach((c) => console.log(formatComparison(c)));
    expect([c1.pass, c2.pass, c3.pass]).toEqual([true, true, true]);
    expect(losses.mse).toHaveLength(T);
    expect(losses.l1).toHaveLength(T);
    expect(r.steps).toBe(T);
    expect(written.W_enc.shape).toEqual([d, s]);
  });

  it('toy model: matches the reference trainer', async () => {
    const n = 4,
      d = 2,
      T = 15,
      B = 10;
    const dir = tmp(),
      out = tmp();
    const W = rand(n * d, 7, -0.5, 0.5),
      b = new Float32Array(n),
      batches = rand(T * B * n, 8, 0, 1);
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ model: 'toy', n, d, lr: 1e-2, betas: [0.9, 0.999], weight_decay: 0.01, steps: T }));
    writeFileSync(join(dir, 'init.safetensors'), encodeSafetensors({ W: { shape: [n, d], data: W }, b: { shape: [n], data: b } }));
    writeFileSync(join(dir, 'batches.npy'), encodeNpy([T, B, n], batches));
    await replay(ctx, dir, out);
    const p = new Float32Array(n * d + n);
    p.set(W);
    const ref = new RefToyTrainer({
      dims: { N: n, D: d },
      sets: [n],
      cfg: defaultConfig({ M: 1, B, T, weight_decay: 0.01, hist_len: T }),
      hyper: [{ lr: 1e-2, l1: 0, cos: 0, seed: 0 }],
      tables: new Float32Array(1),
      importance: new Float32Array(n).fill(1),
      toyParams: p,
      batches,
    });
    ref.train(T);
    const w = decodeSafetensors(new Uint8Array(readFileSync(join(out, 'final.safetensors')))).tensors;
    const c = compareArrays('toy replay W vs reference', w.W.data, ref.params.subarray(0, n * d), { atol: 1e-5, rtol: 1e-4 });
    console.log(formatComparison(c));
    expect(c.pass).toBe(true);
  });

  it('malformed inputs: clear error naming the problem, nothing written', async () => {
    const cases: [string, (dir: string) => void, RegExp][] = [
      ['missing file', (dir) => writeFileSync(join(dir, 'batches.npy'), ''), /batches.npy: not a .npy file/],
      [
        'wrong shape',
        (dir) => writeFileSync(join(dir, 'batches.npy'), encodeNpy([20, 16, 3], rand(20 * 16 * 3, 1))),
        /shape \(20, 16, 3\), expected \(steps=20, B, d=2\)/,
      ],
      [
        'bad config value',
        (dir) => writeFileSync(join(dir, 'config.json'), JSON.stringify({ model: 'sae', d: 2, s: 4, lr: -1, l1: 0.3, steps: 20 })),
        /lr: .*>0|lr: Too small/,
      ],
      [
        'unknown config key',
        (dir) => writeFileSync(join(dir, 'config.json'), JSON.stringify({ model: 'sae', d: 2, s: 4, lr: 1, l1: 0.3, steps: 20, typo: 1 })),
        /typo/,
      ],
      [
        'wrong tensor shape',
        (dir) =>
          writeFileSync(
            join(dir, 'init.safetensors'),
            encodeSafetensors({
              W_enc: { shape: [4, 2], data: rand(8, 1) },
              b_enc: { shape: [4], data: rand(4, 1) },
              W_dec: { shape: [4, 2], data: rand(8, 1) },
              b_dec: { shape: [2], data: rand(2, 1) },
            }),
          ),
        /'W_enc' has shape \[4, 2\], expected \[2, 4\]/,
      ],
    ];
    for (const [name, breakIt, msg] of cases) {
      const { dir } = saeDir();
      breakIt(dir);
      const out = join(tmp(), 'out');
      await expect(replay(ctx, dir, out), name).rejects.toThrow(msg);
      expect(existsSync(out) ? readdirSync(out) : [], name).toEqual([]);
    }
    const { dir } = saeDir();
    const { rmSync } = await import('node:fs');
    rmSync(join(dir, 'init.safetensors'));
    await expect(replay(ctx, dir, tmp())).rejects.toThrow(/missing input file .*init.safetensors/);
    await expect(replay(ctx, '/missing', tmp())).rejects.toThrow('replay: the input folder /missing does not exist');
  });

  it('CLI: npm run replay writes the outputs', () => {
    const { dir } = saeDir();
    const out = tmp();
    const log = execFileSync('npx', ['tsx', 'src/cli/replay.ts', '--in', dir, '--out', out], { encoding: 'utf8' });
    expect(log).toMatch(/replayed 20 steps/);
    expect(readdirSync(out).sort()).toEqual(['final.safetensors', 'losses.json']);
  });
});

describe('independent oracle (PyTorch, float64; scripts/golden/make_sae_golden.py)', () => {
  it('GPU replay matches the PyTorch SAE training run: losses per step and final parameters', async () => {
    const dir = join(__dirname, 'data', 'golden-sae');
    const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8'));
    const out = tmp();
    const r = await replay(ctx, dir, out);
    const tol = { atol: 1e-4, rtol: 1e-3 };
    const checks = [
      compareArrays('golden total loss per step', r.losses.total, expected.losses.total, tol),
      compareArrays('golden mse per step', r.losses.mse, expected.losses.mse, tol),
      compareArrays('golden l1 term per step', r.losses.l1, expected.losses.l1, tol),
      ...['W_enc', 'b_enc', 'W_dec', 'b_dec'].map((k) => compareArrays(`golden final ${k}`, r.final[k].data, expected.final[k], tol)),
    ];
    checks.forEach((c) => console.log(formatComparison(c)));
    expect(checks.filter((c) => !c.pass).map(formatComparison)).toEqual([]);
  });
});
