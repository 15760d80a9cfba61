// report.md: each of the study's claims (docs/science.md §7) with the measured numbers behind it, the margin to the
// claim's threshold, the seed-to-seed spread when a second seed's run is given, and cells whose SAEs had not
// converged marked and left out of the claims that rest on single cells.
import { CONVERGENCE_DROP, MATCH_THRESHOLD, SELECTION_RULES, unit, type SelectionRule } from '../metrics/analysis';
import { analyseSae, COVER_THRESHOLD, toyModelGroups, toyValidity, VERDICTS, type ToyValidity, type Verdict } from '../metrics/recovery';
import { phasePoints, phaseTable } from '../plots/phase';
import { claimsSection } from './claims';
import { referenceProblem } from '../results/stored';
import { clusterBootstrap, fmtInterval, pooledShare } from '../metrics/stats';
import type { ResultsFile, StoredExperiment } from '../results/stored';

type Exp = StoredExperiment;
type Cell = Exp['cells'][number];
export const pct = (a: number, b: number) => (b ? `${((100 * a) / b).toFixed(0)} %` : 'n/a');
export const f3 = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : String(v));
export const signed = (v: number) => (v >= 0 ? `+${v}` : String(v));

/** The pick of a cell under a rule (results written before both rules existed only have lowest_loss). */
export function pickOf(c: Cell, rule: SelectionRule | 'configured'): number {
  if (rule === 'configured' || !c.lowest_by) return c.lowest_loss;
  return c.lowest_by[rule];
}

/**
 * Results written before matched recovery existed hold the old nearest-line verdict in `verdict` and no
 * `recovery`: recompute the verdicts from the stored decoders, toy W and composed labels (live latents: those
 * not marked dead), keeping the stored verdict as `verdict_nearest`. Experiments that have recovery are returned as they are.
 */
export function withRecovery<T extends Pick<ResultsFile, 'experiments'>>(res: T): T {
  return { ...res, experiments: res.experiments.map(upgradeExperiment) };
}
function upgradeExperiment(e: Exp): Exp {
  // nothing to recompute from (hand-built or partial records): leave as is
  if (e.saes.every((s) => s.recovery) || !e.toy?.W?.length || !e.composed || e.saes.some((s) => !s.decoder || !s.latents)) return e;
  const sets = e.config.data.sets;
  const composed = composedTargets(e);
  const saes = e.saes.map((s) => {
    if (s.recovery) return s;
    const a = analyseSae(
      s.decoder,
      s.latents.map((l) => l.kind !== 'dead'),
      e.toy.W,
      composed,
      sets,
    );
    return {
      ...s,
      verdict: a.verdict,
      verdict_nearest: s.verdict_nearest ?? (s.verdict as Exp['saes'][number]['verdict_nearest']),
      recovery: a.recovery,
      verdict_flagged: toyFlagged(e),
    };
  });
  const cells = e.cells.map((c) => {
    const verdicts = Object.fromEntries(VERDICTS.map((v) => [v, 0])) as Record<Verdict, number>;
    const nearest = { true: 0, composed: 0, mixed: 0, dead: 0 };
    for (const m of c.models) {
      verdicts[saes[m].verdict]++;
      nearest[saes[m].verdict_nearest ?? 'dead']++;
    }
    return { ...c, verdicts, verdicts_nearest: nearest };
  });
  return { ...e, saes, cells };
}

/** The occurring composed directions of an experiment in the toy model's hidden space (from the stored W and labels). */
export function composedTargets(e: Pick<Exp, 'composed' | 'toy'>): { label: string; dir: number[] }[] {
  return e.composed
    .map((x) => ({ label: x.label, members: x.label.split('+').map((l) => e.toy.labels.indexOf(l)) }))
    .filter((x) => x.members.every((i) => i >= 0))
    .map((x) => ({ label: x.label, dir: unit(e.toy.W[0].map((_, d) => x.members.reduce((acc, i) => acc + e.toy.W[i][d], 0))) }));
}

/** " (a fixed random dictionary, ...)" when the experiment used one in place of the trained toy model (toy.model). */
export const dictionaryNote = (e: Pick<Exp, 'config'>) =>
  e.config.toy.model === 'dictionary'
    ? ` (a fixed random unit dictionary, not trained${e.config.toy.ortho_steps ? `; orthogonalised by ${e.config.toy.ortho_steps} Adam steps` : ''})`
    : '';

/** The study's shape: two sets of two features in a d = 2 toy model. The study's claims apply only to these experiments. */
export const isStudyShape = (e: Pick<Exp, 'config'>) => e.config.data.sets.length === 2 && e.config.data.sets.every((k) => k === 2) && e.config.toy.d === 2;

