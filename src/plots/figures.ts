// The study's figures (docs/science.md §6) as SVG strings, drawn with Observable Plot. In Node a jsdom document
// is passed in (plots/dom-node.ts); in the browser the page's own document is used.
import * as Plot from '@observablehq/plot';
import { gramFigure } from './gram';
import { plot, wrapTitle } from './plot';

export { wrapTitle };
import type { ExperimentResult } from '../results/schema';
import { referenceProblem } from '../results/stored';
import { cosine, windowedMedian } from '../metrics/analysis';

type Doc = Document;
/** Okabe-Ito colours (colour-blind safe), without the yellow that vanishes on white: feature sets. */
export const SET_COLORS = ['#D55E00', '#0072B2', '#009E73', '#CC79A7', '#E69F00', '#56B4E9'];
/** Learning-rate colours of the loss figures: Okabe-Ito, no yellow, dark enough on white. */
export const LR_COLORS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#000000', '#E69F00', '#56B4E9'];
/** Decoder arrows in the grids: the lowest-loss SAE dark and bold, the most monosemantic light and thin. */
export const ARROW = { lowest: { stroke: '#111', width: 2.4 }, mono: { stroke: '#9a9a9a', width: 1 }, dead: '3,2' };
const LIM = 1.35;
/** fx / fy padding of the vector panels (Plot: paddingInner; facets have no outer padding). */
const FACET_PAD = 0.1;
/** Range (px) that n facets of `panel` px each need (d3 band: step = range / max(1, n - pad), band = step (1 - pad)). */
export const facetRange = (n: number, panel: number) => (panel * Math.max(1, n - FACET_PAD)) / (1 - FACET_PAD);

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

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

function featureArrows<E extends object>(r: ExperimentResult, extra: E = {} as E) {
  return r.toy.features_rotated.map((f, i) => ({ x1: 0, y1: 0, x2: f[0], y2: f[1], label: r.toy.labels[i], set: setOf(r.toy.labels[i]), ...extra }));
}

function decoderArrows<E extends object>(r: ExperimentResult, m: number, kind: string, extra: E = {} as E) {
  const s = r.saes[m];
  return (s.angles_deg ?? []).map((a, k) => ({
    x1: 0,
    y1: 0,
    x2: Math.cos((a * Math.PI) / 180),
    y2: Math.sin((a * Math.PI) / 180),
    kind,
    dead: s.latents?.[k]?.kind === 'dead',
    ...extra,
  }));
}

/** Faint guide rays along the composed directions (the occurring normalised sums of one feature per set). */
function composedRays<E extends object>(r: ExperimentResult, extra: E = {} as E) {
  return (r.composed ?? []).map((c) => rayTo(c.dir_rotated, { label: c.label, ...extra }));
}

/** The note a figure carries when the toy model fails the guards (cross-set pairs, degenerate composed directions). */
export function flagNote(r: ExperimentResult): string {
  const v = r.toy.validity;
  return v && !v.valid ? ` -- TOY MODEL FLAGGED, verdicts not the study's kind: ${v.notes.join('; ')}` : '';
}

/** Legend of the vector figures: feature sets, the SAE arrows, dead latents, composed guide rays. */
function arrowKey(r: ExperimentResult, document: Doc, items: ('lowest' | 'mono' | 'decoder')[]): Element {
  const sets = [...new Set(r.toy.labels.map(setOf))];
  type Item = { text: string; stroke: string; width: number; dash?: string };
  const entries: Item[] = [
    ...sets.map((j) => ({ text: `toy features, ${'xyzuvwabcdefghijklmnopqrst'[j] ?? j} set`, stroke: SET_COLORS[j % SET_COLORS.length], width: 2 })),
    ...items.map((k) =>
      k === 'lowest'
        ? { text: 'lowest-loss SAE', stroke: ARROW.lowest.stroke, width: ARROW.lowest.width }
        : k === 'mono'
          ? { text: 'most monosemantic SAE', stroke: ARROW.mono.stroke, width: ARROW.mono.width }
          : { text: 'SAE decoder', stroke: ARROW.lowest.stroke, width: 2 },
    ),
    { text: 'dead latent (dashed)', stroke: '#555', width: 1.2, dash: ARROW.dead },
    { text: 'composed directions', stroke: '#bbb', width: 1, dash: '1,3' },
  ];
  const perRow = 4,
    colW = 180;
  const rows = Math.ceil(entries.length / perRow);
  const at = entries.map((e, i) => ({ ...e, col: i % perRow, row: Math.floor(i / perRow) }));
  return plot({
    document,
    width: colW * perRow + 20,
    height: 18 * rows + 8,
    margin: 0,
    x: { axis: null, domain: [0, colW * perRow + 20] },
    y: { axis: null, domain: [18 * rows + 8, 0] },
    marks: [
      ...at.map((e) =>
        Plot.arrow([e], {
          x1: (d: typeof e) => 10 + d.col * colW,
          x2: (d: typeof e) => 38 + d.col * colW,
          y1: (d: typeof e) => 13 + 18 * d.row,
          y2: (d: typeof e) => 13 + 18 * d.row,
          stroke: e.stroke,
          strokeWidth: e.width,
          strokeDasharray: e.dash,
          headLength: 5,
        }),
      ),
      Plot.text(at, {
        x: (d: (typeof at)[number]) => 44 + d.col * colW,
        y: (d: (typeof at)[number]) => 13 + 18 * d.row,
        text: 'text',
        textAnchor: 'start',
        fontSize: 11,
      }),
    ],
  });
}

