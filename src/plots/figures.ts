// The study's figures (docs/science.md §6) as SVG strings, drawn with Observable Plot. In Node a jsdom document
// is passed in (plots/dom-node.ts); in the browser the page's own document is used.
import * as Plot from '@observablehq/plot';
import { plot } from './plot';
import type { ExperimentResult } from '../experiments/runner';
import { cosine, windowedMedian } from '../metrics/analysis';

type Doc = Document;
const SET_COLORS = ['#d62728', '#1f77b4', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];
const LIM = 1.35;

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Break a title into lines of at most `chars` characters at spaces. */
export function wrapTitle(title: string, chars: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const w of title.split(' ')) {
    if (line && (line + ' ' + w).length > chars) {
      lines.push(line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) lines.push(line);
  return lines;
}

const TITLE_CHAR_PX = 7.6;

/** Stack a title and plot SVGs (legend, chart) vertically into one standalone SVG document; the title wraps to the charts' width. */
function compose(title: string, parts: (Element | HTMLElement | SVGSVGElement)[]): string {
  const svgs = parts.map((p) => {
    const el = p as Element;
    const svg = el.tagName.toLowerCase() === 'svg' ? el : el.querySelector('svg');
    if (!svg) throw new Error('plot produced no <svg>');
    return svg;
  });
  const width = Math.max(320, ...svgs.map((s) => Number(s.getAttribute('width') ?? 300)));
  const lines = wrapTitle(title, Math.floor((width - 16) / TITLE_CHAR_PX));
  const titleH = 10 + 18 * lines.length;
  let y = titleH;
  const inner = svgs.map((s) => {
    const h = Number(s.getAttribute('height') ?? 30);
    s.setAttribute('x', '0');
    s.setAttribute('y', String(y));
    y += h + 4;
    return s.outerHTML;
  });
  const text = lines.map((l, i) => `<text x="8" y="${19 + 18 * i}" font-size="13" font-weight="bold">${esc(l)}</text>`).join('');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y}" viewBox="0 0 ${width} ${y}" font-family="system-ui, sans-serif">` +
    `<rect width="100%" height="100%" fill="white"/>${text}${inner.join('')}</svg>`
  );
}

function setOf(label: string): number {
  return 'xyzuvwabcdefghijklmnopqrst'.indexOf(label[0]);
}

/** Which grid cell stands for the study's headline setting (lr 3e-4, lambda 0.3): the nearest in log space. */
export function headlineCell(r: ExperimentResult): number {
  let best = 0,
    bestD = Infinity;
  r.cells.forEach((c, i) => {
    const d = Math.abs(Math.log(c.lr / 3e-4)) + Math.abs(Math.log((c.l1 + 1e-9) / 0.3));
    if (d < bestD) {
      bestD = d;
      best = i;
    }
  });
  return best;
}

function featureArrows(r: ExperimentResult, extra: Record<string, unknown> = {}) {
  return r.toy.features_rotated.map((f, i) => ({ x1: 0, y1: 0, x2: f[0], y2: f[1], label: r.toy.labels[i], set: setOf(r.toy.labels[i]), ...extra }));
}

function decoderArrows(r: ExperimentResult, m: number, kind: string, extra: Record<string, unknown> = {}) {
  const s = r.saes[m];
  return (s.angles_deg ?? []).map((a) => ({ x1: 0, y1: 0, x2: Math.cos((a * Math.PI) / 180), y2: Math.sin((a * Math.PI) / 180), kind, ...extra }));
}

const frame = (extra: Partial<Plot.PlotOptions> = {}): Partial<Plot.PlotOptions> => ({
  x: { domain: [-LIM, LIM], label: null, ticks: [-1, 0, 1] },
  y: { domain: [-LIM, LIM], label: null, ticks: [-1, 0, 1] },
  style: { background: 'white' },
  ...extra,
});