/** The toy-model guards of an experiment (recomputed from the stored W for results written before they existed). */
export function validityOf(e: Pick<Exp, 'toy' | 'composed' | 'config'>): ToyValidity {
  if (e.toy.validity) return e.toy.validity;
  const members = e.composed.map((x) => ({ label: x.label, members: x.label.split('+').map((l) => e.toy.labels.indexOf(l)) }));
  return toyValidity(
    e.toy.W,
    e.config.data.sets,
    members.filter((x) => x.members.every((i) => i >= 0)),
  );
}
export const toyFlagged = (e: Pick<Exp, 'toy' | 'composed' | 'config'>) => !validityOf(e).valid;

/** Experiments grouped by identical toy models (same W): one letter per distinct toy model, A, B, ... */
export function toyModelIds(exps: Pick<Exp, 'name' | 'toy'>[]): Map<string, string> {
  const ids = new Map<string, string>();
  toyModelGroups(exps.map((e) => e.toy.W)).forEach((g, i) => {
    for (const j of g) ids.set(exps[j].name, String.fromCharCode(65 + (i % 26)) + (i >= 26 ? String(Math.floor(i / 26)) : ''));
  });
  return ids;
}

/** "N distinct toy model(s) (a = b = c; d)" for the experiments behind a claim. */
export function toyModelNote(exps: Pick<Exp, 'name' | 'toy'>[]): string {
  if (!exps.length) return '';
  const groups = toyModelGroups(exps.map((e) => e.toy.W)).map((g) => g.map((i) => exps[i].name).join(' = '));
  return ` Toy models behind this claim: ${groups.length} distinct (${groups.join('; ')}).`;
}

export const ruleName = (r: SelectionRule) => (r === 'per_sample_fvu' ? 'per-sample FVU (the study)' : 'batch FVU');

/** Verdict counts over all SAEs, or over each cell's pick under a selection rule; `converged` keeps only converged cells. */
export function counts(e: Exp, which: 'all' | 'lowest' | SelectionRule, opts: { convergedOnly?: boolean } = {}) {
  const cells = opts.convergedOnly ? e.cells.filter((c) => c.converged !== false) : e.cells;
  const list =
    which === 'all'
      ? opts.convergedOnly
        ? cells.flatMap((c) => c.models.map((m) => e.saes[m]))
        : e.saes
      : cells.map((c) => e.saes[pickOf(c, which === 'lowest' ? 'configured' : which)]);
  const c = { true: 0, composed: 0, mixed: 0, partial: 0, dead: 0, n: list.length, nearest: { true: 0, composed: 0, mixed: 0, dead: 0 } };
  list.forEach((s) => {
    if (s.verdict in c) c[s.verdict]++;
    if (s.verdict_nearest) c.nearest[s.verdict_nearest]++;
  });
  return c;
}

/** A cell's selection loss under a rule, for an SAE or a reference SAE. */
export const lossBy = (x: { final_loss: number; final_loss_batch?: number }, rule: SelectionRule) =>
  rule === 'per_sample_fvu' ? x.final_loss : (x.final_loss_batch ?? NaN);

type Reference = NonNullable<Cell['reference']>['true'];
export { referenceProblem };

/** The lowest selection loss of a cell's realizations that did not diverge (NaN when all did). */
export const bestLearned = (e: Exp, c: Cell, rule: SelectionRule) => {
  const live = c.models.filter((m) => e.saes[m].diverged === null);
  return live.length ? Math.min(...live.map((m) => lossBy(e.saes[m], rule))) : Number.NaN;
};

/**
 * The optimality gap of an experiment (config.optimality_gap) under a selection rule, over the converged cells whose
 * two reference SAEs converged: in how many the composed reference has the lower loss (what the objective
 * prefers), in how many a reference is below the cell's best learned SAE (a dictionary training missed), and
 * median ratios composed / true of the selection loss and of the L1 term. null: no reference SAEs.
 */