const frame = (extra: Partial<Plot.PlotOptions> = {}): Partial<Plot.PlotOptions> => ({
  x: { domain: [-LIM, LIM], label: null, ticks: [-1, 0, 1] },
  y: { domain: [-LIM, LIM], label: null, ticks: [-1, 0, 1] },
  style: { background: 'white' },
  ...extra,
});

/** Half the size of a toy-figure label in plot units (bold 14 px, two or three characters; 1 unit is about 140 px). */
export const LABEL_BOX = { w: 0.13, h: 0.075 };

/**
 * Where the toy figure writes each feature's label: just past its arrow's tip, moved out of the way where two
 * labels would overlap (in the top-2-PC projection the features of a third set project near the centre, and
 * their labels fell on one spot). A label that collides is tried on rings of growing radius around its spot,
 * eight positions each, in a fixed order (deterministic), inside the plot.
 */
export function labelPositions(tips: number[][], box = LABEL_BOX, lim = LIM): { x: number; y: number }[] {
  const placed: { x: number; y: number }[] = [];
  const apart = (x: number, y: number) => placed.every((p) => Math.abs(p.x - x) >= 2 * box.w || Math.abs(p.y - y) >= 2 * box.h);
  // a moved label must also stay inside the plot (a label left where it was stays, as before)
  const free = (x: number, y: number) => Math.abs(x) <= lim - box.w && Math.abs(y) <= lim - box.h && apart(x, y);
  for (const [tx, ty] of tips) {
    const x0 = tx * 1.13,
      y0 = ty * 1.13;
    let at = { x: x0, y: y0 };
    if (!apart(x0, y0))
      search: for (let ring = 1; ring <= 12; ring++)
        for (let k = 0; k < 8; k++) {
          const a = -Math.PI / 2 + (k * Math.PI) / 4; // below first, then round
          const x = x0 + ring * 2 * box.w * Math.cos(a),
            y = y0 + ring * 2 * box.h * Math.sin(a);
          if (free(x, y)) {
            at = { x, y };
            break search;
          }
        }
    placed.push(at);
  }
  return placed;
}

/** Toy model: one arrow per input feature in the hidden plane, rotated so x1 lies on +x. */
export function toyFigure(r: ExperimentResult, document: Doc): string {
  const arrows = featureArrows(r);
  const spots = labelPositions(arrows.map((d) => [d.x2, d.y2]));
  const data = arrows.map((d, i) => ({ ...d, lx: spots[i].x, ly: spots[i].y }));
  const title =
    r.toy.projection === 'top-2-pcs'
      ? `${r.name}: toy model features projected onto the top-2 principal components of h`
      : `${r.name}: toy model features (rotated ${r.toy.rotation_deg.toFixed(1)} deg so x1 is on +x)`;
  return compose(title + flagNote(r), [
    plot({
      document,
      // equal margins: the plot area is square, so angles are true
      width: 440,
      height: 440,
      margin: 30,
      ...frame(),
      marks: [
        Plot.ruleX([0], { stroke: '#ddd' }),
        Plot.ruleY([0], { stroke: '#ddd' }),
        Plot.link(composedRays(r), { x1: 'x1', y1: 'y1', x2: 'x2', y2: 'y2', stroke: '#bbb', strokeWidth: 1, strokeDasharray: '1,3' }),
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
          x: 'lx',
          y: 'ly',
          text: 'label',
          fontSize: 14,
          fontWeight: 'bold',
          fill: (d: { set: number }) => SET_COLORS[d.set % SET_COLORS.length],
        }),
      ],
    }),
  ]);
}

