// summary.json / summary.md: the compact record of a run to publish beside report.md: preset, budget,
// adapter, command and wall time; per experiment the verdict counts under each selection rule and the
// cells whose pick changes; per grid cell the picked SAE's decoder angles, verdict and losses.
// Pure (no Node imports): the CLI writes it, `compare` reads two of them.
import { SELECTION_RULES, type SelectionRule } from '../metrics/analysis';
import { counts, gapStats, notConverged, pickChanges, pickOf, toyModelIds, validityOf, VERDICT_RULE, withRecovery } from './report';
import type { ResultsFile, StoredExperiment } from '../results/stored';

type Counts = ReturnType<typeof counts>;

export interface CellSummary {
  lr: number;
  l1: number;
  /** realizations' verdict counts */
  verdicts: Record<string, number>;
  converged: boolean | null;
  /** the reference SAEs' selection losses (per-sample FVU; optimality_gap), null when not run */
  reference: { true: number; composed: number; converged: boolean } | null;
  /** the pick under each selection rule: realization, verdict, losses and decoder angles (degrees, figure plane) */
  picks: Record<
    SelectionRule,
    {
      realization: number;
      /** from matched recovery */
      verdict: string;
      /** the old nearest-line rule (secondary) */
      verdict_nearest: string | null;
      /** true / composed directions covered (cos >= 0.95) and MCC, per basis */
      covered: { true: number; composed: number } | null;
      mcc: { true: number; composed: number } | null;
      loss_per_sample_fvu: number;
      loss_batch_fvu: number;
      angles_deg: number[] | null;
    }
  >;
}

export interface ExperimentSummary {
  name: string;
  description: string;
  sae_path: string;
  sae_steps: number;
  sae_batch: number;
  eval_samples: number;
  selection: SelectionRule;
  seed: number;
  saes: number;
  diverged: number;
  /** the toy model: a letter shared by experiments with the same W, and the guards (valid false: verdicts flagged) */
  toy_model: { id: string; valid: boolean; notes: string[] };
  verdicts_all: Counts;
  /** verdicts of the cells' picks under each selection rule */
  verdicts_lowest: Record<SelectionRule, Counts>;
  pick_changes: { lr: number; l1: number; per_sample_fvu: string; batch_fvu: string }[];
  cells_not_converged: { lr: number; l1: number }[];
  /** the optimality gap over converged cells under each selection rule (report.ts gapStats); null when no reference SAEs */
  optimality_gap: Record<SelectionRule, ReturnType<typeof gapStats>> | null;
  cells: CellSummary[];
  wall_s: number | null;
}

export interface RunSummary {
  kit: string;
  preset: string;
  description: string;
  budget: ResultsFile['budget'];
  adapter: { vendor: string; architecture: string; device: string; description: string; isFallbackAdapter: boolean; runtime: string } | null;
  command: string | null;
  started: string;
  updated: string;
  /** sum of the experiments' wall times (all sessions when resumed) */
  wall_s: number;
  complete: boolean;
  experiments: ExperimentSummary[];
  /** after `compare`: the same counts from the run at the second seed */
  second_seed?: { preset: string; experiments: Pick<ExperimentSummary, 'name' | 'seed' | 'verdicts_all' | 'verdicts_lowest'>[] };
}

const r4 = (v: number) => (Number.isFinite(v) ? Number(v.toPrecision(6)) : v);

