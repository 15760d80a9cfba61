// The future-work bench's leaderboard (future-work.md): per scenario point, each variant at the knob value whose
// L0 is nearest the data's own (features active per draw: what the true dictionary needs), graded by the
// recovery metrics (SAELens's MCC and uniqueness, the kit's matched coverage of the true and the composed
// directions, explained variance, L0, dead latents), pooled over the seeds whose toy model passes the guards,
// with 95 % cluster-bootstrap intervals (seeds, then SAEs).
import { join } from 'node:path';
import { writeFileAtomic } from '../io/files';
import { futureWorkFigure } from '../plots/future-work';
import { clusterBootstrap, type Interval, median, pooledShare } from '../metrics/stats';
import type { ResultsFile, StoredExperiment } from '../results/stored';
import { SCENARIOS, type Scenario, type ScenarioPoint, trueL0 } from '../scenarios';
import { SAE_VARIANTS } from '../variants';
import { CONVERGENCE_DROP, FALLING_P, stillFalling } from '../metrics/analysis';
import { FW, fwName } from './future-work';
import { toyFlagged } from './report';

type Exp = StoredExperiment;
type Sae = Exp['saes'][number];

/** The graded metrics of one SAE, each in [0, 1] except L0. */
export const FW_METRICS = {
  mcc: { label: 'MCC', of: (s: Sae) => s.synth?.mcc ?? Number.NaN },
  true_cov: { label: 'true directions covered', of: (s: Sae) => (s.recovery ? s.recovery.true.covered / s.recovery.true.targets : Number.NaN) },
  composed_cov: {
    label: 'composed directions covered',
    of: (s: Sae) => (s.recovery?.composed.targets ? s.recovery.composed.covered / s.recovery.composed.targets : Number.NaN),
  },
  uniqueness: { label: 'uniqueness', of: (s: Sae) => s.synth?.uniqueness ?? Number.NaN },
  f1: { label: 'F1', of: (s: Sae) => s.detector?.f1 ?? Number.NaN },
  shrinkage: { label: 'shrinkage', of: (s: Sae) => s.detector?.shrinkage ?? Number.NaN },
  absorption: { label: 'absorption', of: (s: Sae) => s.absorption?.absorption ?? Number.NaN },
  ev: { label: 'explained variance', of: (s: Sae) => s.ev_h },
  l0: { label: 'L0', of: (s: Sae) => s.l0 },
  dead: { label: 'dead latents', of: (s: Sae) => s.dead_fraction },
  true_saes: { label: 'true SAEs', of: (s: Sae) => (s.verdict === 'true' ? 1 : 0) },
} as const;
export type FwMetric = keyof typeof FW_METRICS;

export interface FwRow {
  scenario: Scenario;
  point: ScenarioPoint;
  variant: string;
  /** the knob value at matched L0: 'lambda 0.1' or 'k 2' */
  knob: string;
  /** the data's own L0 (the match's target) */
  target: number;
  seeds: number;
  flagged: number;
  saes: number;
  /** every metric of FW_METRICS: the mean over the matched SAEs with its 95 % cluster-bootstrap interval */
  stats: Record<FwMetric, Interval>;
  /** share of the matched SAEs whose training loss had settled (the kit's 5 % rule: convergence()) */
  converged: number;
  /** share of the matched SAEs whose training loss was still falling by the noise-aware test (stillFalling()) */
  falling: number;
  /** every knob value: its SAEs' median L0 and mean MCC (the sweep the match was made on) */
  sweep: { knob: string; l0: number; mcc: number; saes: number }[];
}

/** share of SAEs whose training loss had settled, over those where it is known */
const settled = (saes: Sae[]) => {
  const known = saes.filter((s) => s.converged !== null);
  return known.length ? known.filter((s) => s.converged).length / known.length : Number.NaN;
};
/** share of SAEs whose loss was still falling at the end by stillFalling's test, from each SAE's stored curve */
const stillFallingShare = (saes: { e: Exp; s: Sae }[]) => {
  const known = saes.map(({ e, s }) => stillFalling(e.curves.step, e.curves.total[s.index], e.config.sae.steps).falling).filter((f) => f !== null);
  return known.length ? known.filter((f) => f).length / known.length : Number.NaN;
};
const mean = (v: number[]) => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : Number.NaN);