/** A loss with three significant digits: 0.0123, 4.56e-5, 1.23 (never "0.000"). */
export const formatLoss = (v: number) =>
  !Number.isFinite(v) || v === 0 ? String(v) : Math.abs(v) < 1e-3 ? v.toExponential(2) : String(Number(v.toPrecision(3)));

/** Lowest-loss SAE of the headline cell (black) over the toy features, and every realization in small panels. */
export function overlayFigure(r: ExperimentResult, document: Doc): string {
  const cell = r.cells[headlineCell(r)];
  const order = [cell.lowest_loss, ...cell.models.filter((m) => m !== cell.lowest_loss)];
  const panel = (m: number, i: number) => (i === 0 ? `lowest loss (r${r.saes[m].realization})` : `r${r.saes[m].realization}`);
  const feats = order.flatMap((m, i) => featureArrows(r, { panel: panel(m, i) }));
  const decs = order.flatMap((m, i) => decoderArrows(r, m, 'decoder', { panel: panel(m, i), verdict: r.saes[m].verdict, loss: r.saes[m].final_loss }));
  const info = order.map((m, i) => ({
    panel: panel(m, i),
    // significant digits: a converged selection loss is often below 5e-4 (toFixed(3) printed "loss 0.000")
    text: `${r.saes[m].verdict}, loss ${formatLoss(r.saes[m].final_loss)}, mono ${r.saes[m].monosemanticity.toFixed(2)}`,
  }));
  const P = 200,
    mt = 30,
    mb = 20,
    ml = 20,
    mr = 20;
  const live = decs.filter((d) => !d.dead),
    dead = decs.filter((d) => d.dead);
  return compose(
    `${r.name}: SAE decoder directions (black; dashed: dead latents) at lr ${cell.lr}, lambda ${cell.l1}; toy features coloured; dotted grey: composed directions${planeNote(r)}${flagNote(r)}`,
    [
      arrowKey(r, document, ['decoder']),
      plot({
        document,
        width: ml + mr + facetRange(order.length, P),
        height: mt + mb + P,
        marginTop: mt,
        marginBottom: mb,
        marginLeft: ml,
        marginRight: mr,
        ...frame({ x: { domain: [-LIM, LIM], axis: null }, y: { domain: [-LIM, LIM], axis: null } }),
        fx: { label: null, domain: order.map(panel), padding: FACET_PAD, round: false },
        marks: [
          Plot.frame({ stroke: '#ccc' }),
          Plot.link(
            order.flatMap((m, i) => composedRays(r, { panel: panel(m, i) })),
            { fx: 'panel', x1: 'x1', y1: 'y1', x2: 'x2', y2: 'y2', stroke: '#bbb', strokeWidth: 1, strokeDasharray: '1,3' },
          ),
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
          Plot.arrow(dead, { fx: 'panel', x1: 'x1', y1: 'y1', x2: 'x2', y2: 'y2', stroke: '#555', strokeWidth: 1.2, strokeDasharray: ARROW.dead }),
          Plot.arrow(live, { fx: 'panel', x1: 'x1', y1: 'y1', x2: 'x2', y2: 'y2', stroke: 'black', strokeWidth: 2 }),
          Plot.text(info, { fx: 'panel', x: 0, y: -LIM + 0.12, text: 'text', fontSize: 10 }),
        ],
      }),
    ],
  );
}

/** An arrow from the origin in a decoder grid cell (or any facet field the marks name). */
export interface CellArrow {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  lr: number;
  l1: number;
  [k: string]: unknown;
}
/** One layer of SAE arrows in a decoder grid, drawn in order (later on top). */
export interface ArrowLayer {
  data: CellArrow[];
  stroke: string | ((d: CellArrow) => string);
  width: number;
  head: number;
  dash?: string;
}

/**
 * The lr (rows) x lambda (columns) facet grid of 2-D directions that both the grid figure and the app's live
 * grid draw: per cell the toy features (coloured by set), faint composed rays, the SAE arrow layers and a
 * note; square panels of `panel` px so angles are true.
 */
