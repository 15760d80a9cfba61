// Views of the experiment page: DOM helpers and the figures it shows (live loss chart, live decoder grid,
// result panels). Pure functions of their inputs; the controller (controller.ts) decides when to draw them.
import { saeDimsOf } from '../variants';
import * as Plot from '@observablehq/plot';
import type { AdapterReport, GpuContext } from '../gpu/context';
import { encodeSafetensors } from '../io/safetensors';
import { verdictTable } from '../experiments/report';
import { dataSpec } from '../jobs/experiment';
import { jointTable } from '../data/tables';
import { composedDirections, figureRotation, rotate2, windowedMedian } from '../metrics/analysis';
import { analyseSae } from '../metrics/recovery';
import type { ExperimentConfig } from '../config/schema';
import { saeWeights, type StoredExperiment } from '../results/stored';
import { decoderGrid, rayTo, stepTick, trendWindow } from '../plots/figures';
import { plot } from '../plots/plot';
import { saeLayout } from '../core/wire';
import type { SavedRun } from './store';
import { phaseFigure, phasePoints } from '../plots/phase';

/** Realization colours of the live grid: none red or blue, which the toy-feature arrows use. */
export const REALIZATION_COLORS = ['#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#bcbd22', '#7f7f7f'];

export /**
 * The live loss chart: raw reports faint, their windowed median bold (single batches spike the per-sample
 * FVU); readable from one point (a dot, padded domains) to many (compact tick labels). The x axis is the SAE
 * training step, 0 to `totalSteps` (the run's; it was the last reported step: a chart drawn early in a
 * 200-step run read 0-4).
 */
function lossChart(rows: { step: number; loss: number }[], batchRows: { step: number; loss: number }[] = [], totalSteps = 0, document?: Document): Element {
  const pos = rows.filter((r) => r.loss > 0);
  const med = windowedMedian(
    pos.map((r) => r.loss),
    trendWindow(pos.length),
  ).map((loss, i) => ({ step: pos[i].step, loss }));
  const batch = batchRows.filter((r) => r.loss > 0);
  const lastStep = Math.max(pos.length ? pos[pos.length - 1].step : 1, batch.length ? batch[batch.length - 1].step : 1);
  const lo = Math.min(...med.map((r) => r.loss), ...batch.map((r) => r.loss)),
    hi = Math.max(...med.map((r) => r.loss), ...batch.map((r) => r.loss));
  const yDomain = Number.isFinite(lo) && Number.isFinite(hi) ? [lo / 2, hi * 2] : [0.1, 10];
  const last = med[med.length - 1];
  return plot({
    document,
    width: 400,
    height: 250,
    marginLeft: 56,
    marginRight: 16,
    y: { type: 'log', label: 'total loss (median over SAEs)', grid: true, domain: yDomain, tickFormat: '~g' },
    x: { label: 'SAE training step', domain: [0, Math.max(1, lastStep, totalSteps)], tickFormat: stepTick, ticks: 5 },
    marks: [
      Plot.line(pos, { x: 'step', y: 'loss', stroke: '#999', strokeOpacity: 0.5, strokeWidth: 0.8, clip: true }),
      Plot.line(med, { x: 'step', y: 'loss', stroke: '#2563eb', strokeWidth: 2 }),
      Plot.line(batch, { x: 'step', y: 'loss', stroke: '#ea580c', strokeWidth: 1.5 }),
      Plot.dot(batch, { x: 'step', y: 'loss', fill: '#ea580c', r: 2 }),
      Plot.text(['training loss: median of recent reports (blue), raw (grey)'], { frameAnchor: 'top-right', dy: 2, fontSize: 10, fill: '#2563eb' }),
      Plot.text(['batch-FVU selection loss on fresh samples (orange)'], { frameAnchor: 'top-right', dy: 15, fontSize: 10, fill: '#ea580c' }),
      Plot.dot(last ? [last] : [], { x: 'step', y: 'loss', fill: '#2563eb', r: 3 }),
      Plot.text(last ? [last] : [], { x: 'step', y: 'loss', text: (d: { loss: number }) => d.loss.toPrecision(3), dy: -10, textAnchor: 'end', fontSize: 11 }),
    ],
  });
}

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text = ''): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text) e.textContent = text;
  return e;
}