/** The leaderboard's rows: per scenario point and variant, the knob value at matched L0, pooled over the runs (seeds). */
export function futureWorkRows(runs: ResultsFile[], scenarios: readonly Scenario[] = SCENARIOS): FwRow[] {
  const rows: FwRow[] = [];
  for (const sc of scenarios)
    for (const p of sc.points)
      for (const v of SAE_VARIANTS) {
        const name = fwName(sc, p, v);
        const exps = runs.map((r) => r.experiments.find((e) => e.name === name)).filter((e): e is Exp => !!e);
        if (!exps.length) continue;
        const valid = exps.filter((e) => !toyFlagged(e));
        const target = trueL0(p.data);
        const knobOf = (s: Sae) => (v.needsK ? `k ${exps[0].config.sae.k}` : `lambda ${s.l1}`);
        const knobs = [...new Set(valid.flatMap((e) => e.saes.map(knobOf)))];
        const sweep = knobs.map((k) => {
          const saes = valid.flatMap((e) => e.saes.filter((s) => knobOf(s) === k));
          return { knob: k, l0: median(saes.map((s) => s.l0)), mcc: mean(saes.map((s) => FW_METRICS.mcc.of(s))), saes: saes.length };
        });
        const best = sweep.reduce<(typeof sweep)[number] | null>(
          (b, x) => (Number.isFinite(x.l0) && (!b || Math.abs(x.l0 - target) < Math.abs(b.l0 - target)) ? x : b),
          null,
        );
        const perExp = valid.map((e) => ({ e, saes: e.saes.filter((s) => best && knobOf(s) === best.knob) }));
        const groups = perExp.map((x) => x.saes).filter((g) => g.length);
        const stats = Object.fromEntries(
          Object.entries(FW_METRICS).map(([key, m]) => [
            key,
            clusterBootstrap(
              groups.map((g) => g.filter((s) => Number.isFinite(m.of(s)))),
              pooledShare(m.of, () => 1),
            ),
          ]),
        ) as Record<FwMetric, Interval>;
        const matched = groups.flat();
        rows.push({
          scenario: sc,
          point: p,
          variant: v.name,
          knob: best?.knob ?? 'n/a',
          target,
          seeds: valid.length,
          flagged: exps.length - valid.length,
          saes: matched.length,
          stats,
          converged: settled(matched),
          falling: stillFallingShare(perExp.flatMap(({ e, saes }) => saes.map((s) => ({ e, s })))),
          sweep,
        });
      }
  return rows;
}

/** " (0.03, ..., 10 at (c), (f))": the points whose own lambda sweep replaces the bench's */
function widerSweeps(): string {
  const at = SCENARIOS.filter((sc) => sc.points.some((p) => p.lambdas));
  if (!at.length) return '';
  const grids = [...new Set(at.flatMap((sc) => sc.points.flatMap((p) => (p.lambdas ? [p.lambdas.join(', ')] : []))))];
  return ` (${grids.join('; ')} at ${at.map((sc) => `(${sc.letter})`).join(', ')})`;
}

/** Per variant: matched SAEs over every point, the share converged by the 5 % rule and the share still falling by the test (weighted by SAEs). */
function settledTable(rows: FwRow[]): string[] {
  return SAE_VARIANTS.flatMap((v) => {
    const rs = rows.filter((r) => r.variant === v.name && r.saes > 0);
    const n = rs.reduce((a, r) => a + r.saes, 0);
    if (!n) return [];
    const w = (f: (r: FwRow) => number) => {
      const known = rs.filter((r) => Number.isFinite(f(r)));
      const m = known.reduce((a, r) => a + r.saes, 0);
      return m ? known.reduce((a, r) => a + f(r) * r.saes, 0) / m : Number.NaN;
    };
    return [`| ${v.name} | ${n} | ${f2(w((r) => r.converged))} | ${f2(w((r) => r.falling))} |`];
  });
}

const f2 = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : 'n/a');
const fi = (iv: Interval) => (Number.isFinite(iv.value) ? `${f2(iv.value)} [${f2(iv.lo)}, ${f2(iv.hi)}]` : 'n/a');

