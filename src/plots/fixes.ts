// fixes.svg: for each fix of the fixes presets (src/experiments/fixes.ts), the share of its SAEs' live latents
// on true and on composed directions (cos >= COVER_THRESHOLD), pooled over seeds with 95 % cluster-bootstrap
// intervals, one panel per data setting. A fix that recovered the true features would sit right on the blue axis.
import * as Plot from '@observablehq/plot';
import { type FixRow, fixLatentShares } from '../experiments/fixes';
import { COVER_THRESHOLD } from '../metrics/recovery';
import { plot } from './plot';

export function fixesFigure(rows: FixRow[], document: Document): string {
  const pts = rows.flatMap((r) => {
    const s = fixLatentShares(r);
    return [
      { data: r.data, fix: r.tag, kind: 'true directions', ...s.trueLatents },
      { data: r.data, fix: r.tag, kind: 'composed directions', ...s.composedLatents },
    ];
  });
  const fixes = [...new Set(rows.map((r) => r.tag))];
  const fig = plot({
    document,
    width: 860,
    height: 120 + 22 * fixes.length,
    marginLeft: 150,
    marginTop: 30,
    style: { background: 'white' },
    x: { label: 'share of live latents', domain: [0, 1], grid: true },
    y: { label: null, domain: fixes },
    fx: { label: null, domain: [...new Set(rows.map((r) => r.data))] },
    color: { domain: ['true directions', 'composed directions'], range: ['#1f77b4', '#ff7f0e'], legend: false },
    marks: (['true directions', 'composed directions'] as const).flatMap((kind, i) => {
      const these = pts.filter((p) => p.kind === kind);
      const dy = i === 0 ? -3 : 3;
      return [
        Plot.ruleY(these, { fx: 'data', y: 'fix', x1: 'lo', x2: 'hi', stroke: 'kind', strokeWidth: 2, dy }),
        Plot.dot(these, { fx: 'data', y: 'fix', x: 'value', fill: 'kind', r: 3.5, dy }),
      ];
    }),
  });
  const svg = fig.tagName.toLowerCase() === 'svg' ? fig : fig.querySelector('svg')!;
  svg.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  const w = Number(svg.getAttribute('width')),
    h = Number(svg.getAttribute('height'));
  svg.setAttribute('y', '44');
  const seeds = Math.max(0, ...rows.map((r) => r.seeds));
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h + 44}" font-family="system-ui, sans-serif"><rect width="100%" height="100%" fill="white"/>` +
    `<text x="8" y="17" font-size="13" font-weight="bold">Every fix in the seed's setting: live latents on true (blue) and composed (orange) directions, cos >= ${COVER_THRESHOLD}</text>` +
    `<text x="8" y="34" font-size="10">pooled over ${seeds} seed(s), 95 % cluster-bootstrap intervals; lambda swept for relu, matryoshka, jumprelu, gated, panneal; k = 1, 2 for the TopK family</text>${svg.outerHTML}</svg>`
  );
}
