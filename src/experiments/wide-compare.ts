// Wide runs side by side (`npm start -- wide compare DIR...`): the runs of one preset at several SAE seeds pooled,
// each metric as the mean over seeds with a 95 % t-interval (seeds independent: each SAE its own initial decoder and
// training stream, the data the same), every seed's value kept. With 3 seeds the interval is wide (t = 4.30): two
// presets whose intervals overlap are not told apart by these runs.
import type { WideResult } from './wide';

/** the metrics compared, in SAELens's synthetic-eval names (results.json final) */
export const WIDE_METRICS = ['f1', 'mcc', 'uniqueness', 'explained_variance', 'l0', 'dead', 'shrinkage', 'precision', 'recall'] as const;
export type WideMetric = (typeof WIDE_METRICS)[number];

// two-sided 95 % Student t quantiles for 1..10 degrees of freedom (standard tables)
const T975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228];

/** The two-sided 95 % quantile of Student's t at df degrees of freedom (tables to 10, Cornish-Fisher beyond: error < 1e-3). */
export function t975(df: number): number {
  if (!(df >= 1) || !Number.isInteger(df)) throw new Error(`t975: df must be an integer >= 1, got ${df}`);
  if (df <= T975.length) return T975[df - 1];
  const z = 1.959964;
  return z + (z ** 3 + z) / (4 * df) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * df ** 2);
}

export interface MetricSummary {
  mean: number;
  /** the 95 % t-interval of the mean (NaN with one seed) */
  lo: number;
  hi: number;
  values: number[];
}

export function summarise(values: number[]): MetricSummary {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { mean, lo: Number.NaN, hi: Number.NaN, values };
  const sd = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1));
  const h = (t975(n - 1) * sd) / Math.sqrt(n);
  return { mean, lo: mean - h, hi: mean + h, values };
}

export interface WideGroup {
  /** preset, variant, k or L1 coefficient, samples: what the runs pooled share */
  label: string;
  preset: string;
  variant: string;
  seeds: number[];
  /** samples, adapter and mean training time per run */
  samples: number;
  adapters: string[];
  train_s: number;
  metrics: Record<WideMetric, MetricSummary>;
}

/** What runs must share to be pooled as seeds of one setting: preset, variant, its knob, the samples. */
export function wideLabel(r: WideResult): string {
  const sae = r.config.sae;
  const knob = sae.variant === 'relu' || sae.variant === 'matryoshka' ? `L1 ${sae.lambda}` : `k ${sae.k}`;
  return `${r.preset}: ${sae.variant}, ${knob}, ${(r.steps * r.config.train.batch).toLocaleString('en-US')} samples`;
}

/** Group runs by setting (wideLabel; one seed each: a setting seen twice at one seed is an error naming the runs). */
export function groupWide(runs: { dir: string; r: WideResult }[]): WideGroup[] {
  const by = new Map<string, { dir: string; r: WideResult }[]>();
  for (const x of runs) {
    const label = wideLabel(x.r);
    const list = by.get(label) ?? [];
    const twin = list.find((y) => y.r.config.seed === x.r.config.seed);
    if (twin) throw new Error(`wide compare: ${twin.dir} and ${x.dir} are both ${label} at seed ${x.r.config.seed}`);
    list.push(x);
    by.set(label, list);
  }
  return [...by.entries()].map(([label, list]) => {
    const rs = list.map((x) => x.r).sort((a, b) => a.config.seed - b.config.seed);
    return {
      label,
      preset: rs[0].preset,
      variant: rs[0].config.sae.variant,
      seeds: rs.map((r) => r.config.seed),
      samples: rs[0].steps * rs[0].config.train.batch,
      adapters: [...new Set(rs.map((r) => r.adapter))],
      train_s: rs.reduce((a, r) => a + r.timing.train_s, 0) / rs.length,
      metrics: Object.fromEntries(WIDE_METRICS.map((m) => [m, summarise(rs.map((r) => r.final[m]))])) as Record<WideMetric, MetricSummary>,
    };
  });
}

const fmt = (m: MetricSummary, digits: number) =>
  Number.isNaN(m.lo) ? m.mean.toFixed(digits) : `${m.mean.toFixed(digits)} [${m.lo.toFixed(digits)}, ${m.hi.toFixed(digits)}]`;

/** compare.md: one row per preset, the mean over seeds [95 % t-interval] of each metric. */
export function wideCompareMarkdown(groups: WideGroup[]): string {
  const cols: [WideMetric, string, number][] = [
    ['f1', 'F1', 3],
    ['mcc', 'MCC', 3],
    ['uniqueness', 'uniqueness', 3],
    ['explained_variance', 'explained variance', 3],
    ['l0', 'L0', 2],
    ['dead', 'dead', 1],
    ['shrinkage', 'shrinkage', 3],
  ];
  return [
    '# Wide SAEs side by side',
    '',
    'Each cell: the mean over SAE seeds [95 % t-interval over seeds]; the seeds differ in the initial decoder and the training stream, the data is the same. Intervals that overlap do not separate two presets at these seed counts.',
    '',
    `| setting | seeds | ${cols.map((c) => c[1]).join(' | ')} |`,
    `|---|---|${cols.map(() => '---').join('|')}|`,
    ...groups.map((g) => `| ${g.label} | ${g.seeds.length} (${g.seeds.join(', ')}) | ${cols.map(([m, , dg]) => fmt(g.metrics[m], dg)).join(' | ')} |`),
    '',
    `Samples per SAE: ${[...new Set(groups.map((g) => g.samples.toLocaleString('en-US')))].join(', ')}; adapters: ${[...new Set(groups.flatMap((g) => g.adapters))].join('; ')}.`,
    '',
  ].join('\n');
}