export function gapStats(e: Exp, rule: SelectionRule) {
  const withRef = e.cells.filter((c) => c.reference);
  if (!withRef.length) return null;
  const cells = withRef.filter((c) => c.converged !== false && !referenceProblem(c.reference!.true) && !referenceProblem(c.reference!.composed));
  let composedLower = 0,
    trueBelowBest = 0,
    trueWinsBelowBest = 0,
    composedBelowBest = 0;
  const ratio: number[] = [],
    l1Ratio: number[] = [];
  for (const c of cells) {
    const best = bestLearned(e, c, rule);
    const t = lossBy(c.reference!.true, rule),
      k = lossBy(c.reference!.composed, rule);
    if (k < t) composedLower++;
    if (t < best) trueBelowBest++;
    if (t < k && t < best) trueWinsBelowBest++;
    if (k < best) composedBelowBest++;
    ratio.push(k / t);
    l1Ratio.push(c.reference!.composed.l1_term / c.reference!.true.l1_term);
  }
  const med = (a: number[]) => {
    const b = [...a].sort((x, y) => x - y);
    return b.length ? (b.length % 2 ? b[(b.length - 1) >> 1] : (b[b.length / 2 - 1] + b[b.length / 2]) / 2) : NaN;
  };
  return { n: cells.length, of: withRef.length, composedLower, trueBelowBest, trueWinsBelowBest, composedBelowBest, ratio: med(ratio), l1Ratio: med(l1Ratio) };
}

/** One sentence of gapStats for an experiment, both selection rules. */
export function gapText(e: Exp): string {
  const g = gapStats(e, 'per_sample_fvu'),
    b = gapStats(e, 'batch_fvu');
  if (!g || !b) return '';
  if (!g.n) return `${e.name}: no converged cell with converged reference SAEs (of ${g.of}).`;
  return `${e.name} (${g.n} of ${g.of} cells): the composed reference has the lower selection loss in ${g.composedLower} (batch FVU: ${b.composedLower}), median ratio composed / true ${f3(g.ratio)} (batch ${f3(b.ratio)}); the true reference is below the cell's best learned SAE in ${g.trueBelowBest} (batch ${b.trueBelowBest}), the composed one in ${g.composedBelowBest} (batch ${b.composedBelowBest}).`;
}

/** Per experiment with reference SAEs: each cell's best learned selection loss beside the two references'. */
export function gapSection(res: ResultsFile): string {
  const exps = res.experiments.filter((e) => e.cells.some((c) => c.reference));
  if (!exps.length) return '';
  const out = [
    '## Optimality gap\n',
    "Per grid cell, two reference SAEs whose decoder is fixed to the true directions (T) and to the composed directions (C); the encoder starts on the same directions and it and the biases train at the cell's budget, data and evaluation samples (docs/science.md §8.5). Entries: the cell's best learned SAE / T / C, selection loss (per-sample FVU + lambda L1) on the evaluation samples; * marks a cell that had not converged, or a reference that diverged, had not converged or ends above the all-off code's selection loss of 1 (unstable: it says nothing about the optimum and is left out of the counts). A reference below the best learned SAE is a dictionary the training did not find; T against C is what the objective prefers.\n",
  ];
  for (const e of exps) {
    const lrs = [...new Set(e.cells.map((c) => c.lr))].sort((a, b) => a - b);
    const l1s = [...new Set(e.cells.map((c) => c.l1))].sort((a, b) => a - b);
    out.push(`### ${e.name}${toyFlagged(e) ? ' (toy model flagged by the guards)' : ''}\n`);
    out.push(`| lr \\ lambda | ${l1s.join(' | ')} |`, `|---|${l1s.map(() => '---|').join('')}`);
    for (const lr of lrs) {
      const row = l1s.map((l1) => {
        const c = e.cells.find((x) => x.lr === lr && x.l1 === l1);
        if (!c?.reference) return '';
        const best = bestLearned(e, c, 'per_sample_fvu');
        const star = (bad: boolean) => (bad ? '*' : '');
        const ref = (r: Reference) => `${f3(r.final_loss)}${star(!!referenceProblem(r))}`;
        return `${f3(best)}${star(c.converged === false)} / ${ref(c.reference.true)} / ${ref(c.reference.composed)}`;
      });
      out.push(`| ${lr} | ${row.join(' | ')} |`);
    }
    out.push('', gapText(e), '');
  }
  return out.join('\n');
}

/** Cells whose lowest-loss realization differs between the two selection rules. */
export function pickChanges(e: Exp): { cell: Cell; a: number; b: number }[] {
  return e.cells.flatMap((c) =>
    c.lowest_by && c.lowest_by.per_sample_fvu !== c.lowest_by.batch_fvu ? [{ cell: c, a: c.lowest_by.per_sample_fvu, b: c.lowest_by.batch_fvu }] : [],
  );
}

export const notConverged = (e: Exp) => e.cells.filter((c) => c.converged === false);

