// The vector figures and the loss figure read back from their SVG (hand-built experiments, no GPU): square
// panels (equal axes, so angles are true) for d = 2 and d = 3, the lowest-loss SAE drawn dark and bold over
// the most monosemantic one, dead latents dashed, a legend, composed guide rays, the toy-model flag, the
// loss figure's per-cell medians, clipping marks, picks and colour-blind-safe palette; figures are deterministic.
import { JSDOM } from 'jsdom';
import { describe, expect, it } from 'vitest';
import { formatLoss, gridFigure, LABEL_BOX, labelPositions, lossFigure, overlayFigure, toyFigure } from '../../src/plots/figures';
import { nodeDocument } from '../../src/plots/dom-node';
import { CROSS_W, dir, fakeExperiment, STUDY_W } from '../fake-experiment';

const e3 = (i: number, sign = 1) => [0, 1, 2].map((j) => (j === i ? sign : 0));
const W3 = [e3(0), e3(0, -1), e3(1), e3(1, -1), e3(2), e3(2, -1)];
/** The brief's case: 3 sets of 2 (d = 3), 2 learning rates x 1 lambda, 3 realizations, one with dead latents. */
const three = () =>
  fakeExperiment({
    name: 'three-sets',
    sets: [2, 2, 2],
    W: W3,
    cells: 2,
    saes: [
      { decoder: W3 },
      { decoder: W3, alive: [true, true, true, true, false, false], loss: 0.01 },
      { decoder: W3 },
      { decoder: W3 },
      { decoder: W3 },
      { decoder: W3 },
    ],
  });
const study = () =>
  fakeExperiment({
    name: 'correlated',
    sets: [2, 2],
    W: STUDY_W,
    cells: 4,
    saes: Array.from({ length: 8 }, (_, i) => ({ decoder: [-63, -141, 38, 40 + i].map(dir) })),
  });

const parse = (svg: string) => new JSDOM(svg, { contentType: 'image/svg+xml' }).window.document;
const frames = (doc: Document) =>
  [...doc.querySelectorAll('g[aria-label="frame"] rect')].map((r) => [Number(r.getAttribute('width')), Number(r.getAttribute('height'))]);
/** Arrow groups of the chart (not the legend), with their stroke attributes. */
const arrowGroups = (doc: Document) => {
  const charts = [...doc.querySelectorAll('svg > svg')];
  const chart = charts[charts.length - 1];
  return [...chart.querySelectorAll('g[aria-label="arrow"] > g')].map((g) => ({
    stroke: g.getAttribute('stroke'),
    width: Number(g.getAttribute('stroke-width') ?? 1),
    dash: g.getAttribute('stroke-dasharray'),
    paths: g.querySelectorAll('path').length,
  }));
};
const lum = (hex: string) => {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex) ?? /^#([0-9a-f])([0-9a-f])([0-9a-f])$/i.exec(hex);
  if (!m) throw new Error(`not a hex colour: ${hex}`);
  const v = [1, 2, 3].map((i) => parseInt(m[i].length === 1 ? m[i] + m[i] : m[i], 16));
  return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2];
};

describe('vector panels have equal axes', () => {
  for (const [name, make] of [
    ['d = 3, 2 x 1 grid', three],
    ['d = 2, 4 x 1 grid', study],
  ] as const) {
    it(`grid.svg and sae-overlay.svg panels are square (${name})`, () => {
      for (const fig of [gridFigure, overlayFigure]) {
        const f = frames(parse(fig(make(), nodeDocument())));
        expect(f.length).toBeGreaterThan(0);
        for (const [w, h] of f) expect(Math.abs(w / h - 1), `${fig.name} panel ${w} x ${h}`).toBeLessThan(0.02);
      }
    });
  }
  it('toy.svg has a square plot area', () => {
    const doc = parse(toyFigure(study(), nodeDocument()));
    const chart = doc.querySelector('svg > svg')!;
    // equal margins: the chart itself is square
    expect(Number(chart.getAttribute('width'))).toBe(Number(chart.getAttribute('height')));
  });
});

