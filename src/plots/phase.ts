// The phase diagram (the study's future work: "when do SAEs learn true features?"): against features per
// set k and one-hot probability p, the share of true feature directions an SAE recovers by matched recovery
// (one-to-one Hungarian matching, covered at cos >= 0.95, as the verdicts), and the share of its live latents
// on composed directions. Pooled over seeds with a 95 % cluster-bootstrap interval (seeds, then SAEs); toy
// models that fail the guards are left out. The analytic crossings of the 2x2 case are drawn (docs/science.md).
import * as Plot from '@observablehq/plot';
import { COVER_THRESHOLD } from '../metrics/recovery';
import { clusterBootstrap } from '../metrics/stats';
import type { StoredExperiment } from '../results/stored';
import { plot } from './plot';

export interface PhasePoint {
  variant: string;
  k: number;
  p: number;
  /** mean over SAEs of the share of true directions covered (matched recovery) */
  recovered: number;
  /** its 95 % interval (NaN with one SAE) */
  lo: number;
  hi: number;
  /** mean over SAEs of the share of live latents on a composed direction (cos >= COVER_THRESHOLD) */
  composed: number;
  /** SAEs behind the point, and seeds (toy models) */
  n: number;
  seeds: number;
  /** seeds left out because their toy model failed the guards */
  flagged: number;
}

/** The analytic crossings of the expected L1 costs in the 2x2 case (docs/science.md §5): above p the true dictionary is cheaper. */
export const CROSSINGS = [
  { p: 0.22, label: 'uncorrelated 0.22' },
  { p: 0.59, label: 'correlated 0.59' },
];

type PhaseExp = Pick<StoredExperiment, 'name' | 'config' | 'saes' | 'toy' | 'composed'>;
type Sae = PhaseExp['saes'][number];
const trueShare = (s: Sae) => (s.recovery?.true.targets ? s.recovery.true.covered / s.recovery.true.targets : s.recovered);
const composedShare = (s: Sae) => {
  const live = s.latents.filter((l) => l.kind !== 'dead');
  return live.length
    ? live.filter((l) => Number.isFinite(l.cos_composed) && l.cos_composed >= COVER_THRESHOLD && l.cos_composed > l.cos_true).length / live.length
    : 0;
};
const mean = (v: number[]) => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : Number.NaN);

/** Phase points of one run, or pooled over several seeds of the same phase preset (`runs`: each run's experiments). */
export function phasePoints(...runs: PhaseExp[][]): PhasePoint[] {
  const keys = new Map<string, { variant: string; k: number; p: number }>();
  for (const exps of runs)
    for (const e of exps)
      if (e.name.startsWith('phase-')) keys.set(e.name, { variant: e.config.sae.variant, k: e.config.data.sets[0], p: e.config.data.p_onehot });
  return [...keys].map(([name, key]) => {
    const all = runs.map((exps) => exps.find((e) => e.name === name)).filter((e): e is PhaseExp => !!e);
    const valid = all.filter((e) => e.toy?.validity?.valid !== false);
    const groups = valid.map((e) => e.saes);
    const iv = clusterBootstrap(groups, (gs) => mean(gs.flat().map(trueShare)));
    return {
      ...key,
      recovered: iv.value,
      lo: iv.lo,
      hi: iv.hi,
      composed: mean(groups.flat().map(composedShare)),
      n: groups.flat().length,
      seeds: valid.length,
      flagged: all.length - valid.length,
    };
  });
}

/** Column edges on a linear p axis: each cell spans halfway to its neighbours. */
function edges(ps: number[]): Map<number, [number, number]> {
  const s = [...new Set(ps)].sort((a, b) => a - b);
  const out = new Map<number, [number, number]>();
  s.forEach((p, i) => {
    const lo = i ? (p + s[i - 1]) / 2 : p - (s.length > 1 ? (s[1] - p) / 2 : 0.05);
    const hi = i < s.length - 1 ? (p + s[i + 1]) / 2 : p + (s.length > 1 ? (p - s[i - 1]) / 2 : 0.05);
    out.set(p, [lo, hi]);
  });
  return out;
}

