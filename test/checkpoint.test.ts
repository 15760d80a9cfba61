// The checkpoint container: every byte of the job buffers, the loss history and the caller's arrays
// survive a round trip (NaN and Inf included: diverged models log them); damaged files are refused; a
// stage stopped after a checkpoint resumes to the bits of an uninterrupted run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getPreset } from '../src/experiments/presets';
import { forgetToyModels, runExperiment } from '../src/experiments/runner';
import { parseExperiment } from '../src/config/schema';
import type { GpuContext } from '../src/gpu/context';
import { acquireNodeDevice, releaseNodeGpu } from '../src/gpu/node';
import { decodeCheckpoint, encodeCheckpoint, type Checkpoint, type CheckpointStore } from '../src/train/checkpoint';

describe('checkpoint container', () => {
  const c: Checkpoint = {
    fingerprint: '{"v":1}',
    step: 1234,
    meta: { evalSteps: [0, 60, 120], nextEval: 180 },
    buffers: { params: new Uint8Array([1, 2, 3, 4, 5]), state: new Uint8Array(new Uint32Array([1234, 3000, 0, 0]).buffer) },
    history: [
      { step: 0, values: Float64Array.from([1.5, Number.NaN, 3]) },
      { step: 10, values: Float64Array.from([Number.POSITIVE_INFINITY, -0, 2 ** -1074]) },
    ],
    arrays: { eval_batch: Float64Array.from([0.1, Number.NaN, Math.fround(0.3)]) },
  };
  it('round-trips bit for bit', () => {
    const d = decodeCheckpoint(encodeCheckpoint(c));
    expect(d.fingerprint).toBe(c.fingerprint);
    expect(d.step).toBe(1234);
    expect(d.meta).toEqual(c.meta);
    expect(Object.keys(d.buffers)).toEqual(['params', 'state']);
    expect(Array.from(d.buffers.params)).toEqual([1, 2, 3, 4, 5]);
    expect(Array.from(new Uint32Array(d.buffers.state.buffer))).toEqual([1234, 3000, 0, 0]);
    const bits = (a: Float64Array) => Array.from(new BigUint64Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength)));
    expect(d.history.map((r) => [r.step, bits(r.values)])).toEqual(c.history.map((r) => [r.step, bits(r.values)]));
    expect(bits(d.arrays.eval_batch)).toEqual(bits(c.arrays.eval_batch));
  });
  it('refuses what is not a checkpoint, or a truncated one', () => {
    expect(() => decodeCheckpoint(new TextEncoder().encode('{"not":"a checkpoint"}'))).toThrow(/bad magic/);
    const bytes = encodeCheckpoint(c);
    expect(() => decodeCheckpoint(bytes.subarray(0, bytes.byteLength - 16))).toThrow(/truncated/);
  });
});

/** A checkpoint store in memory, and its files. */
function memoryStore(): { files: Map<string, Uint8Array>; store: CheckpointStore } {
  const files = new Map<string, Uint8Array>();
  const store: CheckpointStore = {
    load: (k) => files.get(k) ?? null,
    save: (k, d) => void files.set(k, d.slice()),
    remove: (k) => void files.delete(k),
    where: (k) => `memory:${k}`,
  };
  return { files, store };
}

describe('checkpointed stages (in process, a store in memory)', () => {
  let ctx: GpuContext;
  beforeAll(async () => {
    ctx = await acquireNodeDevice();
  });
  afterAll(() => releaseNodeGpu(ctx));

  it('a stop in the toy stage or in the SAE stage resumes to the bits of an uninterrupted run', async () => {
    // a toy model trained in several chunks (1000-sample batches: the modular toy path, whose chunks are
    // small; the cpu toy version trains these 1500 steps in one), on the modular SAE path too
    const t = getPreset('tiny').experiments[0];
    const c = parseExperiment({ ...t, name: 'ck', seed: 3, toy: { ...t.toy, steps: 1500, batch: 1000 } });
    const { files, store } = memoryStore();
    forgetToyModels();
    const ref = await runExperiment(ctx, c, { path: 'modular', toyKernel: 'modular' });
    class Stop extends Error {}
    for (const stage of ['toy', 'sae'] as const) {
      files.clear();
      forgetToyModels(); // train the toy model again (and stop there, for the toy stage)
      let chunks = 0;
      const stop = () => {
        if (++chunks === 3) throw new Stop(stage);
      };
      const notes: string[] = [];
      const checkpoint = { store, everySeconds: 0 };
      await expect(
        runExperiment(ctx, c, { path: 'modular', toyKernel: 'modular', checkpoint, ...(stage === 'toy' ? { onToyChunk: stop } : { onSaeChunk: stop }) }),
      ).rejects.toBeInstanceOf(Stop);
      expect(files.has(`ck/${stage}`)).toBe(true);
      forgetToyModels();
      const r = await runExperiment(ctx, c, { path: 'modular', toyKernel: 'modular', checkpoint, onNote: (l) => notes.push(l) });
      expect(notes.join('\n')).toMatch(
        stage === 'toy' ? /\[ck\] toy model: resuming from the checkpoint at step [1-9]/ : /\[ck\] SAEs: resuming from the checkpoint at step [1-9]/,
      );
      expect(Array.from(r.weights.toy), stage).toEqual(Array.from(ref.weights.toy));
      expect(Array.from(r.weights.saes), stage).toEqual(Array.from(ref.weights.saes));
      expect(r.toy.loss_curve, stage).toEqual(ref.toy.loss_curve);
      expect(r.curves, stage).toEqual(ref.curves);
      expect(r.saes.map((s) => s.final_loss)).toEqual(ref.saes.map((s) => s.final_loss));
    }
  });

  it('a stop during the reference SAEs keeps the trained SAEs (checkpointed at their end) and resumes to the same bits', async () => {
    const t = getPreset('tiny').experiments[0];
    const c = parseExperiment({ ...t, name: 'gap', seed: 4, optimality_gap: true });
    const { files, store } = memoryStore();
    forgetToyModels();
    const ref = await runExperiment(ctx, c);
    class Stop extends Error {}
    const checkpoint = { store, everySeconds: 3600 }; // no timed saves: only the forced ones
    await expect(
      runExperiment(ctx, c, {
        checkpoint,
        onRefChunk: () => {
          throw new Stop('ref');
        },
      }),
    ).rejects.toBeInstanceOf(Stop);
    expect(files.has('gap/sae')).toBe(true);
    const notes: string[] = [];
    const r = await runExperiment(ctx, c, { checkpoint, onNote: (l) => notes.push(l) });
    expect(notes.join('\n')).toMatch(new RegExp(`\\[gap\\] SAEs: resuming from the checkpoint at step ${c.sae.steps} of ${c.sae.steps}`));
    expect(Array.from(r.weights.saes)).toEqual(Array.from(ref.weights.saes));
    expect(r.curves).toEqual(ref.curves);
    expect(r.cells.map((x) => x.reference)).toEqual(ref.cells.map((x) => x.reference));
  });
});
