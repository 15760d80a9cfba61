// Wide runs side by side (`npm start -- wide compare DIR...`): the runs of one preset at several SAE seeds pooled,
// each metric as the mean over seeds with a 95 % t-interval (seeds independent: each SAE its own initial decoder and
// training stream, the data the same), every seed's value kept. With 3 seeds the interval is wide (t = 4.30): two
// presets whose intervals overlap are not told apart by these runs.
import { saeVariant } from '../variants';
import { streamsOverlap, type WideResult, wideStreams } from './wide';

/** the metrics compared, in SAELens's synthetic-eval names (results.json final) */
export const WIDE_METRICS = ['f1', 'mcc', 'uniqueness', 'explained_variance', 'l0', 'dead', 'shrinkage', 'precision', 'recall'] as const;
export type WideMetric = (typeof WIDE_METRICS)[number];

// two-sided 95 % Student t quantiles for 1..30 degrees of freedom (standard tables)
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069,
  2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/** The two-sided 95 % quantile of Student's t at df degrees of freedom (tables to 30, Cornish-Fisher beyond: error < 1e-4). */
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
  /** each seed's decoder products (results before the sparse decode existed ran the dense one) */
  decodes: string[];
  /** samples, adapter and mean training time per run */
  samples: number;
  adapters: string[];
  train_s: number;
  metrics: Record<WideMetric, MetricSummary>;
}

/** A setting's name: preset, variant, its knob, lr, the samples (what differs between settings most often). */
export function wideLabel(r: WideResult): string {
  const sae = r.config.sae;
  const sel = saeVariant(sae.variant).wide?.select;
  const knob = sel === 'relu' ? `L1 ${sae.lambda}` : sel === 'jumprelu' ? `L0 coefficient ${sae.lambda}` : `k ${sae.k}`;
  return `${r.preset}: ${sae.variant}, ${knob}, lr ${r.config.train.lr}, ${(r.steps * r.config.train.batch).toLocaleString('en-US')} samples`;
}

/** What runs must share to be pooled as seeds of one setting: the whole config but its seed. */
const settingKey = (r: WideResult) => JSON.stringify({ ...r.config, seed: null });

/** Group runs by setting (wideLabel; one seed each: a setting seen twice at one seed is an error naming the runs). */
export function groupWide(runs: { dir: string; r: WideResult }[]): WideGroup[] {
  const by = new Map<string, { dir: string; r: WideResult }[]>();
  const labels = new Map<string, string>();
  for (const x of runs) {
    const key = settingKey(x.r);
    const label = wideLabel(x.r);
    const other = [...labels.entries()].find(([k, l]) => l === label && k !== key);
    // two settings that differ past the label (width, AuxK, prefixes, data) keep apart, named by their folder
    labels.set(key, other ? `${label} (${x.dir})` : label);
    const list = by.get(key) ?? [];
    const twin = list.find((y) => y.r.config.seed === x.r.config.seed);
    if (twin) throw new Error(`wide compare: ${twin.dir} and ${x.dir} are both ${label} at seed ${x.r.config.seed}`);
    // seeds are independent only if their training rows are disjoint (the generator's row numbers wrap at 2^32)
    const shared = list.find((y) => streamsOverlap((y.r.streams ?? wideStreams(y.r.config)).train, (x.r.streams ?? wideStreams(x.r.config)).train));
    if (shared)
      throw new Error(
        `wide compare: ${shared.dir} (seed ${shared.r.config.seed}) and ${x.dir} (seed ${x.r.config.seed}) train on overlapping generator rows; they are not independent seeds`,
      );
    list.push(x);
    by.set(key, list);
  }
  return [...by.entries()].map(([key, list]) => {
    const rs = list.map((x) => x.r).sort((a, b) => a.config.seed - b.config.seed);
    return {
      label: labels.get(key)!,
      preset: rs[0].preset,
      variant: rs[0].config.sae.variant,
      seeds: rs.map((r) => r.config.seed),
      decodes: rs.map((r) => r.decode ?? 'dense'),
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
    ...groups.map((g) => `| ${g.label} | ${g.seeds.length} (${seedList(g)}) | ${cols.map(([m, , dg]) => fmt(g.metrics[m], dg)).join(' | ')} |`),
    '',
    `Samples per SAE: ${[...new Set(groups.map((g) => g.samples.toLocaleString('en-US')))].join(', ')}; adapters: ${[...new Set(groups.flatMap((g) => g.adapters))].join('; ')}.`,
    ...(groups.some((g) => new Set(g.decodes).size > 1)
      ? [
          '',
          "Where a setting's seeds ran different decodes (the TopK family's decoder products as dense GEMMs, or from the lists of each row's kept latents: the same math, summed in another order), each seed names its own.",
        ]
      : []),
    '',
  ].join('\n');
}

/** "42, 43, 44", or with each seed's decode where they differ: "42 dense, 43 dense, 44 sparse" */
function seedList(g: WideGroup): string {
  if (new Set(g.decodes).size <= 1) return g.seeds.join(', ');
  return g.seeds.map((s, i) => `${s} ${g.decodes[i]}`).join(', ');
}
