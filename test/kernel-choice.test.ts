// Choosing a kernel version per adapter (src/train/choose.ts) and recording the choice in results.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAE_TRAIN_CASES } from '../src/checks/training';
import { saeTestSpec, toyTestSpec } from '../src/kernels/fixtures';
import { getPreset } from '../src/experiments/presets';
import { runExperiment } from '../src/experiments/runner';
import type { GpuContext } from '../src/gpu/context';
import { acquireNodeDevice, releaseNodeGpu } from '../src/gpu/node';
import { FLAG } from '../src/core/wire';
import { chooseSaeKernel, chooseToyKernel, setChoiceStore } from '../src/train/choose';
import { fusedMisfit, fusedThreads } from '../src/kernels/sae_steps';

let ctx: GpuContext;
beforeAll(async () => {
  ctx = await acquireNodeDevice();
  const mem = new Map<string, unknown>();
  setChoiceStore({ get: (k) => mem.get(k), set: (k, v) => void mem.set(k, v) }); // no disk cache from tests
});
afterAll(() => releaseNodeGpu(ctx));

const study = saeTestSpec({ N: 4, D: 2, S: 4, sets: [2, 2], M: 2, B: 32, T: 40, flags: FLAG.GHOST });
const big = saeTestSpec(SAE_TRAIN_CASES['d=8 s=16 n=12 (3 sets), signed cos (pairs), ghost ramp, 30 steps']);

describe('kernel versions: fit and choice', () => {
  it('states why a version does not fit, and v2 uses fewer threads for small batches', () => {
    expect(fusedMisfit(big, ctx.caps, 'v1')).toMatch(/v1 reduces P \+ S \+ 6 = 318 values per step, at most 64 fit/);
    expect(fusedMisfit(big, ctx.caps, 'v2')).toMatch(/v2 reduces P \+ S \+ 7 = 319 values per step, at most 128 fit/);
    expect(fusedMisfit(study, ctx.caps, 'v2', 48)).toMatch(/48 threads per model, need a power of two >= 64/);
    expect(fusedThreads(study, 'v2', ctx.caps)).toBe(64);
    expect(fusedThreads({ ...study, cfg: { ...study.cfg, B: 1024 } }, 'v2', ctx.caps)).toBe(Math.min(256, ctx.device.limits.maxComputeInvocationsPerWorkgroup));
    expect(fusedThreads(study, 'v1', ctx.caps)).toBe(16);
  });

  it('forced versions, misfits and the software-adapter table', async () => {
    expect(await chooseSaeKernel(ctx, study, 'v2')).toMatchObject({ path: 'fused', kernel: 'v2', why: '--kernel v2 forced' });
    const forcedBig = await chooseSaeKernel(ctx, big, 'v2');
    expect(forcedBig).toMatchObject({ path: 'modular', kernel: null });
    expect(forcedBig.why).toMatch(/--kernel v2 forced, but v2 does not fit: v2 reduces/);
    // the CPU-shaped version has no reduction cap: it is the only one that fits the large SAE
    expect(fusedMisfit(big, ctx.caps, 'cpu')).toBeNull();
    expect(await chooseSaeKernel(ctx, big, 'auto')).toMatchObject({
      kernel: 'cpu',
      why: expect.stringMatching(/the only fused version that fits \(v1 skipped: .*; v2 skipped: .*\)/),
    });
    expect(ctx.adapter.isFallbackAdapter).toBe(true); // SwiftShader here: the measured table decides
    expect(await chooseSaeKernel(ctx, study, 'auto')).toMatchObject({
      path: 'fused',
      kernel: 'cpu',
      why: expect.stringMatching(/software adapter: cpu from the measured table/),
    });
    // where cpu cannot run (replay batches), the table's next entry does not either: modular
    expect((await chooseSaeKernel(ctx, { ...study, normalizeDecoder: false }, 'auto')).path).toBe('modular');
    expect(await chooseToyKernel(ctx, toyTestSpec(1, 50), 'auto')).toMatchObject({
      kernel: 'cpu',
      why: expect.stringMatching(/software adapter: cpu from the measured table/),
    });
    // replay batches: no K-step version samples them, so the table's last entry
    const replay = { ...toyTestSpec(1, 50), batches: new Float32Array(50 * 64 * 4) };
    expect(await chooseToyKernel(ctx, replay, 'auto')).toMatchObject({ kernel: 'modular', skipped: { cpu: expect.stringMatching(/replay batches/) } });
  });

  it('benchmarks each fitting version at the job shape once, then uses the cache', async () => {
    const first = await chooseSaeKernel(ctx, study, 'auto', { benchmarkOnFallback: true, kSteps: 4, chunks: 1 });
    expect(Object.keys(first.measured ?? {}).sort()).toEqual(['cpu', 'v1', 'v2']);
    for (const v of Object.values(first.measured!)) expect(v).toBeGreaterThan(0);
    expect(first.measured![first.kernel!]).toBe(Math.max(...Object.values(first.measured!)));
    expect(first.why).toMatch(/benchmark at this shape \(1 chunks of K=4\): v1 .*, v2 .* model-steps\/s/);
    const again = await chooseSaeKernel(ctx, study, 'auto', { benchmarkOnFallback: true });
    expect(again.kernel).toBe(first.kernel);
    expect(again.why).toMatch(/cached for this adapter and shape/);
    const toy = await chooseToyKernel(ctx, toyTestSpec(1, 50), 'auto', { benchmarkOnFallback: true, kSteps: 5, chunks: 1 });
    expect(Object.keys(toy.measured ?? {}).sort()).toEqual(['cpu', 'fused', 'modular']);
  });

  it('the runner records the SAE and toy kernels (and why) per experiment', async () => {
    const exp = {
      ...getPreset('tiny').experiments[0],
      toy: { ...getPreset('tiny').experiments[0].toy, steps: 40 },
      sae: { ...getPreset('tiny').experiments[0].sae, steps: 20 },
      realizations: 1,
    };
    const notes: string[] = [];
    const r = await runExperiment(ctx, exp, { kernel: 'v2', toyKernel: 'fused', onNote: (l) => notes.push(l) });
    expect(r.kernels!.sae).toMatchObject({ path: 'fused', kernel: 'v2', threads: 64, why: '--kernel v2 forced' });
    expect(r.kernels!.toy).toMatchObject({ kernel: 'fused', why: 'fused forced' });
    expect(notes.join('\n')).toMatch(/SAEs: fused v2 \(64 threads\/model/);
    expect(r.saes.every((s) => Number.isFinite(s.final_loss))).toBe(true);
  });
});