export function decoderGrid(o: {
  lrs: number[];
  l1s: number[];
  feats: (CellArrow & { set: number })[];
  rays: CellArrow[];
  layers: ArrowLayer[];
  notes: { lr: number; l1: number; text: string }[];
  panel?: number;
  document?: Doc;
}): Element {
  const P = o.panel ?? 140,
    ml = 70,
    mr = 20,
    mt = 46,
    mb = 10;
  const xy = { x1: 'x1', y1: 'y1', x2: 'x2', y2: 'y2', fx: 'l1', fy: 'lr' } as const;
  return plot({
    document: o.document,
    width: ml + mr + facetRange(o.l1s.length, P),
    height: mt + mb + facetRange(o.lrs.length, P),
    ...frame({ x: { domain: [-LIM, LIM], axis: null }, y: { domain: [-LIM, LIM], axis: null } }),
    marginLeft: ml,
    marginRight: mr,
    marginTop: mt,
    marginBottom: mb,
    fx: { label: 'L1 coefficient lambda', domain: o.l1s, padding: FACET_PAD, round: false, axis: 'top', labelAnchor: 'left' },
    fy: { label: 'learning rate', domain: o.lrs, tickFormat: (v: number) => v.toExponential(0), padding: FACET_PAD, round: false },
    marks: [
      Plot.frame({ stroke: '#ccc' }),
      Plot.link(o.rays, { ...xy, stroke: '#bbb', strokeWidth: 1, strokeDasharray: '1,3' }),
      Plot.arrow(o.feats, {
        ...xy,
        stroke: (d: { set: number }) => SET_COLORS[d.set % SET_COLORS.length],
        strokeOpacity: 0.5,
        strokeWidth: 1.2,
        headLength: 5,
      }),
      ...o.layers.map((l) => Plot.arrow(l.data, { ...xy, stroke: l.stroke, strokeWidth: l.width, strokeDasharray: l.dash, headLength: l.head })),
      Plot.text(o.notes, { fx: 'l1', fy: 'lr', x: 0, y: -LIM + 0.15, text: 'text', fontSize: 9 }),
    ],
  });
}

/** Composed-direction rays for a decoder grid cell: `dir` (any length) scaled to the panel's edge. */
export function rayTo<E extends object>(dir: number[], extra: E = {} as E) {
  const n = Math.hypot(dir[0], dir[1]) || 1;
  return { x1: 0, y1: 0, x2: (dir[0] / n) * LIM * 0.95, y2: (dir[1] / n) * LIM * 0.95, ...extra };
}

