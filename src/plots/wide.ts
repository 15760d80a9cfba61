// wide.svg: presets side by side (src/experiments/wide-compare.ts), one panel per metric with its own scale: every
// seed's value (grey dots), the mean over seeds (blue dot) and its 95 % t-interval (blue bar).
import * as Plot from '@observablehq/plot';
import type { WideGroup, WideMetric } from '../experiments/wide-compare';
import { plot } from './plot';

const PANELS: [WideMetric, string][] = [
  ['f1', 'F1'],
  ['mcc', 'MCC'],
  ['uniqueness', 'uniqueness'],
  ['explained_variance', 'explained variance'],
  ['l0', 'L0'],
];

/** The figure's row names: the preset alone where that names one setting, else the setting's full label. */
function rowNames(groups: WideGroup[]): Map<WideGroup, string> {
  return new Map(groups.map((g) => [g, groups.filter((o) => o.preset === g.preset).length === 1 ? g.preset : g.label]));
}

// room for the row names of the first panel (about 6 px a character at 10 px)
let LEFT = 330;

function panel(groups: WideGroup[], metric: WideMetric, label: string, first: boolean, document: Document): Element {
  const names = rowNames(groups);
  const labels = groups.map((g) => names.get(g)!);
  const means = groups.map((g) => ({ y: names.get(g)!, ...g.metrics[metric] }));
  const seeds = groups.flatMap((g) => g.metrics[metric].values.map((v) => ({ y: names.get(g)!, v })));
  const fig = plot({
    document,
    width: (first ? LEFT : 0) + 210,
    height: 60 + 26 * labels.length,
    marginLeft: first ? LEFT : 10,
    marginRight: 34,
    marginTop: 26,
    style: { background: 'white' },
    x: { label, grid: true, ticks: 4, labelAnchor: 'center', inset: 14 },
    y: { label: null, domain: labels, axis: first ? 'left' : null },
    marks: [
      Plot.ruleY(
        means.filter((m) => !Number.isNaN(m.lo)),
        { y: 'y', x1: 'lo', x2: 'hi', stroke: '#0072B2', strokeWidth: 2 },
      ),
      Plot.dot(seeds, { y: 'y', x: 'v', fill: '#999', r: 2 }),
      Plot.dot(means, { y: 'y', x: 'mean', fill: '#0072B2', r: 4 }),
    ],
  });
  const svg = fig.tagName.toLowerCase() === 'svg' ? fig : fig.querySelector('svg')!;
  svg.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  return svg;
}

export function wideFigure(groups: WideGroup[], document: Document): string {
  LEFT = Math.max(120, 12 + 6.2 * Math.max(...[...rowNames(groups).values()].map((n) => n.length)));
  let x = 0,
    h = 0;
  const parts = PANELS.map(([m, label], i) => {
    const svg = panel(groups, m, label, i === 0, document);
    svg.setAttribute('x', String(x));
    svg.setAttribute('y', '44');
    x += Number(svg.getAttribute('width'));
    h = Math.max(h, Number(svg.getAttribute('height')));
    return svg.outerHTML;
  });
  const n = [...new Set(groups.map((g) => g.seeds.length))].join(' or ');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${x}" height="${h + 44}" font-family="system-ui, sans-serif"><rect width="100%" height="100%" fill="white"/>` +
    `<text x="8" y="17" font-size="13" font-weight="bold">Wide SAEs on SynthSAEBench-class data, evaluated on fresh rows (SAELens's synthetic metrics)</text>` +
    `<text x="8" y="34" font-size="10">grey: each SAE seed (${n} per setting); blue: the mean and its 95 % t-interval over seeds; each panel its own scale; the settings in compare.md</text>${parts.join('')}</svg>`
  );
}
