// Figures read back from their SVG: the heat map's fills match its key (red +1, blue -1), its numbers
// contrast with their cells, its width fits the matrix; titles wrap instead of widening a figure.
import { JSDOM } from 'jsdom';
import { describe, expect, it } from 'vitest';
import type { ExperimentResult } from '../../src/results/schema';
import { GAP_COLORS, gapFigure, HEAT, heatmapFigure, heatTextColor, wrapTitle } from '../../src/plots/figures';
import { nodeDocument } from '../../src/plots/dom-node';

/** Features on +-e1 (x) and +-e2 (y); the SAE's decoder is the true dictionary, so cosines are +1, -1 and 0. */
function fake(): ExperimentResult {
  const W = [
    [1, 0],
    [-1, 0],
    [0, 1],
    [0, -1],
  ];
  const sae = { decoder: W, latents: W.map(() => ({ kind: 'true' })), verdict: 'true' };
  return {
    name: 'fake',
    toy: { W, labels: ['x1', 'x2', 'y1', 'y2'] },
    saes: [sae],
    cells: [{ lr: 3e-4, l1: 0.3, lowest_loss: 0, models: [0] }],
  } as unknown as ExperimentResult;
}

const rgb = (s: string) => {
  const m = /rgb\((\d+),\s*(\d+),\s*(\d+)\)/.exec(s) ?? /#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})/i.exec(s);
  if (!m) throw new Error(`not a colour: ${s}`);
  return m[0].startsWith('#') ? [1, 2, 3].map((i) => parseInt(m[i], 16)) : [1, 2, 3].map((i) => Number(m[i]));
};
const isRed = (c: number[]) => c[0] > 150 && c[2] < 100;
const isBlue = (c: number[]) => c[2] > 150 && c[0] < 100;

describe('heat map', () => {
  const svg = heatmapFigure(fake(), nodeDocument());
  const doc = new JSDOM(svg, { contentType: 'image/svg+xml' }).window.document;
  const charts = [...doc.querySelectorAll('svg > svg')];
  const key = charts[0],
    matrix = charts[charts.length - 1];

  it('fills +1 red and -1 blue, as the title and the key say', () => {
    const title = [...doc.querySelectorAll('svg > text')].map((t) => t.textContent).join(' ');
    expect(title).toMatch(/red \+1, blue -1/);
    const cells = [...matrix.querySelectorAll('g[aria-label="cell"] rect')];
    const labels = [...matrix.querySelectorAll('g[aria-label="text"] text')].map((t) => t.textContent);
    expect(cells).toHaveLength(16);
    expect(labels).toHaveLength(16);
    const fillOf = (label: string) => rgb(cells[labels.indexOf(label)].getAttribute('fill')!);
    expect(isRed(fillOf('1.00')), `+1 fill ${fillOf('1.00')}`).toBe(true);
    expect(isBlue(fillOf('-1.00')), `-1 fill ${fillOf('-1.00')}`).toBe(true);
    expect(fillOf('1.00')).toEqual(rgb(HEAT.pos));
    expect(fillOf('-1.00')).toEqual(rgb(HEAT.neg));
    // the key's swatches, by their labels
    const swatches = [...key.querySelectorAll('g[aria-label="rect"] rect')];
    const keyLabels = [...key.querySelectorAll('g[aria-label="text"] text')].map((t) => t.textContent).filter((t) => t !== 'key');
    expect(isRed(rgb(swatches[keyLabels.indexOf('+1')].getAttribute('fill')!))).toBe(true);
    expect(isBlue(rgb(swatches[keyLabels.indexOf('-1')].getAttribute('fill')!))).toBe(true);
  });

  it('writes white on the dark ends and black in the middle', () => {
    const texts = [...matrix.querySelectorAll('g[aria-label="text"] text')];
    const colour = (label: string) => texts.find((t) => t.textContent === label)!.getAttribute('fill');
    expect(colour('1.00')).toBe('white');
    expect(colour('-1.00')).toBe('white');
    expect(colour('0.00')).toBe('black');
    expect(heatTextColor(0.59)).toBe('black');
  });

  it('is as wide as its matrix needs (no empty half)', () => {
    const width = Number(doc.documentElement.getAttribute('width'));
    const matrixW = Number(matrix.getAttribute('width'));
    expect(width).toBeLessThanOrEqual(Math.max(320, matrixW, Number(key.getAttribute('width'))));
    expect(width).toBeLessThan(400);
  });

  it('titles wrap to the chart width', () => {
    expect(wrapTitle('aa bb cc dd', 5)).toEqual(['aa bb', 'cc dd']);
    expect(wrapTitle('averyveryverylongword x', 5)).toEqual(['averyveryverylongword', 'x']);
  });
});

describe('optimality-gap figure', () => {
  const ref = (loss: number, converged = true) => ({
    final_loss: loss,
    final_loss_batch: loss,
    per_sample_fvu: 0,
    l1_term: 1,
    l0: 1,
    dead: 0,
    diverged: null,
    converged,
  });
  const withRefs = (): ExperimentResult => {
    const r = fake();
    return {
      ...r,
      toy: { ...r.toy, validity: { valid: true, notes: [] } },
      saes: [{ ...r.saes[0], final_loss: 0.2, diverged: null }],
      cells: [{ ...r.cells[0], converged: true, reference: { true: ref(0.3), composed: ref(0.1, false) } }],
    } as unknown as ExperimentResult;
  };
  it('is absent without reference SAEs', () => {
    expect(gapFigure(fake(), nodeDocument())).toBeNull();
  });
  it('draws the best learned SAE and both references, hollow when not converged, in colour-blind-safe colours', () => {
    const svg = gapFigure(withRefs(), nodeDocument())!;
    const doc = new JSDOM(svg).window.document;
    const marks = [...doc.querySelectorAll('path, circle')].filter((e) => e.closest('g[aria-label="dot"]'));
    expect(marks).toHaveLength(3);
    const fills = marks.map((e) => (e.getAttribute('fill') ?? e.closest('[fill]')?.getAttribute('fill') ?? '').toLowerCase());
    expect(fills).toContain(GAP_COLORS.true.toLowerCase());
    expect(fills).toContain('white'); // the composed reference did not converge
    expect(svg).toContain('fixed to the true directions');
  });
});
