// Experiment page: pick a preset or edit the config (validated with the CLI's schema), train in the
// page with live figures, then the study's figures, the summary table and downloads. Finished runs
// are kept in IndexedDB and can be reopened after a reload. This file wires the DOM; the run state
// lives in controller.ts and the figures and panels in views.ts.
import type { GpuContext } from '../gpu/context';
import { PRESETS } from '../experiments/presets';
import { ConfigError, parseExperiment, type ExperimentConfig } from '../config/schema';
import { parseJson } from '../io/json';
import { experimentWarnings } from '../jobs/experiment';
import { RunController, Stopped } from './controller';
import { listRuns, loadRun, type SavedRun } from './store';
import { allResultsPanel, el, liveGrid, livePanels, lossChart, resultsPanels, statusOnCompile, twoColumns } from './views';

export { REALIZATION_COLORS } from './views';

export function mountExperiment(root: HTMLElement, ctx: GpuContext): () => void {
  const { side, mainCol } = twoColumns(root);

  // --- config panel
  const cfgPanel = el('div', { class: 'panel' });
  cfgPanel.append(el('h2', {}, 'Configure'));
  const presetSel = el('select', { id: 'preset' });
  for (const [name, p] of Object.entries(PRESETS)) presetSel.append(el('option', { value: name, title: p.description }, presetLabel(name, p)));
  presetSel.value = 'tiny';
  // the description under the drop-down (an option cannot wrap: long labels were cut off in the side column)
  const presetDesc = el('div', { class: 'hint', id: 'preset-desc' });
  const describePreset = () => {
    presetDesc.textContent = PRESETS[presetSel.value].description;
  };
  describePreset();
  const editor = el('textarea', { id: 'config', spellcheck: 'false' });
  const errors = el('div', { class: 'errors', id: 'config-errors' });
  const startBtn = el('button', { class: 'primary', id: 'start' }, 'Start');
  const pauseBtn = el('button', { id: 'pause', disabled: '' }, 'Pause');
  const stopBtn = el('button', { id: 'stop', disabled: '' }, 'Stop');
  const buttons = el('div', { class: 'buttons' });
  buttons.append(startBtn, pauseBtn, stopBtn);
  cfgPanel.append(
    el('label', {}, 'Preset'),
    presetSel,
    presetDesc,
    el('label', {}, 'Experiment config (JSON, validated as you type)'),
    editor,
    errors,
    buttons,
  );
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
      const v = parseJson(editor.value); // a syntax error names its line and column
      configs = (Array.isArray(v) ? v : [v]).map((x) => parseExperiment(x, ctx.device.limits));
      if (!configs.length) throw new ConfigError('the config array is empty');
      // valid, but what it cannot show (s below the number of composed directions ...) is said beside the editor
      errors.textContent = configs
        .flatMap(experimentWarnings)
        .map((w) => `warning: ${w}`)
        .join('\n');
      editor.classList.remove('invalid');
    } catch (e) {
      configs = null;
      errors.textContent = e instanceof SyntaxError ? `not valid JSON: ${e.message}` : e instanceof ConfigError ? e.message.replace(/; /g, '\n') : String(e);
      editor.classList.add('invalid');
    }
    startBtn.disabled = !configs || ctl.running;
  };
  presetSel.addEventListener('change', () => {
    describePreset();
    loadPreset();
  });
  editor.addEventListener('input', validate);

  const ctl = new RunController(ctx);
  pauseBtn.addEventListener('click', () => {
    const paused = ctl.togglePause();
    pauseBtn.textContent = paused ? 'Resume' : 'Pause';
    window.appState = paused ? 'paused' : 'running';
    // the status line says so at once (progress reports stop while paused)
    const text = status.textContent?.replace(/^paused — /, '') ?? '';
    status.textContent = paused ? `paused — ${text}` : text;
  });
  stopBtn.addEventListener('click', () => ctl.stop());

  const refreshRuns = async () => {
    runsList.innerHTML = '';
    for (const r of await listRuns()) {
      const li = el('li');
      const a = el('a', { href: '#/experiment', 'data-run': r.id }, `${r.name} (${r.preset}) — ${new Date(r.date).toLocaleString()}`);
      a.addEventListener('click', async (ev) => {
        ev.preventDefault();
        const run = await loadRun(r.id);
        if (run) {
          showResults(run);
          window.appState = 'finished';
        }
      });
      li.append(a);
      runsList.append(li);
    }
    if (!runsList.children.length) runsList.append(el('li', {}, 'none yet'));
  };

  const showResults = (run: SavedRun) => {
    results.innerHTML = '';
    results.append(...resultsPanels(run, ctx.adapter));
  };

  startBtn.addEventListener('click', async () => {
    if (!configs || ctl.running) return;
    const list = configs;
    startBtn.disabled = true;
    pauseBtn.disabled = false;
    stopBtn.disabled = false;
    presetSel.disabled = true;
    editor.disabled = true;
    results.innerHTML = '';
    live.innerHTML = '';
    window.appState = 'running';
    let lossRows: { step: number; loss: number }[] = [],
      batchRows: { step: number; loss: number }[] = [];
    // the live panels as last drawn (at most every 0.7 s while training): drawn once more when the experiment
    // ends, so the chart holds every point (a short run ended before its second draw: 'step 0-4, two points')
    let drawLive: (() => void) | null = null;
    const quiet = statusOnCompile(ctx, status);
    try {
      const done = await ctl.runAll(list, presetSel.value, {
        onStart: () => {
          live.innerHTML = '';
          lossRows = [];
          batchRows = [];
          drawLive = null;
        },
        onStatus: (text, frac) => {
          status.textContent = text;
          fill.style.width = `${(frac * 100).toFixed(1)}%`;
        },
        onLoss: (step, loss) => lossRows.push({ step, loss }),
        onBatchLoss: (step, loss) => {
          if (Number.isFinite(loss)) batchRows.push({ step, loss });
        },
        onLive: (c, params, models, toyFeatures) => {
          drawLive = () => {
            live.innerHTML = '';
            live.append(...livePanels(liveGrid(c, params, models, toyFeatures), lossChart(lossRows, batchRows, c.sae.steps)));
          };
          drawLive();
        },
        onFinished: async (run) => {
          drawLive?.();
          showResults(run);
          await refreshRuns();
        },
      });
      if (list.length > 1) results.prepend(allResultsPanel(done));
      window.appState = 'finished';
    } catch (e) {
      status.textContent = e instanceof Stopped ? 'stopped' : `failed: ${(e as Error).message}`;
      window.appState = e instanceof Stopped ? 'stopped' : 'failed';
    } finally {
      quiet();
      pauseBtn.disabled = true;
      stopBtn.disabled = true;
      presetSel.disabled = false;
      editor.disabled = false;
      pauseBtn.textContent = 'Pause';
      validate();
    }
  });

  loadPreset();
  void refreshRuns();
  return () => ctl.stop();
}

/** A preset's drop-down label: its name and experiment count only (the description goes below it). */
export function presetLabel(name: string, p: { experiments: unknown[] }): string {
  return p.experiments.length > 1 ? `${name} (${p.experiments.length} experiments)` : name;
}