describe('labels and numbers', () => {
  it('toy.svg: labels of features projected onto one spot (a third set at the centre of the top-2 PCs) are moved apart', () => {
    const r = three();
    expect(r.toy.features_rotated.slice(4)).toEqual([
      [0, 0],
      [0, 0],
    ]); // z1 and z2 project onto the centre
    const doc = parse(toyFigure(r, nodeDocument()));
    const labels = [...doc.querySelectorAll('g[aria-label="text"] text')].map((t) => {
      const m = /translate\(([-\d.]+),([-\d.]+)\)/.exec(t.getAttribute('transform') ?? '')!;
      return { text: t.textContent, x: Number(m[1]), y: Number(m[2]) };
    });
    expect(labels.map((l) => l.text)).toEqual(['x1', 'x2', 'y1', 'y2', 'z1', 'z2']);
    // bold 14 px labels of two characters: apart by a line in y or by a label's width in x
    for (let a = 0; a < labels.length; a++)
      for (let b = 0; b < a; b++) {
        const [p, q] = [labels[a], labels[b]];
        expect(Math.abs(p.x - q.x) >= 30 || Math.abs(p.y - q.y) >= 18, `${p.text} and ${q.text} overlap`).toBe(true);
      }
  });
  it('labelPositions leaves labels that do not collide where they were: just past the arrow tip', () => {
    expect(labelPositions([[1, 0]])).toEqual([{ x: 1.13, y: 0 }]);
    expect(labelPositions([[0, -1.15]])).toEqual([{ x: 0, y: -1.15 * 1.13 }]); // a long arrow's label stays at its tip
    const [a, b] = labelPositions([
      [0.02, 0],
      [0.02, 0.01],
    ]);
    expect(a).toEqual({ x: 0.0226, y: 0 });
    expect(Math.abs(a.x - b.x) >= 2 * LABEL_BOX.w || Math.abs(a.y - b.y) >= 2 * LABEL_BOX.h).toBe(true);
  });
  it('sae-overlay.svg prints small losses with significant digits, not "loss 0.000"', () => {
    const r = fakeExperiment({ name: 'small', sets: [2, 2], W: STUDY_W, saes: [{ decoder: [0, 90, 180, 270].map(dir), loss: 0.00031 }] });
    const text = [...parse(overlayFigure(r, nodeDocument())).querySelectorAll('text')].map((t) => t.textContent).join(' ');
    expect(text).toMatch(/loss 3\.10e-4/);
    expect(text).not.toMatch(/loss 0\.000/);
    expect(formatLoss(0.0123)).toBe('0.0123');
    expect(formatLoss(1.5)).toBe('1.5');
  });
});

describe('grid.svg arrows, legend and guides', () => {
  const svg = gridFigure(three(), nodeDocument());
  const doc = parse(svg);
  const groups = arrowGroups(doc);
  it('draws the lowest-loss SAE darker and bolder than the most monosemantic one', () => {
    // the most monosemantic SAE is the cell's last model; the lowest-loss one is the first (cell 1: the one with dead latents)
    // SAE arrows carry their stroke on the group (toy-feature arrows per path, coloured by set)
    const solid = groups.filter((g) => !g.dash && g.stroke !== null);
    const widths = new Map(solid.map((g) => [g.stroke, g.width]));
    const strokes = [...widths.keys()] as string[];
    expect(strokes.length).toBe(2);
    const [dark, light] = strokes.sort((a, b) => lum(a) - lum(b));
    expect(widths.get(dark)!).toBeGreaterThan(widths.get(light)!);
    // the bold arrows come later in the SVG, so they are drawn on top
    const order = groups.map((g) => g.stroke);
    expect(order.lastIndexOf(dark)).toBeGreaterThan(order.lastIndexOf(light));
  });
  it('dashes dead latents', () => {
    const dashed = groups.filter((g) => g.dash === '3,2');
    expect(dashed.reduce((s, g) => s + g.paths, 0)).toBe(2); // the two dead latents of the lowest-loss SAE of cell 1
  });
  it('has a legend for the toy-feature arrows and faint guide rays along the composed directions', () => {
    const legend = [...doc.querySelectorAll('svg > svg')][0];
    const texts = [...legend.querySelectorAll('text')].map((t) => t.textContent);
    expect(texts).toEqual(
      expect.arrayContaining(['toy features, x set', 'toy features, y set', 'toy features, z set', 'lowest-loss SAE', 'most monosemantic SAE']),
    );
    const rays = [...doc.querySelectorAll('g[aria-label="link"] path')];
    expect(rays).toHaveLength(2 * 8); // 2 cells x 8 composed directions of 3 sets of 2
  });
  it('is deterministic', () => {
    expect(gridFigure(three(), nodeDocument())).toBe(svg);
  });
  it('notes a flagged toy model in the title', () => {
    const flagged = fakeExperiment({ name: 'onehot', sets: [2, 2], W: CROSS_W, saes: [{ decoder: [0, 90, 180, 270].map(dir) }] });
    const title = [...parse(gridFigure(flagged, nodeDocument())).querySelectorAll('svg > text')].map((t) => t.textContent).join(' ');
    expect(title).toMatch(/TOY MODEL FLAGGED/);
    expect(title).toMatch(/cross-set antipodal pairs x1-y1/);
    expect(title).not.toMatch(/undefined/);
  });
});

