// Kernel lab: every kernel with its header; verify one against its CPU twin (worst error vs tolerance)
// and benchmark it (time per dispatch; GPU timestamps when the adapter has them). Editing a shader
// in shaders/ reloads it here (Vite HMR) and re-verifies it; compile errors show the file and line.
import { CHECKS, runCheck } from '../checks';
import { KERNEL_CHECKS, KERNEL_SHAPES } from '../checks/kernels';
import { saeTestSpec } from '../checks/training';
import type { GpuContext } from '../gpu/context';
import { ShaderCompileError } from '../gpu/errors';
import { shaderHeader } from '../gpu/shaders';
import { peakGflops } from '../bench/bench';
import { timePass } from '../bench/timing';
import { formatComparison, type Comparison } from '../reference/compare';
import { FLAG } from '../reference/common';
import { GpuSaeTrainer, GpuToyTrainer } from '../train/gpu';
import { toyTestSpec } from '../checks/training';

/** Which check covers which kernel file. */
export const KERNEL_CHECK_OF: Record<string, string> = {
  'sample_data.wgsl': 'kernel sample_data', 'copy_step.wgsl': 'kernel copy_step',
  'toy_forward.wgsl': 'kernel toy_forward_grad_loss', 'toy_grad.wgsl': 'kernel toy_forward_grad_loss', 'toy_loss.wgsl': 'kernel toy_forward_grad_loss',
  'adam.wgsl': 'kernel adam', 'sae_normalize.wgsl': 'kernel sae_normalize_project', 'sae_project_grad.wgsl': 'kernel sae_normalize_project',
  'sae_dead.wgsl': 'kernel sae_dead_firing', 'sae_firing.wgsl': 'kernel sae_dead_firing',
  'sae_forward.wgsl': 'kernel sae_forward_grad_loss', 'sae_grad.wgsl': 'kernel sae_forward_grad_loss', 'sae_cos_grad.wgsl': 'kernel sae_forward_grad_loss', 'sae_loss.wgsl': 'kernel sae_forward_grad_loss',
  'sae_batch_stats.wgsl': 'kernel sae_forward_grad_loss', 'sae_batch_topk.wgsl': 'kernel sae_forward_grad_loss',
  'sae_probe.wgsl': 'kernel sae_probe_eval', 'sae_eval.wgsl': 'kernel sae_probe_eval',
  'matmul_batched.wgsl': 'matmul-batched', 'rng_fill.wgsl': 'rng-streams',
  'sae_fused_steps.wgsl': 'train SAE fused K=7: study shape d=2 s=4, ghost (quirk), M=6, 50 steps',
  'sae_fused_steps_v2.wgsl': 'train SAE fused v2 K=7: study shape d=2 s=4, ghost (quirk), M=6, 50 steps', 'toy_fused_steps.wgsl': 'train toy fused K=7: n=4 d=2 AdamW M=3, 50 steps', 'step_advance.wgsl': 'train SAE study shape d=2 s=4, ghost (quirk), M=6, 50 steps',
};

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text = ''): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text) e.textContent = text;
  return e;
}

export function mountLab(root: HTMLElement, ctx: GpuContext): () => void {
  const wrap = el('div', { class: 'lab' });
  const listPanel = el('div', { class: 'panel' });
  listPanel.append(el('h2', {}, 'Kernels'));
  const list = el('ul', { class: 'kernel-list', id: 'kernel-list' });
  listPanel.append(list);
  const detail = el('div');
  wrap.append(listPanel, detail);
  root.append(wrap);
  const files = Object.keys(ctx.sources).filter((f) => !f.startsWith('lib/')).sort();
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
      li.addEventListener('click', () => { selected = f; render(); out.innerHTML = ''; });
      list.append(li);
    }
    (headerPanel.querySelector('h2') as HTMLElement).textContent = selected;
    header.textContent = shaderHeader(ctx.sources[selected] ?? '');
  };

  const showError = (e: unknown) => {
    const p = el('p', { class: 'fail', id: 'lab-error' });
    p.textContent = e instanceof ShaderCompileError ? `compile error at ${e.file}:${e.line}:${e.column}: ${e.compilerMessage}` : `error: ${(e as Error).message}`;
    out.append(p);
  };

  const verify = async () => {
    out.innerHTML = '';
    out.append(el('p', {}, 'verifying…'));
    verifyBtn.disabled = true;
    try {
      // compile first so a broken edit is reported with its line
      if (selected !== 'bench_fma.wgsl') await ctx.kernel(selected, { defines: defaultsFor(selected) });
      const name = KERNEL_CHECK_OF[selected];
      let comparisons: Comparison[];
      if (selected === 'bench_fma.wgsl') {
        const p = await peakGflops(ctx);
        comparisons = [];
        out.innerHTML = `<p>bench_fma is a timing kernel (no twin): ${p.gflops.toFixed(2)} GFLOP/s</p>`;
        return;
      } else if (name?.startsWith('kernel ')) {
        comparisons = await KERNEL_CHECKS[name.slice(7)](ctx, KERNEL_SHAPES[Number(shapeSel.value)]);
      } else if (name && CHECKS[name]) {
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
      if (selected === 'bench_fma.wgsl') {
        const p = await peakGflops(ctx);
        lines.push(`peak ${p.gflops.toFixed(3)} GFLOP/s (${p.ms.toFixed(2)} ms, ${p.method})`);
      } else {
        const toy = selected.startsWith('toy_');
        const job = toy ? await GpuToyTrainer.create(ctx, { ...toyTestSpec(s.M, 100) })
          : await GpuSaeTrainer.create(ctx, saeTestSpec({ N: s.N, D: s.D, S: s.S, sets: s.sets, M: s.M, B: s.B, T: 100, flags: FLAG.GHOST }), { path: selected === 'sae_fused_steps.wgsl' ? 'fused' : 'modular' });
        try {
          const ops = (job as unknown as { ops: { kernel: { name: string; dispatch: (p: GPUComputePassEncoder, g: GPUBindGroup[], x: number, y?: number, z?: number) => void }; groups: GPUBindGroup[]; wg: [number, number, number] }[] }).ops;
          const op = ops.find((o) => o.kernel.name === selected);
          if (!op) throw new Error(`${selected} is not part of a training step at this shape; it is verified, not benchmarked here`);
          const t = await timePass(ctx, (pass) => op.kernel.dispatch(pass, op.groups, ...op.wg), { runs: 5 });
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
  const onShaders = () => { render(); void verify(); };
  window.addEventListener('shaders-changed', onShaders);
  render();
  return () => window.removeEventListener('shaders-changed', onShaders);
}

/** Compile-time shapes used to compile a kernel on its own (the study's shape). */
function defaultsFor(file: string): Record<string, string | number> {
  const base = { N_FEAT: 4, D_HID: 2, S_LAT: 4 };
  if (file === 'sample_data.wgsl' || file === 'sae_fused_steps.wgsl') return { ...base, N_SETS: 2, SET_SIZES: '2u, 2u', K_STEPS: 1, WG: 16 };
  if (file === 'copy_step.wgsl') return { ...base, WIDTH: 2 };
  if (file === 'adam.wgsl') return { ...base, P_COUNT: 22 };
  if (file === 'step_advance.wgsl') return { AMOUNT: 1 };
  if (file === 'bench_fma.wgsl') return { ITERS: 16 };
  return base;
}
