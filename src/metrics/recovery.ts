// Matched recovery (docs/science.md §8.4): a one-to-one assignment of an SAE's live latents to target
// directions (the true feature directions, and separately the composed directions that occur in the data),
// maximising the summed signed cosine (the Hungarian algorithm; as SAELens's synthetic-data evaluation
// matches latents to features and reports MCC). The SAE's verdict comes from coverage: which targets have
// their matched latent at cosine >= COVER_THRESHOLD. Also: validity guards on the toy model (cross-set
// antipodal pairs, degenerate composed directions) and the distinct toy models behind a set of experiments.
import { assignMax } from './assignment';
import { mccAbs, uniqueness } from './synth';
import {
  collapsedPairs,
  cosine,
  featureLabel,
  matchLatents,
  mmcs,
  norm,
  recovered,
  verdictOf,
  type LatentMatch,
  type NearestVerdict,
  type Vec,
} from './analysis';

/** A target counts as covered when its matched latent's decoder direction has signed cosine >= this. */
export const COVER_THRESHOLD = 0.95;

/**
 * The SAE's verdict from matched recovery:
 * - true: every true feature direction is covered (whatever the other latents do);
 * - composed: not true, and every occurring composed direction is covered;
 * - mixed: neither basis fully covered, but at least one true and at least one composed direction covered;
 * - partial: neither basis fully covered, and the covered targets (possibly none) are all of one kind;
 * - dead: no live latent.
 */
export const VERDICTS = ['true', 'composed', 'mixed', 'partial', 'dead'] as const;
export type Verdict = (typeof VERDICTS)[number];

export interface Recovery {
  /** number of target directions */
  targets: number;
  /** targets whose matched latent has cosine >= COVER_THRESHOLD */
  covered: number;
  /** mean matched signed cosine over the targets under the max-sum assignment (an unmatched target counts 0) */
  mcc: number;
  /** per target: the latent the coverage assignment matches to it (-1: none, fewer live latents than targets) */
  match: number[];
  /** per target: the matched signed cosine (null when unmatched) */
  cos: (number | null)[];
  /** labels of the targets not covered */
  missing: string[];
  /** live latents that cover no target in this basis (duplicates included) */
  unmatched_latents: number;
  /** live latents at cosine >= COVER_THRESHOLD with a target they are not matched to: a second latent on one target */
  duplicate_latents: number;
}

/**
 * One-to-one matching of the live latents' decoder directions to targets. Two assignments (Hungarian):
 * - MCC: the assignment maximising the summed signed cosine (SAELens's MCC, signed because the toy model
 *   stores features antipodally: a latent on -x1 does not represent x1);
 * - coverage: the assignment maximising first the number of targets whose latent has cosine >= threshold,
 *   then the summed signed cosine. (The max-sum assignment alone can give up a latent lying on a target to
 *   avoid a negative cosine elsewhere; coverage must not depend on that trade.) `match`, `cos`, `missing`,
 *   `unmatched_latents` and `duplicate_latents` describe this assignment.
 */
export function matchRecovery(decoder: Vec[], alive: boolean[], targets: Vec[], labels: string[], threshold = COVER_THRESHOLD): Recovery {
  const live = decoder.map((_, k) => k).filter((k) => alive[k]);
  const C = targets.map((t) => live.map((k) => cosine(decoder[k], t)));
  const none = targets.map(() => -1);
  const best = live.length ? assignMax(C) : none;
  // lexicographic: a covered target is worth more than any sum of cosines (|cos| <= 1, at most n pairs)
  const eps = 1 / (4 * (targets.length + 1));
  const assign = live.length ? assignMax(C.map((row) => row.map((c) => (c >= threshold ? 1 : 0) + eps * c))) : none;
  const match = assign.map((j) => (j >= 0 ? live[j] : -1));
  const cos = assign.map((j, i) => (j >= 0 ? C[i][j] : null));
  const coveredBy = new Set<number>();
  const missing: string[] = [];
  cos.forEach((c, i) => {
    if (c !== null && c >= threshold) coveredBy.add(match[i]);
    else missing.push(labels[i]);
  });
  const others = live.filter((k) => !coveredBy.has(k));
  const duplicate = others.filter((k) => targets.some((t) => cosine(decoder[k], t) >= threshold)).length;
  return {
    targets: targets.length,
    covered: coveredBy.size,
    mcc: targets.length ? best.reduce((s, j, i) => s + (j >= 0 ? C[i][j] : 0), 0) / targets.length : NaN,
    match,
    cos,
    missing,
    unmatched_latents: others.length,
    duplicate_latents: duplicate,
  };
}

