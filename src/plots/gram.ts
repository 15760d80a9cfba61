// gram.svg: the toy model's Gram matrix W W^T (feature i's direction w_i against feature j's), so its
// geometry can be judged at any n and d: the diagonal is |w_i|^2 (a feature the model does not store is a
// pale diagonal cell), off-diagonal cells are the overlaps, sets are outlined. The guards' verdict
// (recovery.ts toyValidity) is in the title.
import * as Plot from '@observablehq/plot';
import type { ExperimentResult } from '../results/schema';
import { plot, wrapTitle } from './plot';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function gramFigure(r: Pick<ExperimentResult, 'name' | 'toy' | 'config'>, document: Document): string {
  const W = r.toy.W,
    labels = r.toy.labels;
  const n = W.length;
  const rows = W.flatMap((a, i) => W.map((b, j) => ({ i: labels[i], j: labels[j], v: a.reduce((s, x, q) => s + x * b[q], 0) })));
  const lim = Math.max(1e-9, ...rows.map((x) => Math.abs(x.v)));
  const small = n <= 12;
  const cell = small ? 40 : Math.max(8, Math.floor(480 / n));
  const m = 60;
  // set boundaries: one outline per set on the diagonal
  const sets = r.config.data.sets;
  const boxes = sets.map((k, s) => {
    const start = sets.slice(0, s).reduce((a, b) => a + b, 0);
    return { x1: labels[start], x2: labels[start + k - 1] };
  });
  const fig = plot({
    document,
    width: m + 20 + cell * n,
    height: m + 20 + cell * n,
    marginLeft: m,
    marginBottom: m,
    marginTop: 10,
    marginRight: 20,
    style: { background: 'white' },
    x: { domain: labels, label: 'feature j', tickRotate: n > 12 ? -90 : 0 },
    y: { domain: labels, label: 'feature i' },
    color: { type: 'linear', domain: [-lim, 0, lim], range: ['#2166ac', '#f7f7f7', '#b2182b'], interpolate: 'rgb' },
    marks: [
      Plot.cell(rows, { x: 'j', y: 'i', fill: 'v', inset: 0.5 }),
      ...(small
        ? [
            Plot.text(rows, {
              x: 'j',
              y: 'i',
              text: (d: { v: number }) => d.v.toFixed(2),
              fill: (d: { v: number }) => (Math.abs(d.v) > 0.6 * lim ? 'white' : 'black'),
              fontSize: 10,
            }),
          ]
        : []),
      ...boxes.map((b) => {
        const a = labels.indexOf(b.x1),
          z = labels.indexOf(b.x2);
        const setLabels = labels.slice(a, z + 1);
        return Plot.cell(
          setLabels.flatMap((p) => setLabels.map((q) => ({ p, q }))),
          { x: 'p', y: 'q', fill: 'none', stroke: '#111', strokeWidth: 0.4, strokeOpacity: 0.35 },
        );
      }),
    ],
  });
  const svg = (fig.tagName.toLowerCase() === 'svg' ? fig : fig.querySelector('svg')!) as Element;
  const w = Number(svg.getAttribute('width')),
    h = Number(svg.getAttribute('height'));
  const v = r.toy.validity;
  const guard = v ? (v.valid ? 'guards passed' : `TOY MODEL FLAGGED: ${v.notes.join('; ')}`) : 'guards not recorded';
  const what = r.config.toy.model === 'dictionary' ? 'the fixed random dictionary (not trained)' : "the toy model's";
  const title = `${r.name}: ${what} Gram matrix W W^T (diagonal |w_i|^2; red positive, blue negative overlaps; sets outlined). ${guard}`;
  const width = Math.max(w, 420);
  const lines = wrapTitle(title, Math.floor((width - 16) / 7.6));
  const top = 10 + 18 * lines.length;
  svg.setAttribute('y', String(top));
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${h + top}" viewBox="0 0 ${width} ${h + top}" font-family="system-ui, sans-serif"><rect width="100%" height="100%" fill="white"/>` +
    lines.map((l, i) => `<text x="8" y="${19 + 18 * i}" font-size="13" font-weight="bold">${esc(l)}</text>`).join('') +
    `${svg.outerHTML}</svg>`
  );
}