/** A page's two columns (the side panel and the main column) under `root`. */
export function twoColumns(root: HTMLElement): { side: HTMLDivElement; mainCol: HTMLDivElement } {
  const layout = el('div', { class: 'layout' });
  const side = el('div');
  const mainCol = el('div');
  layout.append(side, mainCol);
  root.appendChild(layout);
  return { side, mainCol };
}

export function mdTableToHtml(md: string): string {
  const rows = md
    .trim()
    .split('\n')
    .filter((l) => !/^\|---/.test(l))
    .map((l) =>
      l
        .split('|')
        .slice(1, -1)
        .map((c) => c.trim()),
    );
  return `<table><thead><tr>${rows[0].map((c) => `<th>${c}</th>`).join('')}</tr></thead><tbody>${rows
    .slice(1)
    .map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

export function download(a: HTMLAnchorElement, name: string, data: BlobPart, type: string): void {
  a.href = URL.createObjectURL(new Blob([data], { type }));
  a.download = name;
  a.textContent = name;
}

/** The SAE being trained, as the live grid needs it: decoder rows per model, its grid position and realization. */
export interface LiveModel {
  lr: number;
  l1: number;
  realization: number;
}

/**
 * The live grid's data, in the grid figure's form (plots/figures.ts decoderGrid): every SAE's decoder
 * directions and the toy features, rotated as the final figures are (x1 on +x: figureRotation), the
 * composed rays, and per grid cell the verdict counts of the report's coverage rule (analyseSae; all
 * latents counted as alive until the evaluation). d = 2 only.
 */
export function livePoints(c: ExperimentConfig, params: Float32Array, models: LiveModel[], toyFeatures: number[][]) {
  const L = saeLayout({ D: 2, S: c.sae.s, ...saeDimsOf(c.sae) });
  const composed = composedDirections(toyFeatures, c.data.sets, jointTable(dataSpec(c)));
  const theta = figureRotation(toyFeatures);
  const counts = new Map<string, { T: number; C: number; M: number; P: number }>();
  const arrows = models.flatMap((m, i) => {
    const dec = Array.from({ length: c.sae.s }, (_, k) => [params[i * L.P + L.WD + k * 2], params[i * L.P + L.WD + k * 2 + 1]]);
    const v = analyseSae(
      dec,
      dec.map(() => true),
      toyFeatures,
      composed,
      c.data.sets,
    ).verdict;
    const key = `${m.lr}|${m.l1}`;
    const e = counts.get(key) ?? { T: 0, C: 0, M: 0, P: 0 };
    if (v === 'true') e.T++;
    else if (v === 'composed') e.C++;
    else if (v === 'partial') e.P++;
    else e.M++;
    counts.set(key, e);
    return dec.map((w) => {
      const [x2, y2] = rotate2(w, theta);
      return { x1: 0, y1: 0, x2, y2, lr: m.lr, l1: m.l1, r: m.realization };
    });
  });
  const labels = [...counts].map(([key, e]) => {
    const [lr, l1] = key.split('|').map(Number);
    return { lr, l1, text: `T${e.T} C${e.C} P${e.P} M${e.M}` };
  });
  const setOf = (i: number) => c.data.sets.findIndex((_, j) => i < c.data.sets.slice(0, j + 1).reduce((a, b) => a + b, 0));
  const cells = c.grid.lr.flatMap((lr) => c.grid.l1.map((l1) => ({ lr, l1 })));
  const feats = cells.flatMap((at) =>
    toyFeatures.map((f, i) => {
      const [x2, y2] = rotate2(f, theta);
      return { x1: 0, y1: 0, x2, y2, ...at, set: setOf(i) };
    }),
  );
  const rays = cells.flatMap((at) => composed.map((d) => rayTo(rotate2(d.dir, theta), at)));
  return { arrows, feats, rays, labels };
}

/** Every SAE's decoder directions over the toy features, one facet per grid cell, with live verdict counts (livePoints). */
export function liveGrid(c: ExperimentConfig, params: Float32Array, models: LiveModel[], toyFeatures: number[][]): Element {
  const { arrows, feats, rays, labels } = livePoints(c, params, models, toyFeatures);
  const panel = Math.max(90, Math.min(130, 660 / c.grid.l1.length));
  return decoderGrid({
    lrs: [...c.grid.lr].sort((a, b) => a - b),
    l1s: [...c.grid.l1].sort((a, b) => a - b),
    feats,
    rays,
    notes: labels,
    panel,
    layers: [{ data: arrows, stroke: (d) => REALIZATION_COLORS[(d.r as number) % REALIZATION_COLORS.length], width: 1.2, head: 4 }],
  });
}

/** The live panels: the decoder grid (when d = 2) and the loss chart. */
export function livePanels(grid: Element | null, loss: Element): HTMLElement[] {
  const out: HTMLElement[] = [];
  if (grid) {
    const a = el('div', { id: 'live-grid' });
    a.append(
      el(
        'div',
        {},
        "every SAE's decoder directions (thin, one colour per realization) over the toy features (faint, coloured by set as in the final figures: x set vermilion, y set blue) and the composed directions (dotted); live verdict counts T(rue) C(omposed) P(artial) M(ixed), rotated as the final figures (x1 on +x)",
      ),
      grid,
    );
    out.push(a);
  }
  const b = el('div', { id: 'live-loss' });
  b.append(loss);
  out.push(b);
  return out;
}

/** A finished run: its verdict table, downloads (results.json, weights, figures) and figures. */
export function resultsPanels(run: SavedRun, adapter: AdapterReport): HTMLElement[] {
  const e = run.experiment;
  const head = el('div', { class: 'panel' });
  head.append(el('h2', {}, `Results: ${e.name} (${run.preset})`));
  const table = el('div', { id: 'summary' });
  table.innerHTML = mdTableToHtml(verdictTable({ experiments: [e] } as never));
  const dl = el('div', { class: 'downloads', id: 'downloads' });
  const add = (name: string, data: BlobPart, type: string) => {
    const a = el('a');
    download(a, name, data, type);
    dl.append(a);
  };
  add('results.json', JSON.stringify({ preset: run.preset, adapter, experiments: [e] }, null, 1), 'application/json');
  add(
    `${e.name}-saes.safetensors`,
    encodeSafetensors(saeWeights(e, run.weights.saes), { config: JSON.stringify(e.config) }) as BlobPart,
    'application/octet-stream',
  );
  for (const [f, svg] of Object.entries(run.figures)) add(`${e.name}-${f}`, svg, 'image/svg+xml');
  head.append(table, el('h2', {}, 'Downloads'), dl);
  const figs = el('div', { class: 'figs', id: 'final-figures' });
  for (const svg of Object.values(run.figures)) {
    const d = el('div');
    d.innerHTML = svg;
    figs.append(d);
  }
  return [head, figs];
}

/** Several experiments: the verdict table of all, and the phase diagram when they form one. */
export function allResultsPanel(done: StoredExperiment[]): HTMLElement {
  const all = el('div', { class: 'panel', id: 'all-results' });
  all.append(el('h2', {}, `All ${done.length} experiments`));
  const t = el('div');
  t.innerHTML = mdTableToHtml(verdictTable({ experiments: done } as never));
  all.append(t);
  const points = phasePoints(done);
  if (points.length) {
    const f = el('div', { id: 'phase' });
    f.innerHTML = phaseFigure(points, document);
    all.append(f);
  }
  return all;
}

/** While a run compiles a kernel the status line says so (progress stops meanwhile: a software adapter compiles a new
 * kernel shape in seconds to a minute); the next progress report replaces it. Returns the undo. */
export function statusOnCompile(ctx: GpuContext, status: HTMLElement): () => void {
  ctx.compileListener = (e) => {
    if (!e.done) status.textContent = `compiling ${e.label}: a new kernel shape, compiled once`;
  };
  return () => {
    ctx.compileListener = null;
  };
}