/** Per variant over every point it ran at: points where its MCC is the highest, and where its interval reaches the best one's value. */
export function leaderboard(rows: FwRow[]): { variant: string; points: number; best: number; tied: number; mcc: number; trueCov: number }[] {
  const keys = [...new Set(rows.map((r) => `${r.scenario.letter}/${r.point.label}`))];
  const out = new Map<string, { variant: string; points: number; best: number; tied: number; mcc: number[]; trueCov: number[] }>();
  for (const k of keys) {
    const at = rows.filter((r) => `${r.scenario.letter}/${r.point.label}` === k && Number.isFinite(r.stats.mcc.value));
    if (!at.length) continue;
    const top = at.reduce((a, b) => (b.stats.mcc.value > a.stats.mcc.value ? b : a));
    for (const r of at) {
      const e = out.get(r.variant) ?? { variant: r.variant, points: 0, best: 0, tied: 0, mcc: [], trueCov: [] };
      e.points++;
      if (r === top) e.best++;
      if (r.stats.mcc.hi >= top.stats.mcc.value) e.tied++;
      e.mcc.push(r.stats.mcc.value);
      e.trueCov.push(r.stats.true_cov.value);
      out.set(r.variant, e);
    }
  }
  return [...out.values()].map((e) => ({ ...e, mcc: mean(e.mcc), trueCov: mean(e.trueCov.filter(Number.isFinite)) })).sort((a, b) => b.mcc - a.mcc);
}

/**
 * A scenario at a glance: true directions covered at matched L0, variants by points, and where each variant
 * switches to the true features: the first point whose interval lies wholly above one half (none: not in range).
 */
export function switchTable(sc: Scenario, rs: FwRow[]): string[] {
  const variants = [...new Set(rs.map((r) => r.variant))];
  const at = (v: string, p: ScenarioPoint) => rs.find((r) => r.variant === v && r.point === p);
  const switchAt = (v: string) => sc.points.find((p) => (at(v, p)?.stats.true_cov.lo ?? 0) > 0.5);
  return [
    `True directions covered at matched L0 (mean [95 % interval]) along ${sc.axis}, and the first point where the interval lies above one half.\n`,
    `| variant | ${sc.points.map((p) => `${p.x}`).join(' | ')} | switch to true features |`,
    `|---|${sc.points.map(() => '---|').join('')}---|`,
    ...variants.map((v) => {
      const sw = switchAt(v);
      return `| ${v} | ${sc.points.map((p) => (at(v, p) ? fi(at(v, p)!.stats.true_cov) : '-')).join(' | ')} | ${sw ? `${sw.x}` : 'not in range'} |`;
    }),
    '',
  ];
}

/** The budget as the runs' bench experiments were configured (the first one's; the preset gives all the same). */
function budgetOf(runs: ResultsFile[]): string {
  const e = runs.flatMap((r) => r.experiments).find((x) => x.name.startsWith('fw-'));
  if (!e) return '';
  const c = e.config;
  const dict = runs.flatMap((r) => r.experiments).filter((x) => x.name.startsWith('fw-') && x.config.toy.model === 'dictionary').length;
  const all = runs.flatMap((r) => r.experiments).filter((x) => x.name.startsWith('fw-')).length;
  const toy =
    dict === all
      ? 'a fixed random dictionary at every point (no trained toy model)'
      : dict
        ? `trained, except ${dict} of ${all} experiments on a fixed random dictionary (the hierarchy's)`
        : 'trained at every point';
  return `Toy model: ${toy}. Budget (as configured, ${e.name}): toy model ${c.toy.steps} steps of ${c.toy.batch} at lr ${c.toy.lr}, SAEs ${c.sae.steps} steps of ${c.sae.batch} at lr ${c.grid.lr.join('/')}, ${c.realizations} SAEs per knob value per seed, evaluation on ${c.eval_samples} fresh samples.`;
}

