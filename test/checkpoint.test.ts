// The checkpoint container: every byte of the job buffers, the loss history and the caller's arrays
// survive a round trip (NaN and Inf included: diverged models log them); damaged files are refused.
import { describe, expect, it } from 'vitest';
import { decodeCheckpoint, encodeCheckpoint, type Checkpoint } from '../src/train/checkpoint';

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