/** Toy model: one arrow per input feature in the hidden plane, rotated so x1 lies on +x. */
export function toyFigure(r: ExperimentResult, document: Doc): string {
  const data = featureArrows(r);
  const title =
    r.toy.projection === 'top-2-pcs'
      ? `${r.name}: toy model features projected onto the top-2 principal components of h`
      : `${r.name}: toy model features (rotated ${r.toy.rotation_deg.toFixed(1)} deg so x1 is on +x)`;
  return compose(title, [
    plot({
      document,
      width: 440,
      height: 440,
      ...frame(),
      marks: [
        Plot.ruleX([0], { stroke: '#ddd' }),
        Plot.ruleY([0], { stroke: '#ddd' }),
        Plot.arrow(data, {
          x1: 'x1',
          y1: 'y1',
          x2: 'x2',
          y2: 'y2',
          stroke: (d: { set: number }) => SET_COLORS[d.set % SET_COLORS.length],
          strokeWidth: 2.5,
          headLength: 10,
        }),
        Plot.text(data, {
          x: (d: { x2: number }) => d.x2 * 1.13,
          y: (d: { y2: number }) => d.y2 * 1.13,
          text: 'label',
          fontSize: 14,
          fontWeight: 'bold',
          fill: (d: { set: number }) => SET_COLORS[d.set % SET_COLORS.length],
        }),
      ],
    }),
  ]);
}

/** Lowest-loss SAE of the headline cell (black) over the toy features, and every realization in small panels. */
export function overlayFigure(r: ExperimentResult, document: Doc): string {
  const cell = r.cells[headlineCell(r)];
  const order = [cell.lowest_loss, ...cell.models.filter((m) => m !== cell.lowest_loss)];
  const panel = (m: number, i: number) => (i === 0 ? `lowest loss (r${r.saes[m].realization})` : `r${r.saes[m].realization}`);
  const feats = order.flatMap((m, i) => featureArrows(r, { panel: panel(m, i) }));
  const decs = order.flatMap((m, i) => decoderArrows(r, m, 'decoder', { panel: panel(m, i), verdict: r.saes[m].verdict, loss: r.saes[m].final_loss }));
  const info = order.map((m, i) => ({
    panel: panel(m, i),
    text: `${r.saes[m].verdict}, loss ${r.saes[m].final_loss.toFixed(3)}, mono ${r.saes[m].monosemanticity.toFixed(2)}`,
  }));
  return compose(`${r.name}: SAE decoder directions (black) at lr ${cell.lr}, lambda ${cell.l1}; toy features coloured${planeNote(r)}`, [
    plot({
      document,
      width: Math.max(520, 220 * order.length),
      height: 300,
      ...frame(),
      marginTop: 30,
      fx: { label: null, domain: order.map(panel) },
      marks: [
        Plot.frame({ stroke: '#ccc' }),
        Plot.arrow(feats, {
          fx: 'panel',
          x1: 'x1',
          y1: 'y1',
          x2: 'x2',
          y2: 'y2',
          stroke: (d: { set: number }) => SET_COLORS[d.set % SET_COLORS.length],
          strokeWidth: 1.5,
          strokeOpacity: 0.6,
        }),
        Plot.arrow(decs, { fx: 'panel', x1: 'x1', y1: 'y1', x2: 'x2', y2: 'y2', stroke: 'black', strokeWidth: 2 }),
        Plot.text(info, { fx: 'panel', x: 0, y: -LIM + 0.12, text: 'text', fontSize: 10 }),
      ],
    }),
  ]);
}

