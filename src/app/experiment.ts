// Experiment page: pick a preset or edit the config (validated with the CLI's schema), train in the
// page with live figures, then the study's figures, the summary table and downloads. Finished runs
// are kept in IndexedDB and can be reopened after a reload.
import * as Plot from '@observablehq/plot';
import type { GpuContext } from '../gpu/context';
import { encodeSafetensors } from '../io/safetensors';
import { PRESETS } from '../experiments/presets';
import { verdictTable } from '../experiments/report';
import { dataSpec, runExperiment, type ExperimentResult } from '../experiments/runner';
import { jointTable } from '../data/tables';
import { composedDirections, matchLatents, verdictOf, windowedMedian } from '../metrics/analysis';
import { ConfigError, parseExperiment, type ExperimentConfig } from '../experiments/schema';
import { saeWeights, toStored, type StoredExperiment } from '../experiments/stored';
import { experimentFigures, stepTick, trendWindow } from '../plots/figures';
import { saeLayout } from '../core/wire';
import type { GpuSaeTrainer } from '../train/gpu';
import { listRuns, loadRun, saveRun, type SavedRun } from './store';
import { phaseFigure, phasePoints } from '../plots/phase';

class Stopped extends Error {}

/** Realization colours of the live grid: none red or blue, which the toy-feature arrows use. */
export const REALIZATION_COLORS = ['#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#bcbd22', '#7f7f7f'];

/**
 * The live loss chart: raw reports faint, their windowed median bold (single batches spike the per-sample
 * FVU); readable from one point (a dot, padded domains) to many (compact tick labels).
 */
function lossChart(rows: { step: number; loss: number }[], batchRows: { step: number; loss: number }[] = []): Element {
  const pos = rows.filter((r) => r.loss > 0);
  const med = windowedMedian(pos.map((r) => r.loss), trendWindow(pos.length)).map((loss, i) => ({ step: pos[i].step, loss }));
  const batch = batchRows.filter((r) => r.loss > 0);
  const lastStep = Math.max(pos.length ? pos[pos.length - 1].step : 1, batch.length ? batch[batch.length - 1].step : 1);
  const lo = Math.min(...med.map((r) => r.loss), ...batch.map((r) => r.loss)), hi = Math.max(...med.map((r) => r.loss), ...batch.map((r) => r.loss));
  const yDomain = Number.isFinite(lo) && Number.isFinite(hi) ? [lo / 2, hi * 2] : [0.1, 10];
  const last = med[med.length - 1];
  return Plot.plot({
    width: 400, height: 250, marginLeft: 56, marginRight: 16,
    y: { type: 'log', label: 'total loss (median over SAEs)', grid: true, domain: yDomain, tickFormat: '~g' },
    x: { label: 'step', domain: [0, Math.max(1, lastStep)], tickFormat: stepTick, ticks: 5 },
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
  }) as unknown as Element;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text = ''): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text) e.textContent = text;
  return e;
}

