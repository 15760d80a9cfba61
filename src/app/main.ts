// The browser app: acquires WebGPU (or explains what is missing), then routes between the experiment
// page, the kernel lab, the synthetic benchmark's presets and the page that trains on your own activations. Same kernels, runner and figures as the CLI.
import type { GpuContext } from '../gpu/context';
import { acquireDevice } from '../gpu/device';
import { WebGPUUnavailableError } from '../gpu/errors';
import { bundledShaderSources } from '../gpu/shaders-browser';
import { mountExperiment } from './experiment';
import { mountLab } from './lab';
import { mountActivations } from './activations';
import { mountSynth } from './synth';

const app = document.getElementById('app')!;

function noWebGPU(message: string): void {
  app.innerHTML = '';
  const box = document.createElement('div');
  box.className = 'nogpu';
  box.id = 'no-webgpu';
  box.innerHTML = `<h2>WebGPU is not available in this browser</h2>
    <p class="errors"></p>
    <p>This kit trains its models with WebGPU compute shaders. To use it:</p>
    <ul>
      <li>Use a browser with WebGPU: Chrome or Edge 113+ (desktop), Safari 26+, or Firefox 141+ on Windows.</li>
      <li>On Linux, Chromium needs <code>--enable-unsafe-webgpu</code> (and <code>--enable-features=Vulkan</code>); check <code>chrome://gpu</code>.</li>
      <li>Open the page from <code>http://localhost</code>, <code>http://127.0.0.1</code> or <code>https://</code>: WebGPU exists only in secure contexts.</li>
      <li>Without a browser, the same study runs from the command line: <code>npm start</code>.</li>
    </ul>`;
  box.querySelector('.errors')!.textContent = message;
  app.appendChild(box);
  window.appState = 'no-webgpu';
}

let ctx: GpuContext | null = null;
let unmount: (() => void) | null = null;

async function route(): Promise<void> {
  if (!ctx) return;
  const pages = ['lab', 'activations', 'synth'] as const;
  const page = pages.find((p) => location.hash.startsWith(`#/${p}`)) ?? 'experiment';
  document.querySelectorAll('header nav a').forEach((a) => a.classList.toggle('active', a.id === `nav-${page}`));
  unmount?.();
  app.innerHTML = '';
  const mount = { lab: mountLab, activations: mountActivations, synth: mountSynth, experiment: mountExperiment }[page];
  unmount = mount(app, ctx);
  window.appState = `ready:${page}`;
}

async function start(): Promise<void> {
  try {
    ctx = await acquireDevice({ sources: bundledShaderSources, runtime: 'browser' });
  } catch (e) {
    noWebGPU(e instanceof WebGPUUnavailableError ? e.message : `WebGPU failed to start: ${(e as Error).message}`);
    return;
  }
  document.getElementById('adapter')!.textContent = `${ctx.adapter.vendor} ${ctx.adapter.architecture}${ctx.adapter.isFallbackAdapter ? ' (software)' : ''}`;
  ctx.device.lost.then((info) => {
    if (info.reason !== 'destroyed') noWebGPU(`The GPU device was lost (${info.reason}): ${info.message}. Reload the page.`);
  });
  window.addEventListener('hashchange', () => void route());
  await route();
}

if (import.meta.hot) {
  // shader edits: swap the sources in the live context so the kernel lab re-verifies them
  import.meta.hot.accept('../gpu/shaders-browser', (mod) => {
    if (mod && ctx) {
      ctx.setSources((mod as unknown as typeof import('../gpu/shaders-browser')).bundledShaderSources);
      window.dispatchEvent(new CustomEvent('shaders-changed'));
    }
  });
}

void start();