/** lr (rows) x lambda (columns): toy features, lowest-loss SAE (black), most monosemantic SAE (grey). */
export function gridFigure(r: ExperimentResult, document: Doc): string {
  const lrs = [...new Set(r.cells.map((c) => c.lr))].sort((a, b) => a - b);
  const l1s = [...new Set(r.cells.map((c) => c.l1))].sort((a, b) => a - b);
  const feats = r.cells.flatMap((c) => featureArrows(r, { lr: c.lr, l1: c.l1 }));
  const mono = r.cells.flatMap((c) => decoderArrows(r, c.most_monosemantic, 'most monosemantic', { lr: c.lr, l1: c.l1 }));
  const low = r.cells.flatMap((c) => decoderArrows(r, c.lowest_loss, 'lowest loss', { lr: c.lr, l1: c.l1 }));
  const notes = r.cells.map((c) => ({
    lr: c.lr,
    l1: c.l1,
    text: `${r.saes[c.lowest_loss].verdict} | T${c.verdicts.true} C${c.verdicts.composed} M${c.verdicts.mixed}${c.converged === false ? ' *' : ''}`,
  }));
  const anyUnconverged = r.cells.some((c) => c.converged === false);
  return compose(
    `${r.name}: lowest-loss SAE (black), most monosemantic (grey); labels: lowest-loss verdict | counts T(rue) C(omposed) M(ixed)${anyUnconverged ? '; * not converged' : ''}${planeNote(r)}`,
    [
      plot({
        document,
        width: Math.max(640, 150 * l1s.length + 90),
        height: 150 * lrs.length + 70,
        ...frame({ x: { domain: [-LIM, LIM], axis: null }, y: { domain: [-LIM, LIM], axis: null } }),
        marginLeft: 70,
        marginTop: 30,
        fx: { label: 'L1 coefficient lambda', domain: l1s },
        fy: { label: 'learning rate', domain: lrs, tickFormat: (v: number) => v.toExponential(0) },
        marks: [
          Plot.frame({ stroke: '#ccc' }),
          Plot.arrow(feats, {
            fx: 'l1',
            fy: 'lr',
            x1: 'x1',
            y1: 'y1',
            x2: 'x2',
            y2: 'y2',
            stroke: (d: { set: number }) => SET_COLORS[d.set % SET_COLORS.length],
            strokeOpacity: 0.5,
            strokeWidth: 1.2,
            headLength: 5,
          }),
          Plot.arrow(mono, { fx: 'l1', fy: 'lr', x1: 'x1', y1: 'y1', x2: 'x2', y2: 'y2', stroke: '#999', strokeWidth: 3, headLength: 6 }),
          Plot.arrow(low, { fx: 'l1', fy: 'lr', x1: 'x1', y1: 'y1', x2: 'x2', y2: 'y2', stroke: 'black', strokeWidth: 1.5, headLength: 6 }),
          Plot.text(notes, { fx: 'l1', fy: 'lr', x: 0, y: -LIM + 0.15, text: 'text', fontSize: 9 }),
        ],
      }),
    ],
  );
}

function lrsOf(r: ExperimentResult): number[] {
  return [...new Set(r.saes.map((s) => s.lr))].sort((a, b) => a - b);
}

/** A small SVG colour key (Plot's continuous legends need a canvas, which Node lacks). */
function colorKey(values: number[], color: Plot.ScaleOptions, document: Doc): Element {
  return plot({
    document,
    width: 120 + 90 * values.length,
    height: 34,
    margin: 0,
    marginLeft: 110,
    color,
    x: { axis: null, domain: [-0.5, values.length - 0.5] },
    y: { axis: null, domain: [0, 1] },
    marks: [
      Plot.text(['learning rate:'], { frameAnchor: 'left', dx: -105, fontSize: 11 }),
      Plot.dot(values, { x: (_: number, i: number) => i, y: 0.5, fill: (d: number) => d, r: 6, dx: -28 }),
      Plot.text(values, { x: (_: number, i: number) => i, y: 0.5, text: (d: number) => d.toExponential(0), fontSize: 11, dx: 4, textAnchor: 'start' as const }),
    ],
  });
}

/** Step tick labels: 0, 500, 1k, 2.5k, 125k (d3's ~s writes 0 as "0k" next to k ticks). */
export const stepTick = (v: number) => (Math.abs(v) >= 1000 ? `${Number((v / 1000).toPrecision(3))}k` : String(Number(v.toPrecision(3))));

/** Window of the robust trend: about 1/15 of the logged points, at least 3. */
export const trendWindow = (points: number) => Math.max(3, Math.round(points / 15));

/**
 * Training loss of every SAE, one panel per lambda, coloured by learning rate: the raw logged values faint,
 * their trailing windowed median bold (single batches with a near-zero |h| spike the per-sample FVU by
 * orders of magnitude), and at the last step the evaluation's batch-FVU selection loss (open circles).
 * The y range follows the medians; raw spikes beyond it are clipped.
 */