function experimentSummary(e: StoredExperiment, res: ResultsFile, ids: Map<string, string>): ExperimentSummary {
  const rules = SELECTION_RULES.filter(() => e.cells.every((c) => c.lowest_by));
  const ruleList: SelectionRule[] = rules.length ? rules : ['per_sample_fvu'];
  const pick = (m: number) => {
    const s = e.saes[m];
    return {
      realization: s.realization,
      verdict: s.verdict,
      verdict_nearest: s.verdict_nearest ?? null,
      covered: s.recovery ? { true: s.recovery.true.covered, composed: s.recovery.composed.covered } : null,
      mcc: s.recovery ? { true: r4(s.recovery.true.mcc), composed: r4(s.recovery.composed.mcc) } : null,
      loss_per_sample_fvu: r4(s.final_loss),
      loss_batch_fvu: r4(s.final_loss_batch ?? NaN),
      angles_deg: s.angles_deg?.map((a) => Number(a.toFixed(2))) ?? null,
    };
  };
  return {
    name: e.name,
    description: e.description,
    sae_path: e.sae_path,
    sae_steps: e.config.sae.steps,
    sae_batch: e.config.sae.batch,
    eval_samples: e.evaluation?.samples ?? e.config.eval_samples,
    selection: e.config.selection ?? 'per_sample_fvu',
    seed: e.config.seed,
    saes: e.saes.length,
    diverged: e.saes.filter((s) => s.diverged !== null).length,
    toy_model: { id: ids.get(e.name) ?? '?', valid: validityOf(e).valid, notes: validityOf(e).notes },
    verdicts_all: counts(e, 'all'),
    verdicts_lowest: Object.fromEntries(ruleList.map((r) => [r, counts(e, rules.length ? r : 'lowest')])) as Record<SelectionRule, Counts>,
    pick_changes: pickChanges(e).map((x) => ({
      lr: x.cell.lr,
      l1: x.cell.l1,
      per_sample_fvu: `r${e.saes[x.a].realization} ${e.saes[x.a].verdict}`,
      batch_fvu: `r${e.saes[x.b].realization} ${e.saes[x.b].verdict}`,
    })),
    cells_not_converged: notConverged(e).map((c) => ({ lr: c.lr, l1: c.l1 })),
    optimality_gap: gapStats(e, 'per_sample_fvu')
      ? (Object.fromEntries(SELECTION_RULES.map((r) => [r, gapStats(e, r)])) as Record<SelectionRule, ReturnType<typeof gapStats>>)
      : null,
    cells: e.cells.map((c) => ({
      lr: c.lr,
      l1: c.l1,
      verdicts: c.verdicts,
      converged: c.converged ?? null,
      reference: c.reference
        ? {
            true: r4(c.reference.true.final_loss),
            composed: r4(c.reference.composed.final_loss),
            converged: [c.reference.true, c.reference.composed].every((x) => x.diverged === null && x.converged !== false),
          }
        : null,
      picks: Object.fromEntries(ruleList.map((r) => [r, pick(pickOf(c, rules.length ? r : 'configured'))])) as CellSummary['picks'],
    })),
    wall_s: res.timing[e.name]?.total_s ?? null,
  };
}

export function summarize(res: ResultsFile, expected?: number, second?: ResultsFile): RunSummary {
  res = withRecovery(res);
  second = second ? withRecovery(second) : undefined;
  const a = res.adapter;
  const out: RunSummary = {
    kit: res.kit,
    preset: res.preset,
    description: res.description,
    budget: res.budget,
    adapter: a
      ? {
          vendor: a.vendor,
          architecture: a.architecture,
          device: a.device,
          description: a.description,
          isFallbackAdapter: a.isFallbackAdapter,
          runtime: a.runtime,
        }
      : null,
    command: res.command ?? null,
    started: res.started,
    updated: res.updated,
    wall_s: Number(
      Object.values(res.timing)
        .reduce((s, t) => s + (t.total_s ?? 0), 0)
        .toFixed(1),
    ),
    complete: expected === undefined ? true : res.experiments.length === expected,
    experiments: res.experiments.map((e) => experimentSummary(e, res, toyModelIds(res.experiments))),
  };
  if (second) {
    out.second_seed = {
      preset: second.preset,
      experiments: second.experiments
        .map((e) => experimentSummary(e, second, toyModelIds(second.experiments)))
        .map(({ name, seed, verdicts_all, verdicts_lowest }) => ({ name, seed, verdicts_all, verdicts_lowest })),
    };
  }
  return out;
}

const c4 = (c: Counts) => `${c.composed} / ${c.true} / ${c.mixed} / ${c.partial ?? 0} / ${c.dead}`;
const nearest = (c: Counts) => (c.nearest ? `${c.nearest.composed} / ${c.nearest.true} / ${c.nearest.mixed}` : '-');