function mdTableToHtml(md: string): string {
  const rows = md.trim().split('\n').filter((l) => !/^\|---/.test(l)).map((l) => l.split('|').slice(1, -1).map((c) => c.trim()));
  return `<table><thead><tr>${rows[0].map((c) => `<th>${c}</th>`).join('')}</tr></thead><tbody>${rows.slice(1).map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}

function download(a: HTMLAnchorElement, name: string, data: BlobPart, type: string): void {
  a.href = URL.createObjectURL(new Blob([data], { type }));
  a.download = name;
  a.textContent = name;
}

export function mountExperiment(root: HTMLElement, ctx: GpuContext): () => void {
  const layout = el('div', { class: 'layout' });
  const side = el('div');
  const mainCol = el('div');
  layout.append(side, mainCol);
  root.appendChild(layout);

  // --- config panel
  const cfgPanel = el('div', { class: 'panel' });
  cfgPanel.append(el('h2', {}, 'Configure'));
  const presetSel = el('select', { id: 'preset' });
  for (const [name, p] of Object.entries(PRESETS)) presetSel.append(el('option', { value: name }, `${name} — ${p.experiments.length > 1 ? `${p.experiments.length} experiments: ` : ''}${p.description}`));
  presetSel.value = 'tiny';
  const editor = el('textarea', { id: 'config', spellcheck: 'false' });
  const errors = el('div', { class: 'errors', id: 'config-errors' });
  const startBtn = el('button', { class: 'primary', id: 'start' }, 'Start');
  const pauseBtn = el('button', { id: 'pause', disabled: '' }, 'Pause');
  const stopBtn = el('button', { id: 'stop', disabled: '' }, 'Stop');
  const buttons = el('div', { class: 'buttons' });
  buttons.append(startBtn, pauseBtn, stopBtn);
  cfgPanel.append(el('label', {}, 'Preset'), presetSel, el('label', {}, 'Experiment config (JSON, validated as you type)'), editor, errors, buttons);
  const runsPanel = el('div', { class: 'panel' });
  runsPanel.append(el('h2', {}, 'Finished runs (kept in this browser)'));
  const runsList = el('ul', { class: 'runs', id: 'runs' });
  runsPanel.append(runsList);
  side.append(cfgPanel, runsPanel);

  // --- main column
  const progPanel = el('div', { class: 'panel' });
  const bar = el('div', { class: 'progress' });
  const fill = el('div', { id: 'progress-fill' });
  bar.append(fill);
  const status = el('div', { class: 'status', id: 'status' }, 'Pick a preset or edit the config, then Start.');
  progPanel.append(el('h2', {}, 'Progress'), bar, status);
  const live = el('div', { class: 'figs', id: 'live' });
  const results = el('div', { id: 'results' });
  mainCol.append(progPanel, live, results);

  // one experiment (a JSON object) or several run in turn (a JSON array, e.g. the study or the phase diagram)
  let configs: ExperimentConfig[] | null = null;
  const loadPreset = () => {
    const ex = PRESETS[presetSel.value].experiments;
    editor.value = JSON.stringify(ex.length === 1 ? ex[0] : ex, null, 2);
    validate();
  };
  const validate = () => {
    try {
      const v = JSON.parse(editor.value);
      configs = (Array.isArray(v) ? v : [v]).map((x) => parseExperiment(x, ctx.device.limits));
      if (!configs.length) throw new ConfigError('the config array is empty');
      errors.textContent = '';
      editor.classList.remove('invalid');
    } catch (e) {
      configs = null;
      errors.textContent = e instanceof SyntaxError ? `not valid JSON: ${e.message}` : e instanceof ConfigError ? e.message.replace(/; /g, '\n') : String(e);
      editor.classList.add('invalid');
    }
    startBtn.disabled = !configs || running;
  };
  presetSel.addEventListener('change', loadPreset);
  editor.addEventListener('input', validate);

  let running = false, paused = false, stopRequested = false;
  let resume: (() => void) | null = null;
  const gate = async () => {
    if (stopRequested) throw new Stopped('stopped');
    if (paused) await new Promise<void>((r) => { resume = r; });
    if (stopRequested) throw new Stopped('stopped');
  };
  pauseBtn.addEventListener('click', () => {
    paused = !paused;
    pauseBtn.textContent = paused ? 'Resume' : 'Pause';
    (window as unknown as { appState: string }).appState = paused ? 'paused' : 'running';
    // the status line says so at once (progress reports stop while paused)
    if (paused) status.textContent = `paused — ${status.textContent?.replace(/^paused — /, '')}`;
    else { status.textContent = status.textContent?.replace(/^paused — /, '') ?? ''; resume?.(); resume = null; }
  });
  stopBtn.addEventListener('click', () => { stopRequested = true; resume?.(); });

  const refreshRuns = async () => {
    runsList.innerHTML = '';
    for (const r of await listRuns()) {
      const li = el('li');
      const a = el('a', { href: '#/experiment', 'data-run': r.id }, `${r.name} (${r.preset}) — ${new Date(r.date).toLocaleString()}`);
      a.addEventListener('click', async (ev) => {
        ev.preventDefault();
        const run = await loadRun(r.id);
        if (run) { showResults(run); window.appState = 'finished'; }
      });
      li.append(a);
      runsList.append(li);
    }
    if (!runsList.children.length) runsList.append(el('li', {}, 'none yet'));
  };

  const showResults = (run: SavedRun) => {
    results.innerHTML = '';
    const e = run.experiment;
    const head = el('div', { class: 'panel' });
    head.append(el('h2', {}, `Results: ${e.name} (${run.preset})`));
    const table = el('div', { id: 'summary' });
    table.innerHTML = mdTableToHtml(verdictTable({ experiments: [e] } as never));
    const dl = el('div', { class: 'downloads', id: 'downloads' });
    const add = (name: string, data: BlobPart, type: string) => { const a = el('a'); download(a, name, data, type); dl.append(a); };
    add('results.json', JSON.stringify({ preset: run.preset, adapter: ctx.adapter, experiments: [e] }, null, 1), 'application/json');
    add(`${e.name}-saes.safetensors`, encodeSafetensors(saeWeights(e, run.weights.saes), { config: JSON.stringify(e.config) }) as BlobPart, 'application/octet-stream');
    for (const [f, svg] of Object.entries(run.figures)) add(`${e.name}-${f}`, svg, 'image/svg+xml');
    head.append(table, el('h2', {}, 'Downloads'), dl);
    const figs = el('div', { class: 'figs', id: 'final-figures' });
    for (const svg of Object.values(run.figures)) { const d = el('div'); d.innerHTML = svg; figs.append(d); }
    results.append(head, figs);
  };

  const liveView = (c: ExperimentConfig) => {
    const lrs = c.grid.lr, l1s = c.grid.l1;
    const lossRows: { step: number; loss: number }[] = [];
    const batchRows: { step: number; loss: number }[] = [];
    return {
      onLoss: (step: number, loss: number) => { if (Number.isFinite(loss)) lossRows.push({ step, loss }); },
      onBatch: (step: number, loss: number) => { if (Number.isFinite(loss)) batchRows.push({ step, loss }); },
      draw: async (job: GpuSaeTrainer, models: { lr: number; l1: number; realization: number }[], toyFeatures: number[][]) => {
        if (c.toy.d !== 2) return;
        const p = await job.readParams();
        const L = saeLayout({ D: 2, S: c.sae.s });
        // live verdicts from the current decoder directions (all latents counted as alive until the evaluation)
        const composed = composedDirections(toyFeatures, c.data.sets, jointTable(dataSpec(c)));
        const counts = new Map<string, { T: number; C: number; M: number }>();
        models.forEach((m, i) => {
          const dec = Array.from({ length: c.sae.s }, (_, k) => [p[i * L.P + L.WD + k * 2], p[i * L.P + L.WD + k * 2 + 1]]);
          const v = verdictOf(matchLatents(dec, dec.map(() => true), toyFeatures, composed, c.data.sets));
          const key = `${m.lr}|${m.l1}`;
          const e = counts.get(key) ?? { T: 0, C: 0, M: 0 };
          if (v === 'true') e.T++; else if (v === 'composed') e.C++; else e.M++;
          counts.set(key, e);
        });
        const labels = [...counts].map(([key, e]) => { const [lr, l1] = key.split('|').map(Number); return { lr, l1, text: `T${e.T} C${e.C} M${e.M}` }; });
        const arrows = models.flatMap((m, i) => Array.from({ length: c.sae.s }, (_, k) => ({ lr: m.lr, l1: m.l1, r: m.realization, x: p[i * L.P + L.WD + k * 2], y: p[i * L.P + L.WD + k * 2 + 1] })));
        const feats = lrs.flatMap((lr) => l1s.flatMap((l1) => toyFeatures.map((f, i) => ({ lr, l1, x: f[0], y: f[1], set: i < c.data.sets[0] ? 0 : 1 }))));
        const grid = Plot.plot({
          width: Math.min(760, 130 * l1s.length + 80), height: 110 * lrs.length + 60, marginLeft: 60, x: { domain: [-1.3, 1.3], axis: null }, y: { domain: [-1.3, 1.3], axis: null },
          fx: { label: 'L1 coefficient' }, fy: { label: 'learning rate', tickFormat: (v: number) => v.toExponential(0) },
          marks: [
            Plot.frame({ stroke: '#ddd' }),
            Plot.arrow(feats, { fx: 'l1', fy: 'lr', x1: 0, y1: 0, x2: 'x', y2: 'y', stroke: (d: { set: number }) => (d.set ? '#1f77b4' : '#d62728'), strokeOpacity: 0.35, strokeWidth: 2.5, headLength: 4 }),
            Plot.arrow(arrows, { fx: 'l1', fy: 'lr', x1: 0, y1: 0, x2: 'x', y2: 'y', stroke: (d: { r: number }) => REALIZATION_COLORS[d.r % REALIZATION_COLORS.length], strokeWidth: 1.2, headLength: 4 }),
            Plot.text(labels, { fx: 'l1', fy: 'lr', x: 0, y: -1.15, text: 'text', fontSize: 9 }),
          ],
        });
        const loss = lossChart(lossRows, batchRows);
        live.innerHTML = '';
        const a = el('div', { id: 'live-grid' }); a.append(el('div', {}, 'every SAE\'s decoder directions (thin, one colour per realization) over the toy features (wide, faint: x set red, y set blue); live verdict counts T(rue) C(omposed) M(ixed)'), grid);
        const b = el('div', { id: 'live-loss' }); b.append(loss);
        live.append(a, b);
      },
    };
  };

  const runOne = async (c: ExperimentConfig, index: number, count: number): Promise<StoredExperiment> => {
    const t0 = performance.now();
    const view = liveView(c);
    let toyFeatures: number[][] = [];
    let lastDraw = 0;
    const prefix = count > 1 ? `[${index + 1}/${count} ${c.name}] ` : '';
    {
      const r: ExperimentResult = await runExperiment(ctx, c, {
        onProgress: (p) => {
          // a training-curve evaluation: its point goes to the chart, the status keeps the training progress
          if (p.batch_loss !== undefined) { view.onBatch(p.step, p.batch_loss); return; }
          const stages = { toy: 0, sae: 1, eval: 2 };
          const frac = (stages[p.stage] + (p.total ? p.step / p.total : 0)) / 3;
          fill.style.width = `${(frac * 100).toFixed(1)}%`;
          const el2 = (performance.now() - t0) / 1000;
          const eta = frac > 0.02 ? el2 / frac * (1 - frac) : NaN;
          status.textContent = `${paused ? 'paused — ' : ''}${prefix}${p.stage === 'toy' ? 'toy model' : p.stage === 'sae' ? `${p.models} SAEs` : 'evaluating'}: step ${p.step}/${p.total}` +
            `${Number.isFinite(p.loss) ? `, loss ${p.loss.toPrecision(4)}` : ''}${p.diverged ? `, ${p.diverged} diverged` : ''} — ${el2.toFixed(0)} s${Number.isFinite(eta) ? `, ETA ${eta.toFixed(0)} s` : ''}`;
          if (p.stage === 'sae') view.onLoss(p.step, p.loss);
        },
        onToyChunk: gate,
        onSaeChunk: async (job, models) => {
          if (!toyFeatures.length && c.toy.d === 2) {
            const tp = new Float32Array(await job.ctx.readF32(job.buffer('toy_params')));
            const n = c.data.sets.reduce((a, b) => a + b, 0);
            toyFeatures = Array.from({ length: n }, (_, i) => [tp[i * 2], tp[i * 2 + 1]]);
          }
          if (performance.now() - lastDraw > 700) { lastDraw = performance.now(); await view.draw(job, models, toyFeatures); }
          await gate();
        },
      });
      fill.style.width = '100%';
      status.textContent = `${prefix}finished in ${((performance.now() - t0) / 1000).toFixed(1)} s (${r.saes.length} SAEs, ${r.sae_path} path)`;
      const figures = experimentFigures(r, document);
      const files = Object.fromEntries(Object.keys(figures).map((f) => [f.replace('.svg', ''), f]));
      const experiment: StoredExperiment = toStored(r, files);
      const run: SavedRun = { id: `${Date.now()}-${index}`, date: new Date().toISOString(), preset: presetSel.value, experiment, figures, weights: r.weights };
      await saveRun(run);
      showResults(run);
      await refreshRuns();
      return experiment;
    }
  };

  startBtn.addEventListener('click', async () => {
    if (!configs || running) return;
    const list = configs;
    running = true; paused = false; stopRequested = false;
    startBtn.disabled = true; pauseBtn.disabled = false; stopBtn.disabled = false; presetSel.disabled = true; editor.disabled = true;
    results.innerHTML = ''; live.innerHTML = '';
    window.appState = 'running';
    try {
      const done: StoredExperiment[] = [];
      for (const [i, c] of list.entries()) { live.innerHTML = ''; done.push(await runOne(c, i, list.length)); }
      if (list.length > 1) {
        // several experiments: the verdict table of all, and the phase diagram when they form one
        const all = el('div', { class: 'panel', id: 'all-results' });
        all.append(el('h2', {}, `All ${done.length} experiments`));
        const t = el('div'); t.innerHTML = mdTableToHtml(verdictTable({ experiments: done } as never)); all.append(t);
        const points = phasePoints(done);
        if (points.length) { const f = el('div', { id: 'phase' }); f.innerHTML = phaseFigure(points, document); all.append(f); }
        results.prepend(all);
      }
      window.appState = 'finished';
    } catch (e) {
      status.textContent = e instanceof Stopped ? 'stopped' : `failed: ${(e as Error).message}`;
      window.appState = e instanceof Stopped ? 'stopped' : 'failed';
    } finally {
      running = false;
      pauseBtn.disabled = true; stopBtn.disabled = true; presetSel.disabled = false; editor.disabled = false;
      pauseBtn.textContent = 'Pause';
      validate();
    }
  });

  loadPreset();
  void refreshRuns();
  return () => { stopRequested = true; resume?.(); };
}