export function lossFigure(r: ExperimentResult, document: Doc): string {
  const w = trendWindow(r.curves.step.length);
  const raw: { step: number; loss: number; lr: number; l1: number; id: number }[] = [];
  const trend: typeof raw = [];
  for (const s of r.saes) {
    const vals = r.curves.total[s.index] ?? [];
    const med = windowedMedian(vals, w);
    r.curves.step.forEach((t, i) => {
      if (Number.isFinite(vals[i]) && vals[i] > 0) raw.push({ step: t, loss: vals[i], lr: s.lr, l1: s.l1, id: s.index });
      if (Number.isFinite(med[i]) && med[i] > 0) trend.push({ step: t, loss: med[i], lr: s.lr, l1: s.l1, id: s.index });
    });
  }
  const lastStep = r.curves.step[r.curves.step.length - 1] ?? 0;
  const batch = r.saes
    .filter((s) => Number.isFinite(s.final_loss_batch) && s.final_loss_batch > 0)
    .map((s) => ({ step: lastStep, loss: s.final_loss_batch, lr: s.lr, l1: s.l1 }));
  const lo = Math.min(...trend.map((d) => d.loss), ...batch.map((d) => d.loss)),
    hi = Math.max(...trend.map((d) => d.loss), ...batch.map((d) => d.loss));
  const domain = Number.isFinite(lo) && Number.isFinite(hi) ? [lo / 1.5, hi * 3] : undefined;
  const l1s = [...new Set(r.saes.map((s) => s.l1))].sort((a, b) => a - b);
  const color = { type: 'log' as const, scheme: 'viridis' as const, label: 'learning rate (colour)' };
  return compose(
    `${r.name}: SAE training loss (FVU + L1 + ghost + penalty, before each update), coloured by learning rate; bold: median of the last ${w} logged values, faint: raw values; circles: batch-FVU selection loss on fresh samples at the end`,
    [
      colorKey(lrsOf(r), color, document),
      plot({
        ...lossPanel(document, l1s, color, 300, 'total loss', domain),
        marks: [
          Plot.line(raw, { fx: 'l1', x: 'step', y: 'loss', z: 'id', stroke: 'lr', strokeWidth: 0.6, strokeOpacity: 0.18, clip: true }),
          Plot.line(trend, { fx: 'l1', x: 'step', y: 'loss', z: 'id', stroke: 'lr', strokeWidth: 1.4, strokeOpacity: 0.9, clip: true }),
          Plot.dot(batch, { fx: 'l1', x: 'step', y: 'loss', stroke: 'lr', r: 3.5, strokeWidth: 1.2 }),
        ],
      }),
      ...evalCurvePlot(r, l1s, color, document),
    ],
  );
}

/** The frame shared by the loss figures' panels: one facet per L1 coefficient, log loss over steps, coloured by lr. */
function lossPanel(document: Doc, l1s: number[], color: Plot.ScaleOptions, height: number, yLabel: string, domain: number[] | undefined): Plot.PlotOptions {
  return {
    document,
    width: Math.max(640, 220 * l1s.length),
    height,
    marginTop: 30,
    marginLeft: 56,
    style: { background: 'white' },
    y: { type: 'log', label: yLabel, grid: true, domain, tickFormat: '~g' },
    x: { label: 'step', tickFormat: stepTick },
    color,
    fx: { label: 'L1 coefficient lambda', domain: l1s },
  };
}

/** The second row of losses.svg: selection losses of the parameters during training on fresh samples (batch FVU solid, per-sample FVU dotted). */
function evalCurvePlot(r: ExperimentResult, l1s: number[], color: Plot.ScaleOptions, document: Doc): Element[] {
  const ev = r.curves.eval;
  if (!ev?.step.length) return [];
  const rows = (which: 'batch' | 'per_sample') =>
    r.saes
      .flatMap((s) => ev.step.map((t, i) => ({ step: t, loss: ev[which][s.index]?.[i], lr: s.lr, l1: s.l1, id: s.index })))
      .filter((d) => Number.isFinite(d.loss) && d.loss > 0);
  const batch = rows('batch'),
    perSample = rows('per_sample');
  const lo = Math.min(...batch.map((d) => d.loss)),
    hi = Math.max(...batch.map((d) => d.loss));
  const domain = Number.isFinite(lo) && Number.isFinite(hi) ? [lo / 1.5, hi * 3] : undefined;
  const title = plot({
    document,
    width: Math.max(640, 220 * l1s.length),
    height: 34,
    margin: 0,
    x: { axis: null, domain: [0, 1] },
    y: { axis: null, domain: [0, 1] },
    marks: [
      Plot.text(
        [
          `Below: selection losses of the parameters during training on fresh samples (${ev.step.length} evaluations): batch FVU + L1 (solid), the study's per-sample FVU + L1 (dotted; spikes clipped)`,
        ],
        { frameAnchor: 'top-left', dx: 8, dy: 4, fontSize: 11, lineWidth: (Math.max(640, 220 * l1s.length) - 16) / 11 },
      ),
    ],
  });
  return [
    title,
    plot({
      ...lossPanel(document, l1s, color, 260, 'selection loss', domain),
      marks: [
        Plot.line(perSample, { fx: 'l1', x: 'step', y: 'loss', z: 'id', stroke: 'lr', strokeWidth: 1, strokeOpacity: 0.5, strokeDasharray: '2,3', clip: true }),
        Plot.line(batch, { fx: 'l1', x: 'step', y: 'loss', z: 'id', stroke: 'lr', strokeWidth: 1.4, strokeOpacity: 0.9, clip: true }),
      ],
    }),
  ];
}

