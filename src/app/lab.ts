// Kernel lab: every kernel with its header; verify one against its CPU twin (worst error vs tolerance)
// and benchmark it (time per dispatch; GPU timestamps when the adapter has them). Editing a shader
// in shaders/ reloads it here (Vite HMR) and re-verifies it; compile errors show the file and line.
import { checkList, runCheck } from '../checks';
import { KERNEL_CHECKS, KERNEL_SHAPES } from '../checks/kernels';
import { saeTestSpec, toyTestSpec } from '../kernels/fixtures';
import type { GpuContext } from '../gpu/context';
import { ShaderCompileError } from '../gpu/errors';
import { shaderHeader } from '../gpu/shaders';
import { peakGflops } from '../bench/bench';
import { timePass } from '../bench/timing';
import { formatComparison, type Comparison } from '../checks/compare';
import { FLAG } from '../core/wire';
import { definesFor, kernelEntry, LAB_DEFINES } from '../kernels/registry';
import { GpuSaeTrainer } from '../train/sae';
import { GpuToyTrainer } from '../train/toy';
import { saeStepsVersion, type SaeKernel } from '../kernels/sae_steps';
import { toyStepsKernel } from '../kernels/toy_steps';
import { el } from './views';

export function mountLab(root: HTMLElement, ctx: GpuContext): () => void {
  const wrap = el('div', { class: 'lab' });
  const listPanel = el('div', { class: 'panel' });
  listPanel.append(el('h2', {}, 'Kernels'));
  const list = el('ul', { class: 'kernel-list', id: 'kernel-list' });
  listPanel.append(list);
  const detail = el('div');
  wrap.append(listPanel, detail);
  root.append(wrap);
  const files = Object.keys(ctx.sources)
    .filter((f) => !f.startsWith('lib/'))
    .sort();
  let selected = files.includes('sae_forward.wgsl') ? 'sae_forward.wgsl' : files[0];

  const headerPanel = el('div', { class: 'panel' });
  const header = el('pre', { id: 'kernel-header' });
  headerPanel.append(el('h2', { id: 'kernel-name' }), header);
  const actions = el('div', { class: 'panel' });
  const shapeSel = el('select', { id: 'shape' });
  KERNEL_SHAPES.forEach((s, i) => shapeSel.append(el('option', { value: String(i) }, `n=${s.N} d=${s.D} s=${s.S} M=${s.M} B=${s.B}`)));
  const verifyBtn = el('button', { class: 'primary', id: 'verify' }, 'Verify against the CPU reference');
  const benchBtn = el('button', { id: 'bench' }, 'Benchmark');
  const buttons = el('div', { class: 'buttons' });
  buttons.append(verifyBtn, benchBtn);
  const out = el('div', { id: 'lab-output' });
  actions.append(el('h2', {}, 'Verify and benchmark'), el('label', {}, 'Shape (per-kernel checks)'), shapeSel, buttons, out);
  detail.append(headerPanel, actions);

  const render = () => {
    list.innerHTML = '';
    for (const f of files) {
      const li = el('li', { 'data-kernel': f }, f.replace('.wgsl', ''));
      if (f === selected) li.className = 'sel';
      li.addEventListener('click', () => {
        selected = f;
        render();
        out.innerHTML = '';
      });
      list.append(li);
    }
    (headerPanel.querySelector('h2') as HTMLElement).textContent = selected;
    header.textContent = shaderHeader(ctx.sources[selected] ?? '');
  };

  const showError = (e: unknown) => {
    const p = el('p', { class: 'fail', id: 'lab-error' });
    p.textContent =
      e instanceof ShaderCompileError ? `compile error at ${e.file}:${e.line}:${e.column}: ${e.compilerMessage}` : `error: ${(e as Error).message}`;
    out.append(p);
  };

  const verify = async () => {
    out.innerHTML = '';
    out.append(el('p', {}, 'verifying…'));
    verifyBtn.disabled = true;
    try {
      // compile first so a broken edit is reported with its line
      const entry = kernelEntry(selected);
      await ctx.kernel(selected, { defines: { ...definesFor(selected, KERNEL_SHAPES[Number(shapeSel.value)]), ...LAB_DEFINES } });
      const name = entry.check;
      let comparisons: Comparison[];
      if (entry.bench === 'peak') {
        const p = await peakGflops(ctx);
        out.innerHTML = `<p>bench_fma is a timing kernel (no twin): ${p.gflops.toFixed(2)} GFLOP/s</p>`;
        return;
      } else if (name?.startsWith('kernel ')) {
        comparisons = await KERNEL_CHECKS[name.slice(7)](ctx, KERNEL_SHAPES[Number(shapeSel.value)]);
      } else if (name && checkList(ctx.sources)[name]) {
        comparisons = (await runCheck(ctx, name)).comparisons;
      } else throw new Error(`no check covers ${selected}`);
      out.innerHTML = '';
      const ok = comparisons.every((c) => c.pass);
      out.append(el('p', { class: ok ? 'pass' : 'fail', id: 'verdict' }, ok ? `PASS: ${comparisons.length} comparisons within tolerance` : 'FAIL'));
      const pre = el('pre', { id: 'comparisons' });
      pre.textContent = comparisons.map(formatComparison).join('\n');
      out.append(pre);
    } catch (e) {
      out.innerHTML = '';
      showError(e);
    } finally {
      verifyBtn.disabled = false;
    }
  };

  const bench = async () => {
    out.innerHTML = '';
    out.append(el('p', {}, 'benchmarking…'));
    benchBtn.disabled = true;
    try {
      const s = KERNEL_SHAPES[Number(shapeSel.value)];
      const lines: string[] = [];
      const entry = kernelEntry(selected);
      if (entry.bench === 'peak') {
        const p = await peakGflops(ctx);
        lines.push(`peak ${p.gflops.toFixed(3)} GFLOP/s (${p.ms.toFixed(2)} ms, ${p.method})`);
      } else {
        if (entry.bench === 'standalone') throw new Error(`${selected} is not part of a training step; it is verified, not benchmarked here`);
        const toy = entry.bench === 'toy-modular' || entry.bench === 'toy-fused';
        // the version the entry is (src/kernels/*/index.ts); the modular kernels train with the first fused version's job
        const job = toy
          ? await GpuToyTrainer.create(ctx, { ...toyTestSpec(s.M, 100) }, { kernel: entry.bench === 'toy-fused' ? toyStepsKernel(entry.version) : 'modular' })
          : await GpuSaeTrainer.create(ctx, saeTestSpec({ N: s.N, D: s.D, S: s.S, sets: s.sets, M: s.M, B: s.B, T: 100, flags: FLAG.GHOST }), {
              path: entry.bench === 'sae-fused' ? 'fused' : 'modular',
              kernel: entry.version ? (saeStepsVersion(entry.version).name as SaeKernel) : 'v1',
            });
        try {
          const op = job.ops.find((o) => o.kernel.name === selected);
          if (!op) throw new Error(`${selected} is not part of a training step at this shape; it is verified, not benchmarked here`);
          const t = await timePass(ctx, (pass) => job.dispatchOp(pass, op), { runs: 5 });
          lines.push(`${selected}: ${t.ms.toFixed(3)} ms per dispatch (median of 5, ${t.method} timing), workgroups ${op.wg.join(' x ')}`);
        } finally {
          job.destroy();
        }
      }
      out.innerHTML = '';
      const pre = el('pre', { id: 'bench-output' });
      pre.textContent = lines.join('\n');
      out.append(pre);
    } catch (e) {
      out.innerHTML = '';
      showError(e);
    } finally {
      benchBtn.disabled = false;
    }
  };

  verifyBtn.addEventListener('click', () => void verify());
  benchBtn.addEventListener('click', () => void bench());
  const onShaders = () => {
    render();
    void verify();
  };
  window.addEventListener('shaders-changed', onShaders);
  render();
  return () => window.removeEventListener('shaders-changed', onShaders);
}
