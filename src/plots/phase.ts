// The phase diagram (issue: "when do SAEs learn true features?"): fraction of true features recovered
// (decoder cosine >= 0.9, mean over realizations) against features per set k and one-hot probability p.
import * as Plot from '@observablehq/plot';
import { plot } from './plot';
import type { StoredExperiment } from '../results/stored';

export interface PhasePoint {
  variant: string;
  k: number;
  p: number;
  recovered: number;
  composed: number;
  mmcs: number;
  n: number;
}

export function phasePoints(exps: Pick<StoredExperiment, 'name' | 'config' | 'saes'>[]): PhasePoint[] {
  return exps
    .filter((e) => e.name.startsWith('phase-'))
    .map((e) => ({
      variant: e.config.sae.variant,
      k: e.config.data.sets[0],
      p: e.config.data.p_onehot,
      n: e.saes.length,
      recovered: e.saes.reduce((s, x) => s + x.recovered, 0) / e.saes.length,
      composed: e.saes.reduce((s, x) => s + x.composed_fraction, 0) / e.saes.length,
      mmcs: e.saes.reduce((s, x) => s + x.mmcs, 0) / e.saes.length,
    }));
}

export function phaseFigure(points: PhasePoint[], document: Document): string {
  const fig = plot({
    document,
    width: 760,
    height: 330,
    marginLeft: 60,
    marginTop: 36,
    style: { background: 'white' },
    x: { label: 'one-hot probability p', type: 'band' },
    y: { label: 'features per set k', type: 'band', reverse: true },
    fx: { label: null },
    color: { type: 'linear', scheme: 'blues', domain: [0, 1] },
    marks: [
      Plot.cell(points, { fx: 'variant', x: 'p', y: 'k', fill: 'recovered', inset: 1 }),
      Plot.text(points, {
        fx: 'variant',
        x: 'p',
        y: 'k',
        text: (d: PhasePoint) => d.recovered.toFixed(2),
        fill: (d: PhasePoint) => (d.recovered > 0.6 ? 'white' : 'black'),
        fontSize: 11,
      }),
    ],
  });
  const svg = fig.tagName.toLowerCase() === 'svg' ? fig : fig.querySelector('svg')!;
  svg.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  const w = Number(svg.getAttribute('width')),
    h = Number(svg.getAttribute('height'));
  svg.setAttribute('y', '28');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h + 28}" font-family="system-ui, sans-serif"><rect width="100%" height="100%" fill="white"/>` +
    `<text x="8" y="19" font-size="13" font-weight="bold">Fraction of true features recovered (cos >= 0.9), mean over realizations: ReLU vs TopK SAEs</text>${svg.outerHTML}</svg>`
  );
}

export function phaseTable(points: PhasePoint[]): string {
  const ks = [...new Set(points.map((p) => p.k))].sort((a, b) => a - b);
  const ps = [...new Set(points.map((p) => p.p))].sort((a, b) => a - b);
  const out: string[] = [];
  for (const v of [...new Set(points.map((p) => p.variant))]) {
    out.push(`**${v}** (rows k, columns p; recovered fraction / composed-latent fraction)\n`);
    out.push(`| k \\ p | ${ps.join(' | ')} |`, `|---|${ps.map(() => '---').join('|')}|`);
    for (const k of ks) {
      out.push(
        `| ${k} | ${ps
          .map((p) => {
            const x = points.find((q) => q.variant === v && q.k === k && q.p === p);
            return x ? `${x.recovered.toFixed(2)} / ${x.composed.toFixed(2)}` : '-';
          })
          .join(' | ')} |`,
      );
    }
    out.push('');
  }
  return out.join('\n');
}