/** The verdict from the two recoveries (see Verdict). */
export function recoveryVerdict(t: Recovery, c: Recovery, liveLatents: number): Verdict {
  if (liveLatents === 0) return 'dead';
  if (t.targets > 0 && t.covered === t.targets) return 'true';
  if (c.targets > 0 && c.covered === c.targets) return 'composed';
  if (t.covered > 0 && c.covered > 0) return 'mixed';
  return 'partial';
}

export interface SaeAnalysis {
  latents: LatentMatch[];
  /** from matched recovery (recoveryVerdict) */
  verdict: Verdict;
  /** the old nearest-line rule (every live latent within cos 0.9 of one kind); cannot reject in 2-D, kept as a secondary field */
  verdict_nearest: NearestVerdict;
  recovery: { true: Recovery; composed: Recovery };
  mmcs: number;
  recovered: number;
  collapsed_pairs: number;
  composed_fraction: number;
  /** SynthSAEBench's decoder metrics with SAELens's definitions (synth.ts), over every latent as SAELens counts them */
  synth: { mcc: number; uniqueness: number };
}

/** Everything the analysis says about one SAE from its decoder directions and which latents are live. */
export function analyseSae(decoder: Vec[], alive: boolean[], features: Vec[], composed: { dir: Vec; label: string }[], sets: number[]): SaeAnalysis {
  const latents = matchLatents(decoder, alive, features, composed, sets);
  const live = latents.filter((l) => l.kind !== 'dead');
  const rt = matchRecovery(
    decoder,
    alive,
    features,
    features.map((_, i) => featureLabel(i, sets)),
  );
  const rc = matchRecovery(
    decoder,
    alive,
    composed.map((x) => x.dir),
    composed.map((x) => x.label),
  );
  return {
    latents,
    verdict: recoveryVerdict(rt, rc, live.length),
    verdict_nearest: verdictOf(latents),
    recovery: { true: rt, composed: rc },
    mmcs: mmcs(decoder, features),
    recovered: recovered(decoder, features),
    collapsed_pairs: collapsedPairs(decoder),
    composed_fraction: latents.filter((l) => l.kind === 'composed').length / Math.max(1, decoder.length),
    synth: { mcc: mccAbs(decoder, features), uniqueness: uniqueness(decoder, features) },
  };
}

/** Features of different sets whose directions lie on one line, |cos| >= this (either sign), are flagged: the SAE cannot tell them apart. */
export const CROSS_SET_ABS_COS = 0.9;
/** A composed direction is degenerate when |sum of its members| < this x the mean member norm. */
export const DEGENERATE_RATIO = 0.1;
/** A feature is not represented when its direction's norm is below this x the median feature norm. */
export const UNREPRESENTED_RATIO = 0.1;

export interface ToyValidity {
  /** false when any guard below fires: the toy model is not the study's geometry and its SAE verdicts are flagged */
  valid: boolean;
  /** pairs of features from different sets stored on one line (|cos| >= CROSS_SET_ABS_COS), e.g. x1-y1 antipodal */
  cross_set_pairs: { pair: string; cos: number }[];
  /** occurring composed directions whose unnormalised sum is (nearly) zero */
  degenerate_composed: { label: string; norm_ratio: number }[];
  /** features whose direction's norm is below UNREPRESENTED_RATIO x the median (the toy model does not store them; absent in older results) */
  unrepresented?: { label: string; norm_ratio: number }[];
  /** one line per problem, for reports and figures */
  notes: string[];
}

