// future-work.svg: the bench at a glance. One row per scenario (src/scenarios), its points along the x axis; MCC,
// the share of true directions covered (cos >= 0.95) and F1, each variant at matched L0 with its 95 %
// cluster-bootstrap interval (src/experiments/future-work-report.ts).
import * as Plot from '@observablehq/plot';
import type { FwRow } from '../experiments/future-work-report';
import { SAE_VARIANTS } from '../variants';
import { plot } from './plot';

const PANELS = [
  { key: 'mcc', label: 'MCC (true features)' },
  { key: 'true_cov', label: 'true directions covered' },
  { key: 'f1', label: 'F1 (latents as detectors)' },
] as const;

export function futureWorkFigure(rows: FwRow[], document: Document): string {
  const variants = SAE_VARIANTS.map((v) => v.name).filter((v) => rows.some((r) => r.variant === v));
  const scenarios = [...new Map(rows.map((r) => [r.scenario.letter, r.scenario])).values()];
  const width = 900,
    rowH = 190;
  const offsets = variants.map((_, i) => (i - (variants.length - 1) / 2) * 3);
  const parts: string[] = [];
  let y = 60;
  for (const sc of scenarios) {
    const pts = rows
      .filter((r) => r.scenario.letter === sc.letter)
      .flatMap((r) =>
        PANELS.map((p) => ({
          panel: p.label,
          x: `${r.point.x}`,
          variant: r.variant,
          value: r.stats[p.key].value,
          lo: r.stats[p.key].lo,
          hi: r.stats[p.key].hi,
        })),
      )
      .filter((p) => Number.isFinite(p.value));
    const fig = plot({
      document,
      width,
      height: rowH,
      marginLeft: 50,
      marginTop: 24,
      marginBottom: 36,
      style: { background: 'white' },
      x: { label: sc.axis, domain: sc.points.map((p) => `${p.x}`), type: 'point', inset: 20 },
      y: { label: null, domain: [0, 1], grid: true },
      fx: { label: null, domain: PANELS.map((p) => p.label) },
      color: { domain: variants, scheme: 'tableau10', legend: false },
      marks: [
        Plot.line(pts, { fx: 'panel', x: 'x', y: 'value', stroke: 'variant', z: 'variant', strokeOpacity: 0.5 }),
        ...variants.flatMap((v, i) => {
          const these = pts.filter((p) => p.variant === v);
          return [
            Plot.ruleX(these, { fx: 'panel', x: 'x', y1: 'lo', y2: 'hi', stroke: 'variant', dx: offsets[i] }),
            Plot.dot(these, { fx: 'panel', x: 'x', y: 'value', fill: 'variant', r: 3, dx: offsets[i] }),
          ];
        }),
      ],
    });
    const svg = fig.tagName.toLowerCase() === 'svg' ? fig : fig.querySelector('svg')!;
    svg.setAttribute('y', String(y + 18));
    parts.push(`<text x="8" y="${y + 12}" font-size="12" font-weight="bold">(${sc.letter}) ${sc.title}</text>${svg.outerHTML}`);
    y += rowH + 24;
  }
  // the legend: one swatch per variant (Plot's tableau10 order)
  const TABLEAU10 = ['#4e79a7', '#f28e2c', '#e15759', '#76b7b2', '#59a14f', '#edc949', '#af7aa1', '#ff9da7', '#9c755f', '#bab0ab'];
  const legend = variants
    .map(
      (v, i) =>
        `<circle cx="${14 + (i % 5) * 175}" cy="${y + 10 + Math.floor(i / 5) * 16}" r="4" fill="${TABLEAU10[i % 10]}"/><text x="${22 + (i % 5) * 175}" y="${y + 14 + Math.floor(i / 5) * 16}" font-size="11">${v}</text>`,
    )
    .join('');
  const seeds = Math.max(0, ...rows.map((r) => r.seeds));
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y + 44}" font-family="system-ui, sans-serif"><rect width="100%" height="100%" fill="white"/>` +
    `<text x="8" y="17" font-size="13" font-weight="bold">The future-work bench: every variant at matched L0 (the knob value whose L0 is nearest the data's own)</text>` +
    `<text x="8" y="34" font-size="10">means over the matched SAEs of ${seeds} seed(s) whose toy model passes the guards, 95 % cluster-bootstrap intervals; variants offset sideways</text>` +
    `${parts.join('')}${legend}</svg>`
  );
}