export function phaseFigure(points: PhasePoint[], document: Document, title?: string): string {
  const ed = edges(points.map((d) => d.p));
  const ks = [...new Set(points.map((d) => d.k))].sort((a, b) => a - b);
  const rows = points.map((d) => ({ ...d, x1: ed.get(d.p)![0], x2: ed.get(d.p)![1], row: String(d.k) }));
  const ci = (d: PhasePoint) => (Number.isFinite(d.lo) ? `${d.lo.toFixed(2)}-${d.hi.toFixed(2)}` : '');
  const fig = plot({
    document,
    width: 820,
    height: 360,
    marginLeft: 60,
    marginTop: 44,
    style: { background: 'white' },
    x: {
      label: 'one-hot probability p',
      domain: [Math.min(...rows.map((r) => r.x1)), Math.max(...rows.map((r) => r.x2))],
      ticks: [...ed.keys()],
      tickFormat: (p: number) => String(p),
    },
    y: { label: 'features per set k', type: 'band', domain: ks.map(String).reverse() },
    fx: { label: null },
    color: { type: 'linear', scheme: 'blues', domain: [0, 1], legend: false },
    marks: [
      Plot.rectX(rows, { fx: 'variant', x1: 'x1', x2: 'x2', y: 'row', fill: 'recovered', inset: 1 }),
      Plot.text(rows, {
        fx: 'variant',
        x: 'p',
        y: 'row',
        // a point whose every seed's toy model failed the guards: not measured (no SAE behind it)
        text: (d: PhasePoint) => (Number.isFinite(d.recovered) ? d.recovered.toFixed(2) : 'n/m'),
        dy: -5,
        fill: (d: PhasePoint) => (d.recovered > 0.6 ? 'white' : Number.isFinite(d.recovered) ? 'black' : '#888'),
        fontSize: 11,
      }),
      Plot.text(rows, {
        fx: 'variant',
        x: 'p',
        y: 'row',
        text: ci,
        dy: 8,
        fill: (d: PhasePoint) => (d.recovered > 0.6 ? 'white' : '#333'),
        fontSize: 8,
      }),
      Plot.ruleX(CROSSINGS, { x: 'p', stroke: '#d62728', strokeDasharray: '4,3', strokeWidth: 1.5 }),
      Plot.text(CROSSINGS, { x: 'p', text: 'label', frameAnchor: 'top', dy: -12, fill: '#d62728', fontSize: 9 }),
    ],
  });
  const svg = fig.tagName.toLowerCase() === 'svg' ? fig : fig.querySelector('svg')!;
  svg.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  const w = Number(svg.getAttribute('width')),
    h = Number(svg.getAttribute('height'));
  svg.setAttribute('y', '40');
  const seeds = Math.max(0, ...points.map((d) => d.seeds));
  const head =
    title ??
    `Share of true feature directions recovered (matched, cos >= ${COVER_THRESHOLD}), mean over SAEs${seeds > 1 ? ` of ${seeds} seeds` : ''}, 95 % interval below`;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h + 40}" font-family="system-ui, sans-serif"><rect width="100%" height="100%" fill="white"/>` +
    `<text x="8" y="17" font-size="13" font-weight="bold">${head}</text>` +
    `<text x="8" y="33" font-size="10" fill="#d62728">dashed: where the true dictionary's expected L1 drops below the composed one's, analytic for two sets of two features (uncorrelated / correlated amplitudes); n/m: not measured, every seed's toy model failed the guards</text>${svg.outerHTML}</svg>`
  );
}

export function phaseTable(points: PhasePoint[]): string {
  const ks = [...new Set(points.map((p) => p.k))].sort((a, b) => a - b);
  const ps = [...new Set(points.map((p) => p.p))].sort((a, b) => a - b);
  const out: string[] = [];
  for (const v of [...new Set(points.map((p) => p.variant))]) {
    out.push(`**${v}** (rows k, columns p; share of true directions recovered [95 % CI] / share of live latents composed)\n`);
    out.push(`| k \\ p | ${ps.join(' | ')} |`, `|---|${ps.map(() => '---').join('|')}|`);
    for (const k of ks) {
      out.push(
        `| ${k} | ${ps
          .map((p) => {
            const x = points.find((q) => q.variant === v && q.k === k && q.p === p);
            if (!x) return '-';
            if (!Number.isFinite(x.recovered)) return `not measured (${x.flagged} flagged)`;
            const ci = Number.isFinite(x.lo) ? ` [${x.lo.toFixed(2)}, ${x.hi.toFixed(2)}]` : '';
            return `${x.recovered.toFixed(2)}${ci} / ${x.composed.toFixed(2)}${x.flagged ? ` (${x.flagged} flagged)` : ''}`;
          })
          .join(' | ')} |`,
      );
    }
    out.push('');
  }
  return out.join('\n');
}

/**
 * Two budgets of the same phase diagram agree where their intervals overlap: per point, and the largest
 * difference of the means. A budget has settled when the larger one agrees with it everywhere.
 */
export function phaseBudgetCheck(a: PhasePoint[], b: PhasePoint[]) {
  const measured = (x: PhasePoint) => Number.isFinite(x.recovered) && Number.isFinite(x.lo) && Number.isFinite(x.hi);
  const pairs = a.flatMap((x) => {
    const y = b.find((q) => q.variant === x.variant && q.k === x.k && q.p === x.p);
    return y ? [{ a: x, b: y }] : [];
  });
  // points where either budget has no valid toy model (every seed flagged) are not compared
  const rows = pairs
    .filter((r) => measured(r.a) && measured(r.b))
    .map((r) => ({ ...r, diff: r.b.recovered - r.a.recovered, overlap: !(r.a.hi < r.b.lo || r.b.hi < r.a.lo) }));
  return {
    rows,
    notMeasured: pairs.length - rows.length,
    agree: rows.filter((r) => r.overlap).length,
    maxDiff: rows.length ? Math.max(...rows.map((r) => Math.abs(r.diff))) : Number.NaN,
  };
}