describe('losses.svg', () => {
  const svg = lossFigure(three(), nodeDocument());
  const doc = parse(svg);
  const title = [...doc.querySelectorAll('svg > text')].map((t) => t.textContent).join(' ');
  it('draws one bold median curve per grid cell over thin per-SAE trends, and no raw spikes', () => {
    expect(title).toMatch(/bold: per grid cell the median over its 3 realization\(s\)/);
    expect(title).toMatch(/raw logged values not drawn/);
    const top = [...doc.querySelectorAll('svg > svg')][1]; // after the colour key
    const lines = [...top.querySelectorAll('g[aria-label="line"]')].map((g) => ({
      width: Number(g.querySelector('[stroke-width]')?.getAttribute('stroke-width')),
      paths: g.querySelectorAll('path').length,
    }));
    expect(lines).toEqual([
      { width: 0.7, paths: 6 }, // each SAE's windowed median
      { width: 2.2, paths: 2 }, // each cell's median of them
    ]);
    expect(top.querySelectorAll('g[aria-label="dot"] > g[fill="#555"]').length).toBe(0); // nothing clipped, no triangles
  });
  it('still marks where the per-sample evaluation curves are clipped', () => {
    const all = [...doc.querySelectorAll('text')].map((t) => t.textContent).join(' ');
    // (wrapped lines are tspans: textContent joins them without a space)
    expect(all).toMatch(/per-sample\s*curves\s*are\s*clipped\s*above\s*the\s*y\s*range\s*at\s*\d+\s*evaluations/);
    const tri = [...doc.querySelectorAll('g[aria-label="dot"] > g[fill="#555"]')];
    expect(tri.length).toBeGreaterThan(0);
    expect(tri.every((g) => g.querySelectorAll('path').length > 0)).toBe(true);
  });
  it('marks the picks: filled circles', () => {
    // the end-of-training circles (r 3.5 hollow, r 4 filled); the colour key's swatches are r 6
    const ends = [...doc.querySelectorAll('g[aria-label="dot"] circle')].filter((c) => c.getAttribute('r') !== '6');
    const filled = ends.filter((c) => (c.getAttribute('fill') ?? c.parentElement?.getAttribute('fill') ?? 'none') !== 'none');
    expect(ends).toHaveLength(6);
    expect(filled.length).toBe(2); // one pick per cell
  });
  it('uses no yellow on white', () => {
    const colours = new Set([...svg.matchAll(/(?:stroke|fill)="(#[0-9a-fA-F]{6})"/g)].map((m) => m[1].toLowerCase()));
    expect(colours.size).toBeGreaterThan(1);
    for (const c of colours) {
      const [r, g, b] = [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16));
      expect(r > 200 && g > 180 && b < 120, `yellowish ${c}`).toBe(false);
    }
  });
});
