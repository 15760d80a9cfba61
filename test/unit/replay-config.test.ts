// The replay config (src/train/replay.ts) takes the same cosine-penalty forms as the experiment schema,
// orthogonality (S^2) included, and maps them to the same Config flags.
import { describe, expect, it } from 'vitest';
import { COS_VARIANTS, FLAG } from '../../src/core/wire';
import { ReplayConfig } from '../../src/train/replay';
import { saeFlags } from '../../src/variants';

describe('replay config', () => {
  it('accepts every cosine-penalty form of the experiment schema and maps it to its flag', () => {
    const flagOf = { none: 0, abs: FLAG.COS_ABS, signed: 0, ortho: FLAG.COS_SQ } as const;
    for (const variant of COS_VARIANTS) {
      const c = ReplayConfig.parse({ model: 'sae', d: 2, s: 4, l1: 0.1, lr: 1e-3, steps: 10, cos_penalty: { variant, coef: 0.1 } });
      if (c.model !== 'sae') throw new Error('parsed as a toy config');
      expect(saeFlags({ cos: c.cos_penalty }) & (FLAG.COS_ABS | FLAG.COS_SQ), variant).toBe(flagOf[variant]);
    }
    expect(() => ReplayConfig.parse({ model: 'sae', d: 2, s: 4, l1: 0.1, lr: 1e-3, steps: 10, cos_penalty: { variant: 'square' } })).toThrow();
  });
});
