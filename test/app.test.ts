// The browser app through the harness (headless Chromium, software WebGPU): the experiment page runs a
// tiny preset to the end, shows figures and enables downloads, survives a reload; the kernel lab
// verifies a kernel; without WebGPU a help page appears. Screenshots go to test-output/ for review.
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { build } from 'vite';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tmpDirs } from './tmp';
import type { ElementHandle } from 'puppeteer-core';
import { closeServer, openHarness } from '../harness/launch';
import { rngUnit } from '../src/core/rng';
import { encodeNpy } from '../src/io/npy';
import { openActivations } from '../src/io/activations-node';
import { acquireNodeDevice, releaseNodeGpu } from '../src/gpu/node';
import { type ActivationsResult, activationsConfig, runActivations } from '../src/experiments/wide-activations';
import { getWidePreset, runWide, type WideResult } from '../src/experiments/wide';

const SHOTS = join(__dirname, '..', 'test-output');
mkdirSync(SHOTS, { recursive: true });
afterAll(closeServer);
const tmp = tmpDirs('sae-build-');

describe('browser app', () => {
  it('runs the tiny preset to the end with live figures, final figures, downloads; reopens after reload', async () => {
    const h = await openHarness({ page: 'index.html' });
    try {
      await h.page.setViewport({ width: 1280, height: 800 });
      await h.page.waitForFunction(() => window.appState === 'ready:experiment', { timeout: 60_000 });
      expect(await h.page.$eval('#preset', (e) => (e as HTMLSelectElement).value)).toBe('tiny');
      // an invalid edit is marked with the reason and disables Start
      const valid = await h.page.$eval('#config', (e) => (e as HTMLTextAreaElement).value);
      await h.page.$eval(
        '#config',
        (e, v) => {
          (e as HTMLTextAreaElement).value = v;
          e.dispatchEvent(new Event('input'));
        },
        valid.replace('"p_onehot": 0', '"p_onehot": 1.5'),
      );
      expect(await h.page.$eval('#config-errors', (e) => e.textContent)).toMatch(/data\.p_onehot: must be <= 1/);
      expect(await h.page.$eval('#start', (e) => (e as HTMLButtonElement).disabled)).toBe(true);
      await h.page.$eval(
        '#config',
        (e, v) => {
          (e as HTMLTextAreaElement).value = v;
          e.dispatchEvent(new Event('input'));
        },
        valid,
      );
      await h.page.click('#start');
      // Pause at once (the tiny run is over in seconds): the status says so and stays so until Resume
      await h.page.click('#pause');
      await h.page.waitForFunction(() => /^paused/.test(document.querySelector('#status')?.textContent ?? ''), { timeout: 30_000 });
      expect(await h.page.$eval('#pause', (e) => e.textContent)).toBe('Resume');
      await new Promise((r) => setTimeout(r, 1500));
      expect(await h.page.$eval('#status', (e) => e.textContent)).toMatch(/^paused/);
      await h.page.screenshot({ path: join(SHOTS, 'app-paused.png') });
      await h.page.click('#pause');
      expect(await h.page.$eval('#status', (e) => e.textContent)).not.toMatch(/^paused/);
      await h.page.waitForSelector('#live-grid svg', { timeout: 120_000 });
      expect(await h.page.$eval('#live-grid', (e) => e.textContent)).toMatch(/T\d+ C\d+ P\d+ M\d+/);
      await h.page.screenshot({ path: join(SHOTS, 'app-running.png') });
      // the live loss chart: compact tick labels (no '.822m' or '200.000000')
      const ticks = await h.page.$$eval('#live-loss svg g[aria-label$="tick label"] text', (t) => t.map((x) => x.textContent ?? ''));
      expect(ticks.filter((t) => t).length).toBeGreaterThan(1);
      for (const t of ticks) expect(t, t).toMatch(/^([-\d.k]{1,7})?$/); // log axes leave some ticks unlabelled
      await h.page.waitForFunction(() => ['finished', 'failed'].includes(window.appState ?? ''), { timeout: 300_000 });
      expect(await h.page.$eval('#status', (e) => e.textContent)).toMatch(/finished in/);
      // the live chart, drawn once more at the end: its x axis spans the run's 200 SAE steps, with every report on it
      const xTicks = await h.page.$$eval('#live-loss svg g[aria-label="x-axis tick label"] text', (t) => t.map((x) => x.textContent ?? ''));
      expect(xTicks.filter(Boolean).at(-1)).toBe('200');
      expect(await h.page.$$eval('#live-loss svg g[aria-label="dot"] circle', (c) => c.length)).toBeGreaterThan(2);
      expect(await h.page.$$eval('#final-figures svg', (s) => s.length)).toBeGreaterThanOrEqual(4);
      const links = await h.page.$$eval('#downloads a', (as) =>
        as.map((a) => ({ href: (a as HTMLAnchorElement).href, name: (a as HTMLAnchorElement).download })),
      );
      expect(links.map((l) => l.name)).toEqual(expect.arrayContaining(['results.json', 'correlated-saes.safetensors', 'correlated-grid.svg']));
      expect(links.every((l) => l.href.startsWith('blob:'))).toBe(true);
      expect(await h.page.$eval('#summary table', (t) => t.textContent)).toMatch(/correlated/);
      await h.page.screenshot({ path: join(SHOTS, 'app-finished.png'), fullPage: true });
      await h.page.reload({ waitUntil: 'load' });
      await h.page.waitForSelector('#runs a[data-run]', { timeout: 60_000 });
      await h.page.click('#runs a[data-run]');
      await h.page.waitForSelector('#final-figures svg');
      expect(await h.page.$$eval('#final-figures svg', (s) => s.length)).toBeGreaterThanOrEqual(4);
    } finally {
      await h.close();
    }
  });

  it('runs several experiments given as a JSON array (a preset of many) and shows them all', async () => {
    const h = await openHarness({ page: 'index.html' });
    try {
      await h.page.setViewport({ width: 1280, height: 800 });
      await h.page.waitForFunction(() => window.appState === 'ready:experiment', { timeout: 60_000 });
      const one = JSON.parse(await h.page.$eval('#config', (e) => (e as HTMLTextAreaElement).value));
      const two = [
        { ...one, sae: { ...one.sae, steps: 40 } },
        { ...one, name: 'topk', sae: { ...one.sae, steps: 40, variant: 'topk', k: 2 } },
      ];
      await h.page.$eval(
        '#config',
        (e, v) => {
          (e as HTMLTextAreaElement).value = v;
          e.dispatchEvent(new Event('input'));
        },
        JSON.stringify(two),
      );
      expect(await h.page.$eval('#config-errors', (e) => e.textContent)).toBe('');
      await h.page.click('#start');
      await h.page.waitForFunction(() => ['finished', 'failed'].includes(window.appState ?? ''), { timeout: 300_000 });
      expect(await h.page.$eval('#status', (e) => e.textContent)).toMatch(/\[2\/2 topk\] finished/);
      expect(await h.page.$eval('#all-results table', (t) => t.textContent)).toMatch(/correlated[\s\S]*topk/);
    } finally {
      await h.close();
    }
  });

  it('kernel lab verifies a kernel against its twin and benchmarks it', async () => {
    const h = await openHarness({ page: 'index.html#/lab' });
    try {
      await h.page.setViewport({ width: 1280, height: 800 });
      await h.page.waitForFunction(() => window.appState === 'ready:lab', { timeout: 60_000 });
      expect(await h.page.$$eval('#kernel-list li', (l) => l.length)).toBeGreaterThan(15);
      expect(await h.page.$eval('#kernel-header', (e) => e.textContent)).toMatch(/Bindings:/);
      await h.page.click('#verify');
      await h.page.waitForSelector('#verdict, #lab-error', { timeout: 120_000 });
      expect(await h.page.$eval('#verdict', (e) => e.textContent)).toMatch(/^PASS/);
      expect(await h.page.$eval('#comparisons', (e) => e.textContent)).toMatch(/sae_forward .*maxAbs=/);
      await h.page.click('#bench');
      await h.page.waitForSelector('#bench-output, #lab-error', { timeout: 120_000 });
      expect(await h.page.$eval('#bench-output', (e) => e.textContent)).toMatch(/ms per dispatch/);
      // the layout fits a 1280 px window (long result lines wrap instead of widening the page)
      expect(await h.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1280);
      await h.page.screenshot({ path: join(SHOTS, 'lab.png') });
    } finally {
      await h.close();
    }
  });

  it('names a bad dropped file, then trains a wide SAE on a picked activations file as the CLI does on the same file (Node WebGPU)', async () => {
    // 600 rows in d = 16: sparse codes over 40 directions (the CLI test's data)
    const N = 600,
      d = 16;
    const x = new Float32Array(N * d);
    for (let r = 0; r < N; r++)
      for (let i = 0; i < 40; i++)
        if (rngUnit(3, 0, r, i, 0) < 0.1) for (let j = 0; j < d; j++) x[r * d + j] += 3 * (1 + rngUnit(3, 0, r, i, 1)) * Math.sin((i * d + j) * 12.9898) * 0.5;
    const dir = tmp();
    const path = join(dir, 'acts.npy');
    writeFileSync(path, encodeNpy([N, d], x));
    const form = { width: '32', k: '4', samples: '1280', lr: '0.003' };
    const h = await openHarness({ page: 'index.html#/activations' });
    let page: ActivationsResult;
    try {
      await h.page.waitForFunction(() => window.appState === 'ready:activations', { timeout: 60_000 });
      // a file dropped on the drop zone that is not activations: a named error, Train stays off
      await h.page.evaluate(() => {
        const dt = new DataTransfer();
        dt.items.add(new File(['not numpy'], 'bad.npy'));
        document.getElementById('drop')!.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
      });
      await h.page.waitForFunction(() => window.appState === 'activations:failed', { timeout: 30_000 });
      expect(await h.page.$eval('#act-errors', (e) => e.textContent)).toMatch(/bad\.npy: not a \.npy file \(bad magic\)/);
      expect(await h.page.$eval('#act-start', (e) => (e as HTMLButtonElement).disabled)).toBe(true);
      await ((await h.page.$('#act-file')) as ElementHandle<HTMLInputElement>).uploadFile(path);
      await h.page.waitForFunction(() => window.appState === 'activations:loaded', { timeout: 30_000 });
      expect(await h.page.$eval('#act-status', (e) => e.textContent)).toContain('600 rows of d = 16 (f32)');
      for (const [id, v] of Object.entries(form)) await h.page.type(`#act-${id}`, v);
      await h.page.click('#act-start');
      await h.page.waitForFunction(() => ['activations:finished', 'activations:failed'].includes(window.appState ?? ''), { timeout: 300_000 });
      expect(await h.page.$eval('#act-errors', (e) => e.textContent)).toBe('');
      page = (await h.page.evaluate(() => window.activationsResult)) as ActivationsResult;
      const links = await h.page.$$eval('#act-downloads a', (as) => as.map((a) => a.textContent));
      expect(links).toEqual(['results.json', 'summary.md', 'sae_weights.safetensors', 'cfg.json']);
      await h.page.screenshot({ path: join(SHOTS, 'activations.png') });
    } finally {
      await h.close();
    }
    // the CLI's path on the same file and options, on Node's adapter
    const f = openActivations(path);
    const ctx = await acquireNodeDevice();
    try {
      const c = activationsConfig(f, { variant: 'batchtopk', width: 32, k: 4, samples: 1280, lr: 0.003, seed: 0, normalize: 'none' });
      expect(page.config).toEqual(c);
      const { result } = await runActivations(ctx, f, c);
      expect(page.steps).toBe(result.steps);
      // same kernels and draws; the adapters may round differently: explained variance within 1e-4, L0 within 1e-3
      expect(Math.abs(page.final.explained_variance - result.final.explained_variance)).toBeLessThan(1e-4);
      expect(Math.abs(page.final.l0 - result.final.l0)).toBeLessThan(1e-3);
      expect(page.final.rows).toBe(60);
    } finally {
      releaseNodeGpu(ctx);
      f.close();
    }
  }, 600_000);

  it('trains a synthetic-benchmark preset in the page with live MCC and F1, as the CLI does (Node WebGPU)', async () => {
    const h = await openHarness({ page: 'index.html#/synth' });
    let page: WideResult;
    try {
      await h.page.waitForFunction(() => window.appState === 'ready:synth', { timeout: 60_000 });
      expect(await h.page.$eval('#synth-preset', (e) => (e as HTMLSelectElement).value)).toBe('synth-cpu-quick');
      await h.page.type('#synth-samples', '2048');
      await h.page.type('#synth-eval-rows', '1024');
      await h.page.click('#synth-start');
      await h.page.waitForFunction(() => ['synth:finished', 'synth:failed'].includes(window.appState ?? ''), { timeout: 300_000 });
      expect(await h.page.$eval('#synth-errors', (e) => e.textContent)).toBe('');
      page = (await h.page.evaluate(() => window.synthResult)) as WideResult;
      // the live table: one row per logged step, MCC and F1 filled in
      const rows = await h.page.$$eval('#synth-live tr', (trs) => trs.slice(1).map((tr) => Array.from(tr.children, (td) => td.textContent)));
      expect(rows.length).toBe(page.curve.length);
      for (const r of rows) expect(r[3]).toMatch(/^0\.\d{3}$/);
      expect(await h.page.$$eval('#synth-downloads a', (as) => as.map((a) => a.textContent))).toEqual(['results.json', 'summary.md']);
      await h.page.screenshot({ path: join(SHOTS, 'synth.png') });
    } finally {
      await h.close();
    }
    const ctx = await acquireNodeDevice();
    try {
      const base = getWidePreset('synth-cpu-quick');
      const cli = await runWide(ctx, { ...base, train: { ...base.train, samples: 2048 }, evalRows: 1024 });
      expect(page.steps).toBe(cli.steps);
      // the same kernels and draws on two software adapters: within 1e-4
      for (const k of ['mcc', 'f1', 'explained_variance', 'l0'] as const) expect(Math.abs(page.final[k] - cli.final[k])).toBeLessThan(1e-4);
    } finally {
      releaseNodeGpu(ctx);
    }
  }, 600_000);

  it('without WebGPU shows what is missing and how to enable it', async () => {
    const h = await openHarness({ page: 'index.html', webgpu: false });
    try {
      await h.page.setViewport({ width: 1280, height: 800 });
      await h.page.waitForFunction(() => window.appState === 'no-webgpu', { timeout: 60_000 });
      const text = await h.page.$eval('#no-webgpu', (e) => e.textContent ?? '');
      expect(text).toMatch(/WebGPU is not available/);
      expect(text).toMatch(/--enable-unsafe-webgpu/);
      expect(text).toMatch(/requestAdapter\(\) returned null|navigator\.gpu is missing/);
      await h.page.screenshot({ path: join(SHOTS, 'no-webgpu.png') });
    } finally {
      await h.close();
    }
  });

  it('npm run build produces a static site with relative asset paths', async () => {
    const outDir = tmp();
    await build({ root: join(__dirname, '..'), logLevel: 'error', build: { outDir, emptyOutDir: true } });
    const html = readFileSync(join(outDir, 'index.html'), 'utf8');
    expect(html).toMatch(/src="\.\/assets\/[^"]+\.js"/);
    expect(readdirSync(join(outDir, 'assets')).some((f) => f.endsWith('.js'))).toBe(true);
  });
});