/**
 * Guards on a trained toy model: cross-set pairs on one line (features of different sets stored antipodally,
 * so that e.g. x1 + y1 ~ 0, or parallel, so that one direction stands for both; |cos| >= CROSS_SET_ABS_COS),
 * degenerate composed directions (|w_i + w_j + ...| below DEGENERATE_RATIO x the mean |w_i| of the members, so
 * its normalised direction is noise) and features not represented (|w_i| below UNREPRESENTED_RATIO x the median).
 */
export function toyValidity(features: Vec[], sets: number[], composed: { label: string; members: number[] }[]): ToyValidity {
  const setOf = (i: number) => {
    let j = 0,
      k = i;
    while (j < sets.length && k >= sets[j]) {
      k -= sets[j];
      j++;
    }
    return j;
  };
  const cross: ToyValidity['cross_set_pairs'] = [];
  for (let a = 0; a < features.length; a++)
    for (let b = a + 1; b < features.length; b++) {
      if (setOf(a) === setOf(b)) continue;
      const c = cosine(features[a], features[b]);
      if (Math.abs(c) >= CROSS_SET_ABS_COS) cross.push({ pair: `${featureLabel(a, sets)}-${featureLabel(b, sets)}`, cos: c });
    }
  const degenerate: ToyValidity['degenerate_composed'] = [];
  for (const x of composed) {
    const sum = features[0].map((_, d) => x.members.reduce((s, i) => s + features[i][d], 0));
    const meanNorm = x.members.reduce((s, i) => s + norm(features[i]), 0) / Math.max(1, x.members.length);
    const ratio = meanNorm > 0 ? norm(sum) / meanNorm : 0;
    if (ratio < DEGENERATE_RATIO) degenerate.push({ label: x.label, norm_ratio: ratio });
  }
  const norms = features.map(norm);
  const sorted = [...norms].sort((a, b) => a - b);
  const med = sorted.length ? sorted[Math.floor((sorted.length - 1) / 2)] : 0;
  const unrepresented = norms.flatMap((v, i) => (med > 0 && v < UNREPRESENTED_RATIO * med ? [{ label: featureLabel(i, sets), norm_ratio: v / med }] : []));
  const notes: string[] = [];
  const anti = cross.filter((p) => p.cos < 0),
    para = cross.filter((p) => p.cos > 0);
  if (anti.length)
    notes.push(`cross-set antipodal pairs ${anti.map((p) => `${p.pair} (cos ${p.cos.toFixed(3)})`).join(', ')}: features of different sets share a line`);
  if (para.length)
    notes.push(`cross-set parallel pairs ${para.map((p) => `${p.pair} (cos ${p.cos.toFixed(3)})`).join(', ')}: features of different sets share a direction`);
  if (degenerate.length)
    notes.push(
      `degenerate composed directions ${degenerate.map((d) => `${d.label} (|sum| ${d.norm_ratio.toFixed(3)} of the feature norm)`).join(', ')}: their direction is not defined`,
    );
  if (unrepresented.length)
    notes.push(
      `features not represented ${unrepresented.map((u) => `${u.label} (norm ${u.norm_ratio.toFixed(3)} of the median)`).join(', ')}: the toy model does not store them`,
    );
  return { valid: !cross.length && !degenerate.length && !unrepresented.length, cross_set_pairs: cross, degenerate_composed: degenerate, unrepresented, notes };
}

/**
 * Group experiments by their toy model: experiments whose W agree entry by entry within `tol` share one toy
 * model (the study's correlated, cos-signed and cos-abs experiments train the same toy model). Returns the
 * groups as lists of indices, in order of first appearance.
 */
export function toyModelGroups(Ws: Vec[][], tol = 1e-6): number[][] {
  const groups: number[][] = [];
  Ws.forEach((W, i) => {
    const same = (V: Vec[]) => V.length === W.length && V.every((row, a) => row.length === W[a].length && row.every((v, b) => Math.abs(v - W[a][b]) <= tol));
    const g = groups.find((x) => same(Ws[x[0]]));
    if (g) g.push(i);
    else groups.push([i]);
  });
  return groups;
}
