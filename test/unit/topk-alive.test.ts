// The dead rule for TopK (src/metrics/analysis.ts latentsFiring, used by the runner): a TopK latent fires only
// among the k largest pre-activations of a sample, so a latent on a composed direction can win on every
// composed sample and lose on every one-hot probe (one feature alone). Such a latent is live, not dead.
import { describe, expect, it } from 'vitest';
import { latentsFiring } from '../../src/metrics/analysis';
import { topk } from '../../src/variants/topk';

const cfg = { flags: 0, topk: 1, jump_eps: 0 };
const act = (pre: number[]) => topk.twin.activation(cfg, pre);
// latents along x1, y1 and their composed direction x1+y1 (d = 2, s = 3, k = 1)
const enc = { W: [1, 0, 0, 1, 0.6, 0.6], b: [0, 0, 0], bDec: [0, 0], preBias: false };

describe('latentsFiring (TopK liveness)', () => {
  it('the composed latent never wins on a one-hot probe', () => {
    const probes = [1, 0, 0, 1]; // x1 alone, y1 alone
    expect(latentsFiring(enc, 3, 2, probes, 2, act)).toEqual([true, true, false]);
  });
  it('but fires on the composed samples of the data: live', () => {
    const data = [1, 0, 0.7, 0.9, 0, 1];
    expect(latentsFiring(enc, 3, 2, data, 3, act)).toEqual([true, true, true]);
  });
  it('a latent that never fires stays dead; the pre-encoder bias is subtracted', () => {
    const dead = { ...enc, b: [0, 0, -5] };
    expect(latentsFiring(dead, 3, 2, [1, 1, 0.5, 0.5], 2, act)).toEqual([true, false, false]); // ties: lowest index
    const shifted = { ...enc, bDec: [10, 10], preBias: true };
    expect(latentsFiring(shifted, 3, 2, [11, 10, 10, 11, 11, 11], 3, act)).toEqual([true, true, true]);
  });
});
