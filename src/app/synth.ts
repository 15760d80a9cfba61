// "Synthetic benchmark" page: a wide-engine preset (SynthSAEBench-class data drawn on the page's GPU: synth-cpu and
// its variants, synth-16k on a GPU) trained in the page with live metrics (explained variance and L0 of the training
// batch, MCC of the decoder, F1 on a fresh batch), then the final table on fresh rows and downloads, as
// `npm start -- wide --preset NAME` gives them.
import type { GpuContext } from '../gpu/context';
import { getWidePreset, runWide, WIDE_PRESETS, type WideResult, wideSummary } from '../experiments/wide';
import { download, el, mdTableToHtml, statusOnCompile, twoColumns } from './views';

export function mountSynth(root: HTMLElement, ctx: GpuContext): () => void {
  const { side, mainCol } = twoColumns(root);

  const panel = el('div', { class: 'panel' });
  panel.append(el('h2', {}, 'SynthSAEBench-class data'));
  const preset = el('select', { id: 'synth-preset' });
  for (const [name, p] of Object.entries(WIDE_PRESETS)) preset.append(el('option', { value: name, title: p.description }, name));
  preset.value = 'synth-cpu-quick';
  const desc = el('div', { class: 'hint', id: 'synth-desc' });
  const describe = () => {
    desc.textContent = WIDE_PRESETS[preset.value].description;
  };
  describe();
  const samples = el('input', { id: 'synth-samples', placeholder: "default: the preset's" });
  const evalRows = el('input', { id: 'synth-eval-rows', placeholder: "default: the preset's" });
  const seed = el('input', { id: 'synth-seed', placeholder: "default: the preset's" });
  const errors = el('div', { class: 'errors', id: 'synth-errors' });
  const start = el('button', { class: 'primary', id: 'synth-start' }, 'Train');
  const buttons = el('div', { class: 'buttons' });
  buttons.append(start);
  panel.append(
    el('label', {}, 'Preset'),
    preset,
    desc,
    el('label', {}, 'Training samples'),
    samples,
    el('label', {}, 'Evaluation rows'),
    evalRows,
    el('label', {}, 'SAE seed'),
    seed,
    errors,
    buttons,
  );
  side.append(panel);

  const out = el('div', { class: 'panel' });
  const status = el('div', { class: 'status', id: 'synth-status' }, 'Pick a preset and train.');
  const live = el('table', { id: 'synth-live' });
  const summary = el('div', { id: 'synth-summary' });
  const dl = el('div', { class: 'downloads', id: 'synth-downloads' });
  out.append(el('h2', {}, 'Training'), status, live, summary, dl);
  mainCol.append(out);

  const num = (e: HTMLInputElement) => (e.value.trim() === '' ? undefined : Number(e.value));
  const f3 = (v: number | undefined) => (v === undefined ? '-' : v.toFixed(3));

  async function train(): Promise<void> {
    errors.textContent = '';
    summary.innerHTML = '';
    dl.innerHTML = '';
    live.innerHTML = '<tr><th>step</th><th>explained variance</th><th>L0</th><th>MCC</th><th>F1</th></tr>';
    start.setAttribute('disabled', '');
    window.appState = 'synth:running';
    const quiet = statusOnCompile(ctx, status);
    try {
      const base = getWidePreset(preset.value);
      const n = num(samples),
        e = num(evalRows),
        sd = num(seed);
      const p = {
        ...base,
        ...(n !== undefined ? { train: { ...base.train, samples: n } } : {}),
        ...(e !== undefined ? { evalRows: e } : {}),
        ...(sd !== undefined ? { seed: sd } : {}),
      };
      const result: WideResult = await runWide(ctx, p, {
        live: true,
        onProgress: (l) => {
          status.textContent = l;
        },
        onPoint: (pt) => {
          const tr = el('tr');
          for (const v of [`${pt.step + 1}`, f3(pt.explained_variance), pt.l0.toFixed(1), f3(pt.mcc), f3(pt.f1)]) tr.append(el('td', {}, v));
          live.append(tr);
        },
      });
      const md = wideSummary(result);
      status.textContent = `Done: ${result.steps} steps in ${result.timing.train_s.toFixed(1)} s on ${result.adapter}.`;
      summary.innerHTML = mdTableToHtml(md);
      for (const [name, data, type] of [
        ['results.json', JSON.stringify(result, null, 2), 'application/json'],
        ['summary.md', md, 'text/markdown'],
      ] as const) {
        const a = el('a', { id: `synth-dl-${name.replace(/\W/g, '-')}` });
        download(a, name, data, type);
        dl.append(a, document.createTextNode(' '));
      }
      window.synthResult = result;
      window.appState = 'synth:finished';
    } catch (err) {
      errors.textContent = (err as Error).message;
      window.appState = 'synth:failed';
    } finally {
      quiet();
      start.removeAttribute('disabled');
    }
  }

  preset.addEventListener('change', describe);
  start.addEventListener('click', () => void train());
  return () => {};
}