/** future-work.md: the leaderboard, then per scenario its question and each point's variants at matched L0; '' without bench experiments. */
export function futureWorkSection(runs: ResultsFile[]): string {
  const rows = futureWorkRows(runs);
  if (!rows.length) return '';
  const seeds = Math.max(...rows.map((r) => r.seeds + r.flagged));
  const out = [
    '# The future-work bench\n',
    `Every scenario (src/scenarios) x every SAE variant (src/variants) over ${seeds} seed(s). Per scenario point, each variant at its sparsity knob's value whose median L0 is nearest the data's own L0 (features active per draw, the L0 the true dictionary needs; a composed code needs 1 per draw): lambda swept over ${FW.lambdas.join(', ')}${widerSweeps()} for the L1-style variants, k at the data's L0 for the TopK family. Metrics as SynthSAEBench defines them (MCC: mean |cos| of the one-to-one match of latents to the true features; uniqueness: distinct best-matching features / latents) F1: each latent as a detector of its best-matching feature on the fresh samples, the mean over latents; shrinkage: mean |hhat| / |h|) and the kit's matched coverage (cos >= 0.95, one latent per direction) of the true and the composed directions. Means with 95 % cluster-bootstrap intervals (seeds, then SAEs); experiments whose toy model fails the guards are left out and counted. ${budgetOf(runs)}\n`,
    '## Leaderboard\n',
    'Per variant over the scenario points it ran at (each at matched L0): points where its mean MCC is the highest, points where its interval reaches the highest mean, and its mean MCC and true-direction coverage over the points.\n',
    "| variant | points | best MCC | within the best one's reach | mean MCC | mean true directions covered |",
    '|---|---|---|---|---|---|',
    ...leaderboard(rows).map((e) => `| ${e.variant} | ${e.points} | ${e.best} | ${e.tied} | ${f2(e.mcc)} | ${f2(e.trueCov)} |`),
    '',
    '## Did the training settle?\n',
    `Per variant, its SAEs at matched L0 over every point, pooled: the share the kit's convergence rule calls converged (the median training loss over the last 10 % of the steps within ${CONVERGENCE_DROP * 100} % of the median over the 10 % before), and the share still falling by a test against the loss's own noise (that drop, and the last window's losses lower by a one-sided exact Mann-Whitney test at p < ${FALLING_P}). The rule alone reads noise as progress where the loss is small and heavy-tailed (the TopK family's).\n`,
    '| variant | SAEs | converged (5 % rule) | still falling (test) |',
    '|---|---|---|---|',
    ...settledTable(rows),
    '',
  ];
  for (const sc of SCENARIOS) {
    const rs = rows.filter((r) => r.scenario.letter === sc.letter);
    if (!rs.length) continue;
    out.push(`## (${sc.letter}) ${sc.title}\n`, `${sc.question}\n`);
    out.push(...switchTable(sc, rs));
    if (sc.expectation) out.push(`${sc.expectation}\n`);
    const absorb = sc.points.some((p) => p.data.hierarchy);
    out.push(
      `| ${sc.axis} | variant | knob at matched L0 | L0 (target) | MCC | true directions covered | composed directions covered | uniqueness | F1 | explained variance | shrinkage |${absorb ? ' absorption (parent latent recall alone - with a child) |' : ''} dead latents | true SAEs | converged (5 % rule) | still falling (test) | SAEs (seeds, flagged) |`,
    );
    out.push(`|---|---|---|---|---|---|---|---|---|---|---|${absorb ? '---|' : ''}---|---|---|---|---|`);
    for (const p of sc.points)
      for (const r of rs.filter((x) => x.point === p).sort((a, b) => b.stats.mcc.value - a.stats.mcc.value))
        out.push(
          `| ${p.x} (${p.label}) | ${r.variant} | ${r.knob} | ${f2(r.stats.l0.value)} (${f2(r.target)}) | ${fi(r.stats.mcc)} | ${fi(r.stats.true_cov)} | ${fi(r.stats.composed_cov)} | ${fi(r.stats.uniqueness)} | ${fi(r.stats.f1)} | ${fi(r.stats.ev)} | ${fi(r.stats.shrinkage)} |${absorb ? ` ${fi(r.stats.absorption)} |` : ''} ${fi(r.stats.dead)} | ${fi(r.stats.true_saes)} | ${f2(r.converged)} | ${f2(r.falling)} | ${r.saes} (${r.seeds}${r.flagged ? `, ${r.flagged}` : ''}) |`,
        );
    out.push('');
  }
  return out.join('\n');
}

/** Write DIR/future-work.md and DIR/future-work.svg when the runs hold bench experiments; returns the files written. */
export function writeFutureWork(dir: string, runs: ResultsFile[], document: Document): string[] {
  const md = futureWorkSection(runs);
  if (!md) return [];
  writeFileAtomic(join(dir, 'future-work.md'), md);
  writeFileAtomic(join(dir, 'future-work.svg'), futureWorkFigure(futureWorkRows(runs), document));
  return ['future-work.md', 'future-work.svg'];
}
