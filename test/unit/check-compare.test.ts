// The GPU-vs-reference comparison (src/checks/compare.ts), as the kernel lab and --checks print it: the worst
// element is the one that uses most of its own tolerance (an exact 0 = 0 pair was named "worst" beside a
// nonzero maxAbs, printed gpu=0.000000 ref=0.000000), and its values carry the digits that differ.
import { describe, expect, it } from 'vitest';
import { compareArrays, formatComparison, formatValue } from '../../src/checks/compare';

describe('compareArrays', () => {
  it('names the element closest to its tolerance, not an exact zero', () => {
    const c = compareArrays('x', Float32Array.from([0, 1.0000007, 0.5]), [0, 1, 0.5], { atol: 1e-5, rtol: 1e-3 });
    expect(c.pass).toBe(true);
    expect(c.worstIndex).toBe(1);
    expect(c.maxAbs).toBeCloseTo(7.15e-7, 8);
    const line = formatComparison(c);
    expect(line).toMatch(/worst\[1\] gpu=1\.00000072 ref=1 \(\|d\|=7\.15e-7\)/);
    expect(line).not.toMatch(/0\.000000/);
  });

  it('fails and names the element over its tolerance; tolerance 0 means bit for bit', () => {
    const c = compareArrays('x', [1, 2.5, 3], [1, 2, 3.001], { atol: 0.01, rtol: 0 });
    expect(c.pass).toBe(false);
    expect(c.worstIndex).toBe(1);
    const exact = compareArrays('y', [0, 0, 1e-9], [0, 0, 0], { atol: 0, rtol: 0 });
    expect(exact.pass).toBe(false);
    expect(exact.worstIndex).toBe(2);
    expect(formatComparison(exact)).toMatch(/worst\[2\] gpu=1e-9 ref=0/);
    expect(compareArrays('z', [0, 0], [0, 0], { atol: 0, rtol: 0 }).pass).toBe(true);
  });

  it('counts non-finite mismatches', () => {
    const c = compareArrays('x', [Number.NaN, 1], [0, 1], { atol: 1, rtol: 0 });
    expect(c.pass).toBe(false);
    expect(c.nonFinite).toBe(1);
    expect(c.worstIndex).toBe(0);
  });
});

describe('formatValue', () => {
  it('keeps float32 digits, writes 0 as 0 and small or large values as exponents', () => {
    expect(formatValue(0)).toBe('0');
    expect(formatValue(Math.fround(0.1))).toBe('0.100000001');
    expect(formatValue(-6.74e-7)).toBe('-6.74e-7');
    expect(formatValue(1.5e12)).toBe('1.5e+12');
    expect(formatValue(Number.NaN)).toBe('NaN');
  });
});
