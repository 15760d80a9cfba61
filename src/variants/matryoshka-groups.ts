// Matryoshka's nested reconstructions (docs/science.md §8), shared by the matryoshka and matryoshka-batchtopk
// records: the config section sae.matryoshka and the prefixes and weights it gives at dictionary size s.
//   prefixes m_1 < ... < m_G = s: `widths` (SAELens's matryoshka_widths) or `group_fractions`
//     (dictionary_learning: group sizes floor(f_i s) for all but the last, the last the rest);
//   weights: 'uniform' 1/G each (dictionary_learning), 'sum' 1 each (SAELens: the full loss plus the
//     unweighted inner losses), or one multiplier per level (the feature-hedging paper's balanced Matryoshka).
import { z } from 'zod';
import type { RecGroups } from '../core/wire';

export const MatryoshkaSchema = z
  .object({
    widths: z.array(z.number().int('must be integers').positive('must be > 0')).min(1, 'needs at least one width').optional(),
    group_fractions: z.array(z.number().positive('must be > 0').max(1, 'must be <= 1')).min(1, 'needs at least one fraction').optional(),
    weights: z.union([z.enum(['uniform', 'sum']), z.array(z.number().min(0, 'must be >= 0')).min(1)]).default('uniform'),
  })
  .strict();
export type MatryoshkaSection = z.infer<typeof MatryoshkaSchema>;

export const MATRYOSHKA_SECTION = { key: 'matryoshka', schema: MatryoshkaSchema } as const;

/** The prefixes and weights of sae.matryoshka at s latents (default: two halves), or an Error naming the field. */
export function matryoshkaGroups(section: unknown, s: number): RecGroups {
  const m = MatryoshkaSchema.parse(section ?? {});
  if (m.widths && m.group_fractions) throw new Error('sae.matryoshka: give widths or group_fractions, not both');
  let ends: number[];
  if (m.widths) {
    ends = m.widths;
    if (ends.some((e, i) => i > 0 && e <= ends[i - 1])) throw new Error(`sae.matryoshka.widths [${ends.join(', ')}] must rise strictly`);
    if (ends[ends.length - 1] !== s)
      throw new Error(`sae.matryoshka.widths [${ends.join(', ')}] must end at s = ${s} (the last prefix is the whole dictionary)`);
  } else {
    const fr = m.group_fractions ?? [0.5, 0.5];
    const sum = fr.reduce((a, b) => a + b, 0);
    if (Math.abs(sum - 1) > 1e-6) throw new Error(`sae.matryoshka.group_fractions sum to ${sum}; they must sum to 1`);
    const sizes = fr.slice(0, -1).map((f) => Math.floor(f * s));
    sizes.push(s - sizes.reduce((a, b) => a + b, 0));
    if (sizes.some((n) => n < 1))
      throw new Error(`sae.matryoshka.group_fractions [${fr.join(', ')}] give group sizes [${sizes.join(', ')}] at s = ${s}; every group needs a latent`);
    let at = 0;
    ends = sizes.map((n) => (at += n));
  }
  const G = ends.length;
  const weights = m.weights === 'uniform' ? new Array(G).fill(1 / G) : m.weights === 'sum' ? new Array(G).fill(1) : m.weights;
  if (weights.length !== G) throw new Error(`sae.matryoshka.weights has ${weights.length} entries for ${G} nested reconstructions`);
  if (!weights.some((w) => w > 0)) throw new Error('sae.matryoshka.weights are all 0; no reconstruction would be trained');
  return { ends, weights };
}

/** The checks' nested reconstructions at S latents: three prefixes (1, half, all) with unequal weights. */
export const checkGroups = (S: number): RecGroups => ({ ends: [1, Math.ceil(S / 2), S], weights: [0.5, 0.3, 0.2] });