export function summaryMarkdown(s: RunSummary): string {
  const out: string[] = [`# Summary: ${s.preset}\n`];
  out.push(`- budget: ${s.budget.kind}: ${s.budget.note}`);
  out.push(
    `- adapter: ${s.adapter ? `${s.adapter.vendor} ${s.adapter.architecture} (${s.adapter.description || 'no description'}), runtime ${s.adapter.runtime}, isFallbackAdapter: ${s.adapter.isFallbackAdapter}` : 'unknown'}`,
  );
  out.push(`- command: \`${s.command ?? 'unknown'}\``);
  out.push(`- wall time: ${s.wall_s} s (started ${s.started}, updated ${s.updated})${s.complete ? '' : ' — incomplete run'}`);
  out.push('');
  out.push(`${VERDICT_RULE}\n`);
  out.push(
    "Verdict counts, composed / true / mixed / partial / dead (all SAEs, then each cell's lowest-loss pick under each selection rule); the old nearest-line rule's composed / true / mixed over all SAEs as a secondary column:\n",
  );
  out.push(
    '| experiment | toy model | SAEs | steps x batch | eval samples | all SAEs | picks, per-sample FVU | picks, batch FVU | all SAEs, nearest rule C / T / M | picks that change | cells not converged | wall s |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
  );
  for (const e of s.experiments) {
    const flag = e.toy_model && !e.toy_model.valid ? ' (toy model flagged)' : '';
    out.push(
      `| ${e.name}${flag} | ${e.toy_model?.id ?? '-'} | ${e.saes} | ${e.sae_steps} x ${e.sae_batch} | ${e.eval_samples} | ${c4(e.verdicts_all)} | ${e.verdicts_lowest.per_sample_fvu ? c4(e.verdicts_lowest.per_sample_fvu) : '-'} | ${e.verdicts_lowest.batch_fvu ? c4(e.verdicts_lowest.batch_fvu) : '-'} | ${nearest(e.verdicts_all)} | ${e.pick_changes.length} | ${e.cells_not_converged.length} | ${e.wall_s?.toFixed(1) ?? '-'} |`,
    );
  }
  out.push('');
  if (s.second_seed) {
    out.push(`Second seed (${s.second_seed.preset}), same columns:\n`);
    out.push('| experiment | seed | all SAEs | picks, per-sample FVU | picks, batch FVU |', '|---|---|---|---|---|');
    for (const e of s.second_seed.experiments)
      out.push(
        `| ${e.name} | ${e.seed} | ${c4(e.verdicts_all)} | ${e.verdicts_lowest.per_sample_fvu ? c4(e.verdicts_lowest.per_sample_fvu) : '-'} | ${e.verdicts_lowest.batch_fvu ? c4(e.verdicts_lowest.batch_fvu) : '-'} |`,
      );
    out.push('');
  }
  for (const e of s.experiments) {
    out.push(`## ${e.name}\n`);
    if (e.toy_model && !e.toy_model.valid)
      out.push(`**Toy model flagged** (its verdicts are not the study's kind and the report's claims leave it out): ${e.toy_model.notes.join('; ')}.\n`);
    out.push(
      `${e.description ? `${e.description}. ` : ''}Selection rule: ${e.selection}. Cells (lr x lambda): pick under per-sample FVU (realization, verdict, selection loss, decoder angles in degrees)${e.verdicts_lowest.batch_fvu ? ' and, when it differs, under batch FVU' : ''}; * = not converged.\n`,
    );
    const refs = e.cells.some((c) => c.reference);
    out.push(
      `| lr | lambda | realizations: composed / true / mixed / partial | pick (per-sample FVU) | covered true / composed | loss |${refs ? ' reference T / C |' : ''} angles | batch-FVU pick |`,
      `|---|---|---|---|---|---|${refs ? '---|' : ''}---|---|`,
    );
    for (const c of e.cells) {
      const p = c.picks.per_sample_fvu,
        b = c.picks.batch_fvu;
      const v = (x: number) => (Number.isFinite(x) ? String(x) : 'n/a');
      const ref = c.reference ? ` ${v(c.reference.true)} / ${v(c.reference.composed)}${c.reference.converged ? '' : ' *'} |` : refs ? ' - |' : '';
      out.push(
        `| ${c.lr}${c.converged === false ? ' *' : ''} | ${c.l1} | ${c.verdicts.composed ?? 0} / ${c.verdicts.true ?? 0} / ${c.verdicts.mixed ?? 0} / ${c.verdicts.partial ?? 0} | r${p.realization} ${p.verdict}${p.verdict_nearest ? ` (nearest: ${p.verdict_nearest})` : ''} | ${p.covered ? `${p.covered.true} / ${p.covered.composed}` : '-'} | ${p.loss_per_sample_fvu} |${ref} ${p.angles_deg?.map((a) => a.toFixed(0)).join(', ') ?? '-'} | ${b && b.realization !== p.realization ? `r${b.realization} ${b.verdict}` : 'same'} |`,
      );
    }
    out.push('');
  }
  return out.join('\n');
}
