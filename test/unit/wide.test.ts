// The wide engine's twin (src/reference/wide.ts) against finite differences of its own loss.
import { describe, expect, it } from 'vitest';
import { wideStep, type WideParams } from '../../src/reference/wide';

const rand = (n: number, seed: number, scale = 1) => Float64Array.from({ length: n }, (_, i) => Math.sin(seed * 7919 + i * 12.9898) * scale);

describe('wide SAE step twin', () => {
  it('every partial of the loss matches a central difference (ReLU, L1 weighted by decoder norms, b_dec on both paths)', () => {
    const sh = { B: 5, d: 4, s: 6 },
      lambda = 0.3;
    const p: WideParams = { w_enc: rand(sh.d * sh.s, 1, 0.8), b_enc: rand(sh.s, 2, 0.3), w_dec: rand(sh.s * sh.d, 3, 0.8), b_dec: rand(sh.d, 4, 0.2) };
    const x = rand(sh.B * sh.d, 5);
    const base = wideStep(p, x, sh, lambda);
    const h = 1e-6;
    let worst = 0,
      checked = 0;
    for (const name of ['w_enc', 'b_enc', 'w_dec', 'b_dec'] as const) {
      const arr = Float64Array.from(p[name]);
      for (let i = 0; i < arr.length; i++) {
        const v = arr[i];
        arr[i] = v + h;
        const up = wideStep({ ...p, [name]: arr }, x, sh, lambda).loss;
        arr[i] = v - h;
        const dn = wideStep({ ...p, [name]: arr }, x, sh, lambda).loss;
        arr[i] = v;
        const fd = (up - dn) / (2 * h);
        const err = Math.abs(fd - base.grads[name][i]);
        worst = Math.max(worst, err);
        checked++;
        expect(err, `${name}[${i}]: analytic ${base.grads[name][i]}, finite difference ${fd}`).toBeLessThan(1e-6);
      }
    }
    expect(checked).toBe(2 * sh.d * sh.s + sh.s + sh.d);
    // some latents must be off and some on, or the ReLU's gate is not exercised
    const l0 = Array.from({ length: sh.B }, (_, b) => base.rows[b * 3 + 2]);
    const on = l0.reduce((a, b) => a + b, 0);
    expect(on).toBeGreaterThan(0);
    expect(on).toBeLessThan(sh.B * sh.s);
    console.log(`wide twin vs finite differences: ${checked} partials, worst |error| ${worst.toExponential(2)}`);
  });
});
