// "Your activations" page: drop (or pick) a .npy or .safetensors file of activations [N, d] and train a wide SAE
// on it in the page, as `npm start -- wide --activations FILE` does (the same checks, config defaults, trainer and
// held-out evaluation); the results and the SAE in SAELens's layout come back as downloads. The file is read into
// the tab's memory (the CLI streams it from disk instead: use it for files larger than a few hundred MB).
import type { GpuContext } from '../gpu/context';
import { ActivationsError, type ActivationsFile, bytesSource, openActivationsFrom, scanActivations } from '../io/activations';
import { SAE_CFG_FILENAME, SAE_WEIGHTS_FILENAME, toSaeLens } from '../io/saelens';
import { encodeSafetensors } from '../io/safetensors';
import { activationsConfig, activationsSummary, runActivations } from '../experiments/wide-activations';
import { SAE_VARIANTS } from '../variants';
import { download, el, mdTableToHtml, twoColumns } from './views';

/** The variants the wide engine runs (those with a wide recipe). */
const WIDE_VARIANTS = SAE_VARIANTS.filter((v) => v.wide).map((v) => v.name);

export function mountActivations(root: HTMLElement, ctx: GpuContext): () => void {
  const { side, mainCol } = twoColumns(root);

  const panel = el('div', { class: 'panel' });
  panel.append(el('h2', {}, 'Your activations'));
  const drop = el('div', { class: 'drop', id: 'drop' }, 'Drop a .npy or .safetensors file of activations [N, d] here, or pick one:');
  const input = el('input', { type: 'file', id: 'act-file', accept: '.npy,.safetensors' });
  drop.append(input);
  const variant = el('select', { id: 'act-variant' });
  for (const v of WIDE_VARIANTS) variant.append(el('option', { value: v }, v));
  variant.value = 'batchtopk';
  const field = (id: string, hint: string) => el('input', { id, placeholder: hint });
  const k = field('act-k', 'default min(32, width / 8)');
  const lambda = field('act-lambda', 'L1 / L0 coefficient (relu, jumprelu)');
  const width = field('act-width', 'default 4 d');
  const samples = field('act-samples', 'default one epoch of the training rows');
  const lr = field('act-lr', 'default 3e-4');
  const normalize = el('select', { id: 'act-normalize' });
  for (const n of ['none', 'expected_average_only_in']) normalize.append(el('option', { value: n }, n));
  const errors = el('div', { class: 'errors', id: 'act-errors' });
  const start = el('button', { class: 'primary', id: 'act-start', disabled: '' }, 'Train');
  panel.append(
    drop,
    el('label', {}, 'Variant'),
    variant,
    el('label', {}, 'k (TopK family)'),
    k,
    el('label', {}, 'lambda'),
    lambda,
    el('label', {}, 'Width (latents)'),
    width,
    el('label', {}, 'Training samples'),
    samples,
    el('label', {}, 'Learning rate'),
    lr,
    el('label', {}, 'Normalisation (SAELens)'),
    normalize,
    errors,
    el('div', { class: 'buttons' }),
  );
  panel.lastElementChild!.append(start);
  side.append(panel);

  const out = el('div', { class: 'panel' });
  const status = el('div', { class: 'status', id: 'act-status' }, 'No file yet.');
  const summary = el('div', { id: 'act-summary' });
  const dl = el('div', { class: 'downloads', id: 'act-downloads' });
  out.append(el('h2', {}, 'Training'), status, summary, dl);
  mainCol.append(out);

  let file: { name: string; bytes: Uint8Array } | null = null;
  let opened: ActivationsFile | null = null;
  const num = (e: HTMLInputElement) => (e.value.trim() === '' ? undefined : Number(e.value));

  async function take(f: File): Promise<void> {
    errors.textContent = '';
    summary.innerHTML = '';
    dl.innerHTML = '';
    start.setAttribute('disabled', '');
    opened?.close();
    opened = null;
    try {
      file = { name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) };
      opened = openActivationsFrom(bytesSource(f.name, file.bytes));
      status.textContent = `${f.name}: ${opened.rows.toLocaleString('en-US')} rows of d = ${opened.d} (${opened.dtype}).`;
      start.removeAttribute('disabled');
      window.appState = 'activations:loaded';
    } catch (e) {
      errors.textContent = (e as Error).message;
      status.textContent = 'No usable file.';
      window.appState = 'activations:failed';
    }
  }

  async function train(): Promise<void> {
    if (!opened || !file) return;
    errors.textContent = '';
    start.setAttribute('disabled', '');
    window.appState = 'activations:running';
    try {
      const c = activationsConfig(opened, {
        variant: variant.value,
        k: num(k),
        lambda: num(lambda),
        width: num(width),
        samples: num(samples),
        lr: num(lr),
        seed: 0,
        normalize: normalize.value as 'none' | 'expected_average_only_in',
      });
      status.textContent = 'Scanning every row (NaN, Inf, mean norm)…';
      const t0 = performance.now();
      const scan = scanActivations(opened, { normRows: opened.rows - c.evalRows });
      const seconds = (performance.now() - t0) / 1000;
      const { result, sae } = await runActivations(ctx, opened, c, {
        scan: { ...scan, seconds },
        onProgress: (l) => {
          status.textContent = l;
        },
      });
      const md = activationsSummary(result);
      status.textContent = `Done: ${result.steps} steps in ${result.timing.train_s.toFixed(1)} s.`;
      summary.innerHTML = mdTableToHtml(md);
      // the run's data, SAE and timing lines above the table
      for (const line of md
        .split('\n')
        .filter((l) => l.startsWith('- '))
        .reverse())
        summary.prepend(el('p', { class: 'hint' }, line.slice(2)));
      const add = (name: string, data: BlobPart, type: string) => {
        const a = el('a', { id: `act-dl-${name.replace(/\W/g, '-')}` });
        download(a, name, data, type);
        dl.append(a, document.createTextNode(' '));
      };
      add('results.json', JSON.stringify(result, null, 2), 'application/json');
      add('summary.md', md, 'text/markdown');
      // the results first: an SAE that cannot be exported still leaves its numbers
      const { cfg, tensors } = toSaeLens(sae());
      add(SAE_WEIGHTS_FILENAME, encodeSafetensors(tensors) as BlobPart, 'application/octet-stream');
      add(SAE_CFG_FILENAME, `${JSON.stringify(cfg, null, 2)}\n`, 'application/json');
      window.activationsResult = result;
      window.appState = 'activations:finished';
    } catch (e) {
      errors.textContent = e instanceof ActivationsError ? e.message : `${(e as Error).message}`;
      window.appState = 'activations:failed';
    } finally {
      start.removeAttribute('disabled');
    }
  }

  input.addEventListener('change', () => {
    if (input.files?.[0]) void take(input.files[0]);
  });
  drop.addEventListener('dragover', (e) => e.preventDefault());
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    const f = e.dataTransfer?.files?.[0];
    if (f) void take(f);
  });
  start.addEventListener('click', () => void train());
  return () => opened?.close();
}
