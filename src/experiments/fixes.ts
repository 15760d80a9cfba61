// The seed's setting with every fix (presets fixes-quick / fixes-full): for each data setting and SAE variant
// (with its sparsity knob), pooled over the seeds whose toy model passes the guards, what the SAEs learn and at
// which L0, so the fixes compare at matched sparsity. A composed draw of the 2x2 data has two active features: a
// true dictionary codes it with L0 = 2, the composed one with L0 = 1; so only SAEs near L0 = 2 can be true.
import { clusterBootstrap, fmtInterval, type Interval, median, pooledShare } from '../metrics/stats';
import { COVER_THRESHOLD } from '../metrics/recovery';
import type { ResultsFile, StoredExperiment } from '../results/stored';
import { FIXES, GAP_EXPERIMENTS } from './presets';
import { pickOf, toyFlagged } from './report';

type Exp = StoredExperiment;
type Sae = Exp['saes'][number];

/** The L0 bands of the matched-sparsity table: below 1.5 only a composed code fits a composed draw. */
export const L0_BANDS = [
  { label: 'L0 < 1.5', lo: 0, hi: 1.5 },
  { label: '1.5 <= L0 < 2.5', lo: 1.5, hi: 2.5 },
  { label: 'L0 >= 2.5', lo: 2.5, hi: Infinity },
] as const;

export interface FixRow {
  data: string;
  tag: string;
  variant: string;
  seeds: number;
  flagged: number;
  saes: number;
  /** the lowest-loss pick of each converged cell (the experiment's selection rule) */
  picks: Sae[];
  /** per valid seed, its SAEs and its picks (the bootstrap's clusters) */
  bySeed: { saes: Sae[]; picks: Sae[] }[];
}

/** The fixes experiments (`<data>-<tag>` of FIXES) of the given runs, one row per (data, tag), pooled over seeds. */
export function fixRows(runs: ResultsFile[]): FixRow[] {
  const rows: FixRow[] = [];
  for (const data of GAP_EXPERIMENTS)
    for (const f of FIXES) {
      const name = `${data}-${f.tag}`;
      const exps = runs.map((r) => r.experiments.find((e) => e.name === name)).filter((e): e is Exp => !!e);
      if (!exps.length) continue;
      const valid = exps.filter((e) => !toyFlagged(e));
      const bySeed = valid.map((e) => ({
        saes: e.saes,
        picks: e.cells.filter((c) => c.converged !== false).map((c) => e.saes[pickOf(c, 'configured')]),
      }));
      rows.push({
        data,
        tag: f.tag,
        variant: exps[0].config.sae.variant,
        seeds: valid.length,
        flagged: exps.length - valid.length,
        saes: bySeed.reduce((a, s) => a + s.saes.length, 0),
        picks: bySeed.flatMap((s) => s.picks),
        bySeed,
      });
    }
  return rows;
}

const isTrue = (s: Sae) => (s.verdict === 'true' ? 1 : 0);
const isComposed = (s: Sae) => (s.verdict === 'composed' ? 1 : 0);
const live = (s: Sae) => s.latents.filter((l) => l.kind !== 'dead');
const trueLatents = (s: Sae) => live(s).filter((l) => l.cos_true >= COVER_THRESHOLD && !(l.cos_composed > l.cos_true)).length;
const share = (groups: Sae[][], f: (s: Sae) => number) =>
  clusterBootstrap(
    groups,
    pooledShare(f, () => 1),
  );
const composedLatents = (s: Sae) =>
  live(s).filter((l) => Number.isFinite(l.cos_composed) && l.cos_composed >= COVER_THRESHOLD && l.cos_composed > l.cos_true).length;

/** A fix's live latents on true and on composed directions (pooled shares, 95 % cluster-bootstrap intervals): fixes.svg. */
export function fixLatentShares(r: FixRow): { trueLatents: Interval; composedLatents: Interval } {
  const saes = r.bySeed.map((s) => s.saes);
  return {
    trueLatents: clusterBootstrap(
      saes,
      pooledShare(trueLatents, (s) => live(s).length),
    ),
    composedLatents: clusterBootstrap(
      saes,
      pooledShare(composedLatents, (s) => live(s).length),
    ),
  };
}