function planeNote(r: ExperimentResult): string {
  return r.toy.projection === 'top-2-pcs' ? ' [unit arrows in the plane of the top-2 principal components of h]' : '';
}

/** The heat map's diverging colours: -1 blue, 0 near-white, +1 red (explicit, so the key cannot drift from the fills). */
export const HEAT = { neg: '#2166ac', mid: '#f7f7f7', pos: '#b2182b' };
const heatColor = { type: 'linear' as const, domain: [-1, 0, 1], range: [HEAT.neg, HEAT.mid, HEAT.pos], interpolate: 'rgb' as const };
/** Text on a heat-map cell: white on the dark ends of the scale, black elsewhere. */
export const heatTextColor = (cos: number) => (Math.abs(cos) > 0.6 ? 'white' : 'black');

/** Cosine between every true feature (rows) and every latent's decoder direction (columns), lowest-loss SAE of the headline cell. */
export function heatmapFigure(r: ExperimentResult, document: Doc): string {
  const cell = r.cells[headlineCell(r)];
  const s = r.saes[cell.lowest_loss];
  const rows = r.toy.W.flatMap((w, i) => s.decoder.map((d, k) => ({ feature: r.toy.labels[i], latent: `L${k}`, cos: cosine(w, d), kind: s.latents[k].kind })));
  const small = rows.length <= 96;
  const cw = small ? 46 : 22,
    ch = small ? 30 : 16;
  const ml = 60,
    mr = 10,
    mt = 10,
    mb = 40;
  const swatches = [-1, -0.5, 0, 0.5, 1].map((v, i) => ({ v, i }));
  const key = plot({
    document,
    width: 260,
    height: 30,
    margin: 0,
    marginLeft: 40,
    marginRight: 5,
    x: { axis: null, domain: [0, 5] },
    y: { axis: null, domain: [0, 1] },
    color: heatColor,
    marks: [
      Plot.text(['key'], { frameAnchor: 'left', dx: -36, fontSize: 11 }),
      Plot.rect(swatches, { x1: 'i', x2: (d: { i: number }) => d.i + 0.92, y1: 0.1, y2: 0.9, fill: 'v' }),
      Plot.text(swatches, {
        x: (d: { i: number }) => d.i + 0.46,
        y: 0.5,
        text: (d: { v: number }) => (d.v > 0 ? `+${d.v}` : String(d.v)),
        fill: (d: { v: number }) => heatTextColor(d.v),
        fontSize: 10,
      }),
    ],
  });
  return compose(`${r.name}: cos(true feature, decoder direction), lowest-loss SAE at lr ${cell.lr}, lambda ${cell.l1} (${s.verdict}); red +1, blue -1`, [
    key,
    plot({
      document,
      width: ml + mr + cw * s.decoder.length,
      height: mt + mb + ch * r.toy.W.length,
      marginLeft: ml,
      marginRight: mr,
      marginTop: mt,
      marginBottom: mb,
      style: { background: 'white' },
      x: { label: 'latent (decoder direction)', domain: s.decoder.map((_, k) => `L${k}`) },
      y: { label: 'true feature', domain: r.toy.labels },
      color: heatColor,
      marks: [
        Plot.cell(rows, { x: 'latent', y: 'feature', fill: 'cos', inset: 0.5 }),
        ...(small
          ? [
              Plot.text(rows, {
                x: 'latent',
                y: 'feature',
                text: (d: { cos: number }) => d.cos.toFixed(2),
                fill: (d: { cos: number }) => heatTextColor(d.cos),
                fontSize: 10,
              }),
            ]
          : []),
      ],
    }),
  ]);
}

export interface FigureSet {
  [file: string]: string;
}

export function experimentFigures(r: ExperimentResult, document: Doc): FigureSet {
  return {
    'toy.svg': toyFigure(r, document),
    'sae-overlay.svg': overlayFigure(r, document),
    'grid.svg': gridFigure(r, document),
    'heatmap.svg': heatmapFigure(r, document),
    'losses.svg': lossFigure(r, document),
  };
}