/** lr (rows) x lambda (columns): toy features, lowest-loss SAE (black), most monosemantic SAE (grey). */
export function gridFigure(r: ExperimentResult, document: Doc): string {
  const lrs = [...new Set(r.cells.map((c) => c.lr))].sort((a, b) => a - b);
  const l1s = [...new Set(r.cells.map((c) => c.l1))].sort((a, b) => a - b);
  const at = (c: { lr: number; l1: number }) => ({ lr: c.lr, l1: c.l1 });
  const feats = r.cells.flatMap((c) => featureArrows(r, at(c)));
  const rays = r.cells.flatMap((c) => composedRays(r, at(c)));
  const mono = r.cells.flatMap((c) => decoderArrows(r, c.most_monosemantic, 'most monosemantic', at(c)));
  const low = r.cells.flatMap((c) => decoderArrows(r, c.lowest_loss, 'lowest loss', at(c)));
  const notes = r.cells.map((c) => ({
    lr: c.lr,
    l1: c.l1,
    text: `${r.saes[c.lowest_loss].verdict} | T${c.verdicts.true} C${c.verdicts.composed} M${c.verdicts.mixed} P${c.verdicts.partial ?? 0}${c.converged === false ? ' *' : ''}`,
  }));
  const anyUnconverged = r.cells.some((c) => c.converged === false);
  return compose(
    `${r.name}: lowest-loss SAE (dark, bold), most monosemantic (light, thin), dead latents dashed; labels: lowest-loss verdict | counts T(rue) C(omposed) M(ixed) P(artial) (matched recovery)${anyUnconverged ? '; * not converged' : ''}${planeNote(r)}${flagNote(r)}`,
    [
      arrowKey(r, document, ['lowest', 'mono']),
      decoderGrid({
        document,
        lrs,
        l1s,
        feats,
        rays,
        notes,
        // light and thin below, dark and bold on top: the lowest-loss SAE is the one that reads first
        layers: [
          { data: mono.filter((d) => d.dead), stroke: ARROW.mono.stroke, width: ARROW.mono.width, dash: ARROW.dead, head: 4 },
          { data: mono.filter((d) => !d.dead), stroke: ARROW.mono.stroke, width: ARROW.mono.width, head: 4 },
          { data: low.filter((d) => d.dead), stroke: ARROW.lowest.stroke, width: 1.2, dash: ARROW.dead, head: 6 },
          { data: low.filter((d) => !d.dead), stroke: ARROW.lowest.stroke, width: ARROW.lowest.width, head: 6 },
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

/** Points above the top of a log-y panel's domain, one marker per (lambda, step): where a curve is clipped. */
export function clippedMarks(
  points: { step: number; loss: number; l1: number }[],
  top: number | undefined,
): { step: number; l1: number; y: number; n: number }[] {
  if (top === undefined) return [];
  const at = new Map<string, { step: number; l1: number; y: number; n: number }>();
  for (const p of points)
    if (p.loss > top) {
      const key = `${p.l1}|${p.step}`;
      const e = at.get(key) ?? { step: p.step, l1: p.l1, y: top, n: 0 };
      e.n++;
      at.set(key, e);
    }
  return [...at.values()];
}

/** The lowest-loss pick of every cell (under the experiment's selection rule). */
const pickSet = (r: ExperimentResult) => new Set(r.cells.map((c) => c.lowest_loss));

/** Per step, the median over several curves (NaN where none has a value). */
function medianCurve(curves: number[][], steps: number): number[] {
  return Array.from({ length: steps }, (_, i) => {
    const v = curves.map((c) => c[i]).filter((x) => Number.isFinite(x) && x > 0);
    if (!v.length) return Number.NaN;
    v.sort((a, b) => a - b);
    const h = v.length >> 1;
    return v.length % 2 ? v[h] : (v[h - 1] + v[h]) / 2;
  });
}

/**
 * Training loss, one panel per lambda, coloured by learning rate (colour-blind-safe palette): bold, one curve per
 * grid cell, the median over its realizations of each SAE's trailing windowed median; thin and faint, each SAE's
 * windowed median; at the last step the evaluation's batch-FVU selection loss (circles; filled: each cell's
 * lowest-loss pick). The raw logged values are not drawn: single batches holding a sample with |h| near 0 spike
 * the per-sample FVU by orders of magnitude, and 125 raw curves with their spikes hid the trends (results.json
 * keeps them, curves.total).
 */
export function lossFigure(r: ExperimentResult, document: Doc): string {
  const w = trendWindow(r.curves.step.length);
  const picks = pickSet(r);
  const steps = r.curves.step.length;
  const trend: { step: number; loss: number; lr: number; l1: number; id: number }[] = [];
  const medians = new Map<number, number[]>();
  for (const s of r.saes) {
    const med = windowedMedian(r.curves.total[s.index] ?? [], w);
    medians.set(s.index, med);
    r.curves.step.forEach((t, i) => {
      if (Number.isFinite(med[i]) && med[i] > 0) trend.push({ step: t, loss: med[i], lr: s.lr, l1: s.l1, id: s.index });
    });
  }
  const cellTrend: { step: number; loss: number; lr: number; l1: number; cell: number }[] = [];
  r.cells.forEach((c, ci) => {
    const med = medianCurve(
      c.models.map((m) => medians.get(m) ?? []),
      steps,
    );
    r.curves.step.forEach((t, i) => {
      if (Number.isFinite(med[i])) cellTrend.push({ step: t, loss: med[i], lr: c.lr, l1: c.l1, cell: ci });
    });
  });
  const lastStep = r.curves.step[steps - 1] ?? 0;
  const batch = r.saes
    .map((s) => ({ step: lastStep, loss: s.final_loss_batch ?? Number.NaN, lr: s.lr, l1: s.l1, pick: picks.has(s.index) }))
    .filter((d) => Number.isFinite(d.loss) && d.loss > 0);
  const lo = Math.min(...trend.map((d) => d.loss), ...batch.map((d) => d.loss)),
    hi = Math.max(...trend.map((d) => d.loss), ...batch.map((d) => d.loss));
  const domain = Number.isFinite(lo) && Number.isFinite(hi) ? [lo / 1.5, hi * 1.5] : undefined;
  const l1s = [...new Set(r.saes.map((s) => s.l1))].sort((a, b) => a - b);
  const lrs = lrsOf(r);
  const color = { type: 'ordinal' as const, domain: lrs, range: LR_COLORS.slice(0, Math.max(1, lrs.length)), label: 'learning rate (colour)' };
  const per = Math.max(...r.cells.map((c) => c.models.length), 1);
  return compose(
    `${r.name}: SAE training loss (FVU + L1 + ghost + penalty, before each update), coloured by learning rate; bold: per grid cell the median over its ${per} realization(s) of each SAE's median of the last ${w} logged values; thin: each SAE's; raw logged values not drawn (single batches spike the per-sample FVU; results.json curves.total); circles: batch-FVU selection loss on fresh samples at the end, filled: each cell's lowest-loss pick`,
    [
      colorKey(lrs, color, document),
      plot({
        ...lossPanel(document, l1s, color, 300, 'total loss', domain),
        marks: [
          Plot.line(trend, { fx: 'l1', x: 'step', y: 'loss', z: 'id', stroke: 'lr', strokeWidth: 0.7, strokeOpacity: 0.3, clip: true }),
          Plot.line(cellTrend, { fx: 'l1', x: 'step', y: 'loss', z: 'cell', stroke: 'lr', strokeWidth: 2.2, strokeOpacity: 1, clip: true }),
          Plot.dot(
            batch.filter((d) => !d.pick),
            { fx: 'l1', x: 'step', y: 'loss', stroke: 'lr', r: 3.5, strokeWidth: 1.2 },
          ),
          Plot.dot(
            batch.filter((d) => d.pick),
            { fx: 'l1', x: 'step', y: 'loss', fill: 'lr', stroke: 'black', r: 4, strokeWidth: 0.8 },
          ),
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
  // per grid cell the median over its realizations (one curve per learning rate and panel, as above)
  const rows = (which: 'batch' | 'per_sample') =>
    r.cells
      .flatMap((c, ci) => {
        const med = medianCurve(
          c.models.map((m) => ev[which][m] ?? []),
          ev.step.length,
        );
        return ev.step.map((t, i) => ({ step: t, loss: med[i], lr: c.lr, l1: c.l1, id: ci }));
      })
      .filter((d) => Number.isFinite(d.loss) && d.loss > 0);
  const batch = rows('batch'),
    perSample = rows('per_sample');
  const lo = Math.min(...batch.map((d) => d.loss)),
    hi = Math.max(...batch.map((d) => d.loss));
  const domain = Number.isFinite(lo) && Number.isFinite(hi) ? [lo / 1.5, hi * 3] : undefined;
  const clipped = clippedMarks(perSample, domain?.[1]);
  const title = plot({
    document,
    width: Math.max(640, 220 * l1s.length),
    height: 52, // up to three lines of text
    margin: 0,
    x: { axis: null, domain: [0, 1] },
    y: { axis: null, domain: [0, 1] },
    marks: [
      Plot.text(
        [
          `Below: selection losses of the parameters during training on fresh samples (${ev.step.length} evaluations), per grid cell the median over its realizations: batch FVU + L1 (solid), the study's per-sample FVU + L1 (dotted)${clipped.length ? `; the per-sample curves are clipped above the y range at ${clipped.length} evaluations (triangles at the top)` : '; nothing clipped'}`,
        ],
        // lineWidth in ems: Plot's width estimate runs ~15 % narrower than Chromium's rendering (a line was cut off in the PNG)
        { frameAnchor: 'top-left', dx: 8, dy: 4, fontSize: 11, lineWidth: (0.85 * (Math.max(640, 220 * l1s.length) - 16)) / 11 },
      ),
    ],
  });
  return [
    title,
    plot({
      ...lossPanel(document, l1s, color, 260, 'selection loss', domain),
      marks: [
        Plot.line(perSample, {
          fx: 'l1',
          x: 'step',
          y: 'loss',
          z: 'id',
          stroke: 'lr',
          strokeWidth: 1.2,
          strokeOpacity: 0.7,
          strokeDasharray: '2,3',
          clip: true,
        }),
        Plot.line(batch, { fx: 'l1', x: 'step', y: 'loss', z: 'id', stroke: 'lr', strokeWidth: 1.8, strokeOpacity: 0.95, clip: true }),
        Plot.dot(clipped, { fx: 'l1', x: 'step', y: 'y', symbol: 'triangle', r: 2.5, fill: '#555', dy: 3 }),
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

/** Okabe-Ito colours of the optimality-gap figure (readable in colour-blind vision): true basis, composed basis. */
export const GAP_COLORS = { true: '#0072B2', composed: '#D55E00', learned: 'black' };

/**
 * gap.svg (config.optimality_gap): per cell, the best learned SAE's selection loss beside the two reference SAEs'
 * (decoder fixed to the true / composed directions), one panel per L1 coefficient, learning rate on x. Hollow:
 * not converged or diverged. null when the experiment has no reference SAEs.
 */
export function gapFigure(r: ExperimentResult, document: Doc): string | null {
  const cells = r.cells.filter((c) => c.reference);
  if (!cells.length) return null;
  const pts: { lr: number; l1: number; loss: number; kind: string; ok: boolean }[] = [];
  for (const c of cells) {
    const live = c.models.filter((m) => r.saes[m].diverged === null);
    if (live.length)
      pts.push({ lr: c.lr, l1: c.l1, loss: Math.min(...live.map((m) => r.saes[m].final_loss)), kind: 'best learned SAE', ok: c.converged !== false });
    for (const b of ['true', 'composed'] as const) {
      const x = c.reference![b];
      pts.push({ lr: c.lr, l1: c.l1, loss: x.final_loss, kind: `fixed ${b} decoder`, ok: !referenceProblem(x) });
    }
  }
  const shown = pts.filter((d) => Number.isFinite(d.loss) && d.loss > 0);
  const l1s = [...new Set(cells.map((c) => c.l1))].sort((a, b) => a - b);
  const kinds = ['best learned SAE', 'fixed true decoder', 'fixed composed decoder'];
  const color = { type: 'ordinal' as const, domain: kinds, range: [GAP_COLORS.learned, GAP_COLORS.true, GAP_COLORS.composed] };
  const symbol = { type: 'ordinal' as const, domain: kinds, range: ['circle', 'triangle', 'square'] };
  const mark = (ok: boolean) =>
    Plot.dot(
      shown.filter((d) => d.ok === ok),
      {
        fx: 'l1',
        x: 'lr',
        y: 'loss',
        symbol: 'kind',
        r: 4.5,
        strokeWidth: 1.5,
        ...(ok ? { fill: 'kind', stroke: 'kind' } : { stroke: 'kind', fill: 'white' }),
      },
    );
  return compose(
    `${r.name}: optimality gap per grid cell -- selection loss (per-sample FVU + L1) on the evaluation samples of the best learned SAE (black circle) and of two reference SAEs whose decoder is fixed to the true directions (blue triangle) or to the composed ones (orange square), encoder and biases trained at the cell's budget; hollow: not converged or diverged (a reference also when it ends above the all-off code's loss of 1). A reference below the black circle is a dictionary training did not find; triangle against square is what the objective prefers.${flagNote(r)}`,
    [
      plot({
        document,
        width: Math.max(640, 220 * l1s.length),
        height: 300,
        marginTop: 30,
        marginLeft: 56,
        style: { background: 'white' },
        x: { type: 'log', label: 'learning rate', inset: 12, tickFormat: (v: number) => v.toExponential(0), ticks: [...new Set(cells.map((c) => c.lr))] },
        y: { type: 'log', label: 'selection loss', grid: true, tickFormat: '~g' },
        fx: { label: 'L1 coefficient lambda', domain: l1s },
        color,
        symbol,
        marks: [Plot.frame({ stroke: '#ccc' }), mark(false), mark(true)],
      }),
    ],
  );
}

export interface FigureSet {
  [file: string]: string;
}

export function experimentFigures(r: ExperimentResult, document: Doc): FigureSet {
  const out: FigureSet = {
    'toy.svg': toyFigure(r, document),
    'sae-overlay.svg': overlayFigure(r, document),
    'grid.svg': gridFigure(r, document),
    'heatmap.svg': heatmapFigure(r, document),
    'losses.svg': lossFigure(r, document),
    'gram.svg': gramFigure(r, document),
  };
  const gap = gapFigure(r, document);
  if (gap) out['gap.svg'] = gap;
  return out;
}