const fmtL0 = (v: number[]) => (v.length ? `${median(v).toFixed(2)} (${Math.min(...v).toFixed(2)}-${Math.max(...v).toFixed(2)})` : 'n/a');

/** fixes.md's body: the table per data setting, the matched-L0 table, and how to read them; '' when the runs hold no fixes experiments. */
export function fixesSection(runs: ResultsFile[]): string {
  const rows = fixRows(runs);
  if (!rows.length) return '';
  const seeds = Math.max(...rows.map((r) => r.seeds + r.flagged));
  const out = [
    `# The seed's setting with every fix\n`,
    `Each SAE variant (src/variants) on the study's correlated, uncorrelated and one-hot data, its sparsity knob swept (lambda over the study's grid for relu, matryoshka, jumprelu, gated and panneal (its starting lambda); k = 1 and 2 for the TopK family, with AuxK), over ${seeds} seed(s); experiments whose toy model fails the guards are left out and counted. Verdicts by matched recovery (cos >= ${COVER_THRESHOLD}); MCC as SynthSAEBench defines it (mean |cos| of the one-to-one match of latents to true features); picks are each converged cell's lowest-loss realization under the variant's own selection loss (docs/science.md §5.4). Shares carry a 95 % cluster-bootstrap interval (seeds, then SAEs). A composed draw has two active features: the true dictionary codes it at L0 = 2, the composed one at L0 = 1, so the fixes are compared at matched L0 (second table).\n`,
  ];
  for (const data of GAP_EXPERIMENTS) {
    const rs = rows.filter((r) => r.data === data);
    if (!rs.length) continue;
    out.push(`## ${data}\n`);
    out.push(
      '| fix | seeds (flagged) | SAEs | L0 of picks, median (range) | true picks | true SAEs | composed SAEs | live latents on true directions | MCC (true features), mean |',
    );
    out.push('|---|---|---|---|---|---|---|---|---|');
    for (const r of rs) {
      const saes = r.bySeed.map((s) => s.saes),
        picks = r.bySeed.map((s) => s.picks);
      const tl = clusterBootstrap(
        saes,
        pooledShare(trueLatents, (s) => live(s).length),
      );
      const mcc = clusterBootstrap(
        saes.map((g) => g.filter((s) => s.synth)),
        pooledShare(
          (s) => s.synth!.mcc,
          () => 1,
        ),
      );
      out.push(
        `| ${r.tag} | ${r.seeds}${r.flagged ? ` (${r.flagged})` : ''} | ${r.saes} | ${fmtL0(r.picks.map((s) => s.l0))} | ${r.picks.filter((s) => isTrue(s)).length}/${r.picks.length}: ${fmtInterval(share(picks, isTrue))} | ${fmtInterval(share(saes, isTrue))} | ${fmtInterval(share(saes, isComposed))} | ${fmtInterval(tl)} | ${fmtInterval(mcc, false)} |`,
      );
    }
    out.push('');
  }
  out.push('## At matched L0\n');
  out.push(
    `True SAEs / SAEs per L0 band (evaluation L0: mean active latents per sample; every SAE, converged or not), and in brackets true picks / picks, pooled over seeds.\n`,
  );
  out.push(`| data | fix | ${L0_BANDS.map((b) => b.label).join(' | ')} |`);
  out.push(`|---|---|${L0_BANDS.map(() => '---').join('|')}|`);
  for (const r of rows) {
    const all = r.bySeed.flatMap((s) => s.saes);
    const cells = L0_BANDS.map((b) => {
      const inBand = (s: Sae) => s.l0 >= b.lo && s.l0 < b.hi;
      const a = all.filter(inBand),
        p = r.picks.filter(inBand);
      return a.length ? `${a.filter((s) => isTrue(s)).length}/${a.length} (${p.filter((s) => isTrue(s)).length}/${p.length})` : '-';
    });
    out.push(`| ${r.data} | ${r.tag} | ${cells.join(' | ')} |`);
  }
  out.push('');
  return out.join('\n');
}