export function verdictTable(res: Pick<ResultsFile, 'experiments'>): string {
  res = withRecovery(res);
  const ids = toyModelIds(res.experiments);
  const rows = res.experiments.map((e) => {
    const a = counts(e, 'all'),
      l = counts(e, 'lowest');
    const diverged = e.saes.filter((s) => s.diverged !== null).length;
    const mcc = (b: 'true' | 'composed') => {
      const v = e.saes.map((s) => s.recovery?.[b].mcc).filter((x): x is number => Number.isFinite(x));
      return v.length ? f3(v.reduce((x, y) => x + y, 0) / v.length) : '-';
    };
    const flag = toyFlagged(e) ? ' (toy model flagged)' : '';
    return `| ${e.name}${flag} | ${a.n} | ${ids.get(e.name)} | ${a.composed} | ${a.true} | ${a.mixed} | ${a.partial} | ${a.dead} | ${diverged} | ${l.composed}/${l.n} | ${l.true}/${l.n} | ${mcc('true')} / ${mcc('composed')} | ${a.nearest.composed} / ${a.nearest.true} / ${a.nearest.mixed} | ${f3(e.saes.reduce((s, x) => s + x.monosemanticity, 0) / e.saes.length)} |`;
  });
  return [
    '| experiment | SAEs | toy model | composed | true | mixed | partial | dead | diverged | lowest-loss composed | lowest-loss true | mean MCC true / composed | nearest rule C / T / M (secondary) | mean monosemanticity (§5.1) |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

/** What a verdict means, in one paragraph (report.md and summary.md). */
export const VERDICT_RULE = `Verdicts (matched recovery): the live latents' decoder directions are matched one-to-one (Hungarian assignment) to the true feature directions, and separately to the composed directions that occur in the data (normalised sums of one feature per set); a target is *covered* when its matched latent has signed cosine >= ${COVER_THRESHOLD}. An SAE is *true* when every true direction is covered, *composed* when (not true and) every occurring composed direction is covered, *mixed* when neither basis is covered but both have covered targets, *partial* when the covered targets (possibly none) are of one kind only, *dead* when no latent is live. MCC is the mean matched signed cosine (max-sum assignment). The old nearest-line rule (every live latent within cos ${MATCH_THRESHOLD} of one kind and closer to it than to the other) is shown as a secondary count: in 2-D every direction is within 22.5 deg of an axis or a diagonal (cos 22.5 deg = 0.924 > ${MATCH_THRESHOLD}), so it never finds an "other" latent and never asks whether every target is covered; it cannot reject.`;

/** Lowest-loss verdict counts under both selection rules, and the cells whose pick changes. */
export function selectionSection(res: Pick<ResultsFile, 'experiments'>): string {
  res = withRecovery(res);
  const exps = res.experiments.filter((e) => e.cells.some((c) => c.lowest_by));
  if (!exps.length) return '';
  const out = [
    '## Selection rules\n',
    "Per grid cell the lowest-loss realization is picked by a selection loss on fresh samples: the study's per-sample FVU (mean of |hhat - h|^2 / |h|^2, plus lambda mean sum f), whose expectation is unbounded (a sample with |h| near 0 dominates), or the batch FVU (sum |hhat - h|^2 / sum |h - mean h|^2, plus lambda mean sum f). Counts of the picks' verdicts (composed / true / mixed / partial / dead of cells):\n",
    '| experiment | eval samples | per-sample FVU pick | batch FVU pick | cells whose pick changes | of them, verdict changes | nearest rule C / T / M, per-sample / batch picks (secondary) |',
    '|---|---|---|---|---|---|---|',
  ];
  const fmt = (c: ReturnType<typeof counts>) => `${c.composed} / ${c.true} / ${c.mixed} / ${c.partial} / ${c.dead} of ${c.n}`;
  const near = (c: ReturnType<typeof counts>) => `${c.nearest.composed} / ${c.nearest.true} / ${c.nearest.mixed}`;
  for (const e of exps) {
    const ch = pickChanges(e);
    out.push(
      `| ${e.name} | ${e.evaluation?.samples ?? e.config.eval_samples} | ${fmt(counts(e, 'per_sample_fvu'))} | ${fmt(counts(e, 'batch_fvu'))} | ${ch.length} | ${ch.filter((x) => e.saes[x.a].verdict !== e.saes[x.b].verdict).length} | ${near(counts(e, 'per_sample_fvu'))} / ${near(counts(e, 'batch_fvu'))} |`,
    );
  }
  out.push('');
  for (const e of exps) {
    const ch = pickChanges(e);
    if (!ch.length) continue;
    out.push(
      `- ${e.name}: ${ch.map((x) => `lr ${x.cell.lr}, lambda ${x.cell.l1}: r${e.saes[x.a].realization} (${e.saes[x.a].verdict}) -> r${e.saes[x.b].realization} (${e.saes[x.b].verdict})`).join('; ')}`,
    );
  }
  out.push('');
  return out.join('\n');
}

/** Cells whose SAEs had not converged (median training loss still falling over the last 10 % of steps). */
export function convergenceSection(res: Pick<ResultsFile, 'experiments'>): string {
  const exps = res.experiments.filter((e) => e.cells.some((c) => c.converged !== undefined));
  if (!exps.length) return '';
  const out = [
    '## Convergence\n',
    `An SAE counts as not converged when the median of its logged training loss over the last 10 % of steps is more than ${CONVERGENCE_DROP * 100} % below the median over the 10 % before (medians, because single batches spike the per-sample FVU); a cell is flagged when more than half its realizations had not converged (a diverged SAE counts as not converged). Flagged cells are listed here, marked * in summary.md, and left out of claims 2, 3 and 5 where they rest on single cells or picks.\n`,
  ];
  for (const e of exps) {
    const bad = notConverged(e);
    if (e.cells.every((c) => c.converged === null)) {
      out.push(`- ${e.name}: unknown (fewer than 3 logged losses in the last 10 % of steps; lower log_every).`);
      continue;
    }
    out.push(
      `- ${e.name}: ${bad.length} of ${e.cells.length} cells not converged${bad.length ? `: ${bad.map((c) => `lr ${c.lr}, lambda ${c.l1} (${c.models.filter((m) => e.saes[m].converged === false).length}/${c.models.length} still falling, largest drop of the median ${f3(Math.max(...c.models.map((m) => e.saes[m].late_drop ?? Number.NaN).filter(Number.isFinite)))})`).join('; ')}` : ''}.`,
    );
  }
  out.push('');
  return out.join('\n');
}

export function claim(n: number, text: string, evidence: string, status: 'supported' | 'not supported' | 'partly supported' | 'not measured'): string {
  return `### Claim ${n}: ${text}\n\n**${status}.** ${evidence}\n`;
}

/** Largest over smallest eigenvalue; Infinity when the smallest is 0 (rank-deficient: h spans fewer than d dims). */
export function eigenRatio(values: (number | null)[]): number {
  const v = values.filter((x): x is number => Number.isFinite(x));
  if (!v.length) return NaN;
  const hi = Math.max(...v),
    lo = Math.min(...v);
  return lo > 1e-12 * Math.max(hi, 1e-300) ? hi / lo : Infinity;
}
export function ratioText(values: (number | null)[]): string {
  const r = eigenRatio(values);
  return r === Infinity ? 'rank-deficient: smallest eigenvalue 0' : Number.isFinite(r) ? f3(r) : 'not measured';
}

/**
 * For experiments outside the study's shape (not two sets of two features with d = 2): what was measured,
 * without the study's wording: per-set toy geometry, the guards, matched-recovery counts and the eigenvalues of E[hh^T].
 */
export function measuredSection(exps: Exp[], alongsideClaims: boolean): string {
  const out = [
    alongsideClaims ? '## Other experiments: what was measured\n' : '## What was measured\n',
    `${alongsideClaims ? "These experiments are not the study's shape (two sets of two features, d = 2), so the claims above leave them out. " : "The study's claims are about two sets of two features in a d = 2 toy model; this run has none, so none of them is assessed here. "}Per experiment: the toy model's geometry per set, the guards, matched recovery and the second moment of h.\n`,
  ];
  for (const e of exps) {
    const sets = e.config.data.sets;
    const set = (l: string) => l.replace(/\d+$/, '');
    const pc = Object.entries(e.toy.pair_cosines);
    const within = pc.filter(([k]) => set(k.split('-')[0]) === set(k.split('-')[1]));
    const across = pc.filter(([k]) => set(k.split('-')[0]) !== set(k.split('-')[1])).map(([, v]) => Math.abs(v));
    const perSet = [...new Set(e.toy.labels.map(set))].map((sname) => {
      const v = within.filter(([k]) => set(k.split('-')[0]) === sname).map(([, x]) => x);
      return v.length ? `${sname}: within-set cosines ${f3(Math.min(...v))} to ${f3(Math.max(...v))}` : `${sname}: one feature`;
    });
    const a = counts(e, 'all'),
      l = counts(e, 'lowest');
    const mean = (f: (s: Exp['saes'][number]) => number | undefined) => {
      const v = e.saes.map(f).filter((x): x is number => Number.isFinite(x));
      return v.length ? f3(v.reduce((x, y) => x + y, 0) / v.length) : '-';
    };
    const val = validityOf(e);
    out.push(`### ${e.name}\n`);
    out.push(
      `- shape: sets [${sets.join(', ')}] (n = ${sets.reduce((x, y) => x + y, 0)}), d = ${e.config.toy.d}, s = ${e.config.sae.s} latents, ${e.config.sae.variant ?? 'relu'} SAE; figures ${e.toy.projection === 'top-2-pcs' ? 'project onto the top-2 principal components of h' : 'show the hidden plane'}.`,
    );
    out.push(
      `- toy model${dictionaryNote(e)}: ${perSet.join('; ')}; max |cos| across sets ${across.length ? f3(Math.max(...across)) : '-'}; guards: ${val.valid ? 'passed' : val.notes.join('; ')}.`,
    );
    out.push(
      `- matched recovery (${a.n} SAEs): ${a.true} true, ${a.composed} composed, ${a.mixed} mixed, ${a.partial} partial, ${a.dead} dead; lowest-loss picks ${l.true} true / ${l.composed} composed of ${l.n}; mean covered true directions ${mean((s) => s.recovery?.true.covered)} of ${e.toy.W.length}, composed ${mean((s) => s.recovery?.composed.covered)} of ${e.composed.length}; mean MCC true ${mean((s) => s.recovery?.true.mcc)}, composed ${mean((s) => s.recovery?.composed.mcc)}; old nearest-line rule (secondary) ${a.nearest.true} true / ${a.nearest.composed} composed / ${a.nearest.mixed} mixed.`,
    );
    if (e.saes.some((x) => x.synth))
      out.push(
        `- SynthSAEBench's decoder metrics (SAELens's definitions, every latent): mean MCC (|cos|, one-to-one) ${mean((x) => x.synth?.mcc)}, mean uniqueness (distinct best-matching features / latents) ${mean((x) => x.synth?.uniqueness)}${e.saes.some((x) => x.detector) ? `; on the evaluation samples mean F1 (each latent as a detector of its best-matching feature) ${mean((x) => x.detector?.f1)}, shrinkage (mean |hhat| / |h|) ${mean((x) => x.detector?.shrinkage)}` : ''}.`,
      );
    out.push(
      `- eigenvalues of E[hh^T] (d = ${e.pca.second_moment_eigenvalues.length}): ${e.pca.second_moment_eigenvalues.map(f3).join(', ')}; largest / smallest ${ratioText(e.pca.second_moment_eigenvalues)}.`,
    );
    out.push('');
  }
  return out.join('\n');
}

/** report.md of a run; `others` are further independent seeds of the same study (after `compare`): the claims pool them. */
export function renderReport(res: ResultsFile, others: ResultsFile[] = []): string {
  res = withRecovery(res);
  others = others.map(withRecovery);
  const second = others[0] ?? null;
  const out: string[] = [];
  out.push(`# Report: ${res.preset}\n`);
  out.push(`${res.description}. Budget: ${res.budget.note}`);
  out.push(
    `Adapter: ${res.adapter ? `${res.adapter.vendor} ${res.adapter.architecture} (${res.adapter.description || 'no description'}, ${res.adapter.runtime}${res.adapter.isFallbackAdapter ? ', fallback adapter' : ''})` : 'unknown'}. Updated ${res.updated}.`,
  );
  const dicts = res.experiments.filter((e) => dictionaryNote(e));
  if (dicts.length)
    out.push(
      `Toy model: ${dicts.map((e) => e.name).join(', ')} used a fixed random unit dictionary in place of the trained toy model (toy.model = dictionary, SAELens's synthetic models); the others a trained toy model.`,
    );
  if (others.length)
    out.push(
      `Other seeds: ${others.map((r) => `${r.preset} (started ${r.started})`).join(', ')}; the claims pool every seed whose toy model passes the guards.`,
    );
  out.push('');
  out.push(
    `${VERDICT_RULE} Lowest-loss columns use each experiment's selection rule (${[...new Set(res.experiments.map((e) => e.config.selection ?? 'per_sample_fvu'))].join(', ')}); "toy model" names each distinct toy model (experiments with the same letter share one W).\n`,
  );
  out.push(verdictTable(res) + '\n');
  const study = res.experiments.filter(isStudyShape);
  const flagged = res.experiments.filter(toyFlagged);
  if (flagged.length) {
    out.push('## Toy-model guards\n');
    out.push(
      'These toy models are not the geometry the study assumes (its features of one set stored antipodally, its composed directions defined); the verdicts of their SAEs are flagged in results.json, summary and figures, and the claims below leave these experiments out:\n',
    );
    for (const e of flagged) out.push(`- ${e.name}: ${validityOf(e).notes.join('; ')}.`);
    out.push('');
  }
  if (study.length) out.push(...claimsSection([res, ...others]));
  const outside = res.experiments.filter((e) => !isStudyShape(e));
  if (outside.length) out.push(measuredSection(outside, study.length > 0));
  const gap = gapSection(res);
  if (gap) out.push(gap);
  const sel = selectionSection(res);
  if (sel) out.push(sel);
  const conv = convergenceSection(res);
  if (conv) out.push(conv);
  if (second) out.push(seedSection(res, second));

  const phase = phasePoints(res.experiments, ...others.map((r) => r.experiments));
  if (phase.length) {
    out.push('## Phase diagram: when do SAEs learn true features?\n');
    out.push(
      `Two sets of k features (uncorrelated amplitudes), a fraction p of one-hot draws, toy model with d = k hidden dims, SAEs with s = 2k latents (ReLU with L1, and TopK with k = 2). Cells: the share of true feature directions an SAE recovers (matched recovery: one-to-one, covered at cos >= 0.95), mean over ${others.length ? `the SAEs of ${others.length + 1} seeds` : 'its SAEs'} with a 95 % cluster-bootstrap interval, then the share of live latents on composed directions; toy models that fail the guards are left out. Figure: phase.svg (dashed: the analytic crossings of the 2x2 case, p = 0.22 uncorrelated, 0.59 correlated).\n`,
    );
    out.push(phaseTable(phase));
    for (const v of [...new Set(phase.map((p) => p.variant))]) {
      const pts = phase.filter((p) => p.variant === v);
      const lo = pts.filter((p) => p.p <= 0.25),
        hi = pts.filter((p) => p.p >= 0.75);
      const mean = (a: typeof pts) => {
        const v = a.map((x) => x.recovered).filter(Number.isFinite);
        return v.length ? v.reduce((s, x) => s + x, 0) / v.length : NaN;
      };
      out.push(
        `- ${v}: mean recovered share ${f3(mean(lo))} at p <= 0.25 vs ${f3(mean(hi))} at p >= 0.75 (points whose toy models all failed the guards left out).`,
      );
    }
    out.push('');
  }
  out.push('## Files\n');
  for (const e of res.experiments) out.push(`- ${e.name}: ${Object.values(e.files).join(', ')}`);
  out.push('');
  return out.join('\n');
}

/** Verdict counts of two runs of the same preset with different seeds, side by side. */
/** Each study claim's number, title and verdict in a run (the report's own claims, read back from its section). */
export function claimStatuses(res: ResultsFile): { n: number; title: string; status: string }[] {
  const r = withRecovery(res);
  if (!r.experiments.some(isStudyShape)) return [];
  return [
    ...claimsSection([r])
      .join('\n')
      .matchAll(/^### Claim (\d+): (.*)\n\n\*\*(.+?)\.\*\*/gm),
  ].map((m) => ({ n: Number(m[1]), title: m[2], status: m[3] }));
}

/** The verdict of every claim at every seed, and whether the seeds agree. */
export function claimsAcrossSeeds(runs: ResultsFile[]): string {
  const per = runs.map(claimStatuses);
  if (!per[0].length) return '';
  const seedOf = (r: ResultsFile) => [...new Set(r.experiments.map((e) => e.config.seed))].join('/');
  const out = [
    `## Claims at each seed
`,
    "Each claim's verdict with each seed's run judged on its own (the same tests and thresholds; the numbers are in each run's report.md, where a claim may also use the second seed, as claim 5 does).\n",
    `| claim | ${runs.map((r) => `seed ${seedOf(r)}`).join(' | ')} | seeds agree |`,
    `|---|${runs.map(() => '---|').join('')}---|`,
  ];
  for (const c of per[0]) {
    const st = per.map((p) => p.find((x) => x.n === c.n)?.status ?? 'absent');
    out.push(`| ${c.n}. ${c.title} | ${st.join(' | ')} | ${st.every((x) => x === st[0]) ? 'yes' : 'no'} |`);
  }
  out.push('');
  return out.join('\n');
}

/**
 * Two or more seeds of one study: per experiment and count, each seed's value, the mean share over the seeds
 * whose toy model passes the guards with its 95 % cluster-bootstrap interval, and the range (max - min) over
 * those seeds; "not measured" when a flagged seed leaves fewer than two.
 */
export function seedsSection(runs: ResultsFile[]): string {
  const rs = runs.map(withRecovery);
  const seedOf = (r: ResultsFile) => [...new Set(r.experiments.map((e) => e.config.seed))].join('/');
  const out = [
    `## Across ${rs.length} seeds\n`,
    `Verdict counts at each seed (${rs.map((r) => `${r.preset}: seed ${seedOf(r)}`).join('; ')}); "lowest" counts each cell's pick; a seed whose toy model fails the guards is marked (flagged) and left out of the pooled share, its interval and the range. The interval is a 95 % cluster bootstrap (seeds, then cells).\n`,
    `| experiment | count | ${rs.map((r) => `seed ${seedOf(r)}`).join(' | ')} | pooled share [95 % CI] | range |`,
    `|---|---|${rs.map(() => '---|').join('')}---|---|`,
  ];
  const rangeText = (v: number[], flagged: boolean[]) => {
    const ok = v.filter((_, i) => !flagged[i]);
    if (ok.length < 2) return `not measured (${flagged.filter(Boolean).length} seed(s) flagged)`;
    return `${Math.max(...ok) - Math.min(...ok)}${flagged.some(Boolean) ? ` (${flagged.filter(Boolean).length} flagged left out)` : ''}`;
  };
  for (const e of rs[0].experiments) {
    const es = rs.map((r) => r.experiments.find((x) => x.name === e.name));
    if (es.some((x) => !x)) continue;
    const flagged = es.map((x) => toyFlagged(x!));
    const whats: ['all' | SelectionRule, string][] = [
      ['all', 'all SAEs'],
      ...(es.every((x) => x!.cells.every((c) => c.lowest_by)) ? SELECTION_RULES : []).map((r): [SelectionRule, string] => [r, `lowest (${r})`]),
    ];
    for (const [rule, what] of whats)
      for (const k of ['composed', 'true'] as const) {
        const v = es.map((x) => counts(x!, rule)[k]);
        const cellsText = es.map((x, i) => `${v[i]}/${counts(x!, rule).n}${flagged[i] ? ' (flagged)' : ''}`);
        // per valid seed, one unit per cell: [matching SAEs, SAEs] (all SAEs) or [pick matches, 1] (lowest)
        const groups = es
          .filter((_, i) => !flagged[i])
          .map((x) =>
            x!.cells.map((c) =>
              rule === 'all' ? [c.models.filter((m) => x!.saes[m].verdict === k).length, c.models.length] : [x!.saes[pickOf(c, rule)].verdict === k ? 1 : 0, 1],
            ),
          );
        const iv = clusterBootstrap(
          groups,
          pooledShare(
            (u: number[]) => u[0],
            (u: number[]) => u[1],
          ),
        );
        out.push(`| ${e.name} | ${what} ${k} | ${cellsText.join(' | ')} | ${groups.length ? fmtInterval(iv) : 'not measured'} | ${rangeText(v, flagged)} |`);
      }
    // the optimality gap: converged cells where the composed reference SAE has the lower loss, and where the true one is below the best learned SAE
    const gs = es.map((x) => gapStats(x!, 'per_sample_fvu'));
    if (gs.every((g) => g))
      for (const [k, what] of [
        ['composedLower', 'reference: composed below true'],
        ['composedBelowBest', 'reference: composed below best learned'],
        ['trueBelowBest', 'reference: true below best learned'],
      ] as const) {
        const v = gs.map((g) => g![k]);
        const ok = gs.filter((_, i) => !flagged[i]);
        const n = ok.reduce((a, g) => a + g!.n, 0);
        out.push(
          `| ${e.name} | ${what} | ${gs.map((g, i) => `${v[i]}/${g!.n}${flagged[i] ? ' (flagged)' : ''}`).join(' | ')} | ${n ? `${ok.reduce((a, g) => a + g![k], 0)}/${n}` : 'not measured'} | ${rangeText(v, flagged)} |`,
        );
      }
  }
  out.push('');
  return out.join('\n');
}

export function seedSection(a: ResultsFile, b: ResultsFile): string {
  a = withRecovery(a);
  b = withRecovery(b);
  const out = [
    '## Seed to seed\n',
    `Verdict counts of this run (${a.preset}) and of the second seed (${b.preset}); "lowest" counts each cell's pick.\n`,
    '| experiment | count | this run | second seed | difference |',
    '|---|---|---|---|---|',
  ];
  for (const e of a.experiments) {
    const f = b.experiments.find((x) => x.name === e.name);
    if (!f) continue;
    const rows: [string, ReturnType<typeof counts>, ReturnType<typeof counts>][] = [['all SAEs', counts(e, 'all'), counts(f, 'all')]];
    for (const r of SELECTION_RULES)
      if (e.cells.every((c) => c.lowest_by) && f.cells.every((c) => c.lowest_by)) rows.push([`lowest (${r})`, counts(e, r), counts(f, r)]);
    for (const [what, x, y] of rows)
      for (const k of ['composed', 'true', 'mixed', 'partial'] as const)
        out.push(`| ${e.name} | ${what} ${k} | ${x[k]}/${x.n} | ${y[k]}/${y.n} | ${Math.abs(x[k] - y[k])} |`);
  }
  out.push('');
  return out.join('\n');
}
