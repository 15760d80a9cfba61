// The browser page's views: the live decoder grid, rotated like the final figures (x1 on +x) and counted with the
// report's coverage verdicts; the preset drop-down's labels short enough for the side column.
import { describe, expect, it } from 'vitest';
import { livePoints, lossChart, statusOnCompile } from '../../src/app/views';
import type { CompileEvent, GpuContext } from '../../src/gpu/context';
import { decoderGrid } from '../../src/plots/figures';
import { nodeDocument } from '../../src/plots/dom-node';
import { getPreset } from '../../src/experiments/presets';
import { parseExperiment } from '../../src/config/schema';
import { saeLayout } from '../../src/core/wire';

describe('live grid', () => {
  it('rotates decoder rows and toy features so x1 lies on +x, and counts coverage verdicts', () => {
    const c = parseExperiment(getPreset('study-quick').experiments[0]);
    const a = Math.PI / 6; // the toy model stores x1 at 30 degrees, x2 opposite, y1 / y2 at 120 / 300 degrees
    const dir = (t: number) => [Math.cos(t), Math.sin(t)];
    const features = [dir(a), dir(a + Math.PI), dir(a + Math.PI / 2), dir(a + 1.5 * Math.PI)];
    const L = saeLayout({ D: 2, S: 4 });
    const params = new Float32Array(2 * L.P);
    // model 0 learns the true features; model 1 two diagonals only (a missing composed direction: partial)
    features.forEach((f, k) => params.set(f, L.WD + 2 * k));
    const diag = [dir(a + Math.PI / 4), dir(a + Math.PI / 4), dir(a + (5 * Math.PI) / 4), dir(a + (5 * Math.PI) / 4)];
    diag.forEach((f, k) => params.set(f, L.P + L.WD + 2 * k));
    const models = [
      { lr: c.grid.lr[0], l1: c.grid.l1[0], realization: 0 },
      { lr: c.grid.lr[0], l1: c.grid.l1[0], realization: 1 },
    ];
    const { arrows, feats, rays, labels } = livePoints(c, params, models, features);
    expect(arrows[0].x2).toBeCloseTo(1, 6);
    expect(arrows[0].y2).toBeCloseTo(0, 6);
    expect(arrows[2].x2).toBeCloseTo(0, 6);
    expect(arrows[2].y2).toBeCloseTo(1, 6);
    expect(feats[0].x2).toBeCloseTo(1, 6);
    expect(feats[0].y2).toBeCloseTo(0, 6);
    expect(feats.slice(0, 4).map((f) => f.set)).toEqual([0, 0, 1, 1]);
    expect(labels).toEqual([{ lr: c.grid.lr[0], l1: c.grid.l1[0], text: 'T1 C0 P1 M0' }]);
    // the composed rays of every cell (2 x 2 sets: 4 directions), as the final grid figure draws them
    const cells = c.grid.lr.length * c.grid.l1.length;
    expect(rays).toHaveLength(4 * cells);
    expect(Math.hypot(rays[0].x2, rays[0].y2)).toBeCloseTo(1.35 * 0.95, 6);
  });

  it('is drawn by the grid figure builder: one facet per grid cell', () => {
    const c = parseExperiment(getPreset('study-quick').experiments[0]);
    const features = [0, 1, 2, 3].map((k) => [Math.cos((k * Math.PI) / 2), Math.sin((k * Math.PI) / 2)]);
    const L = saeLayout({ D: 2, S: 4 });
    const models = [{ lr: c.grid.lr[0], l1: c.grid.l1[0], realization: 0 }];
    const params = new Float32Array(L.P).fill(0.5);
    const { arrows, feats, rays, labels } = livePoints(c, params, models, features);
    const svg = decoderGrid({
      document: nodeDocument(),
      lrs: c.grid.lr,
      l1s: c.grid.l1,
      feats,
      rays,
      notes: labels,
      layers: [{ data: arrows, stroke: '#2ca02c', width: 1.2, head: 4 }],
    });
    const cells = c.grid.lr.length * c.grid.l1.length;
    // one frame per facet, and the one labelled cell
    expect(svg.querySelectorAll('g[aria-label="frame"] rect').length).toBe(cells);
    expect(svg.outerHTML.match(/T\d C\d P\d M\d/g)).toEqual([labels[0].text]);
    expect(svg.querySelectorAll('g[aria-label="arrow"] path').length).toBe(feats.length + arrows.length);
    expect(cells).toBeGreaterThan(1);
  });
});

describe('preset drop-down', () => {
  it('labels fit the side column (12 px monospace in 340 px: ~40 characters); descriptions go below', async () => {
    const { presetLabel } = await import('../../src/app/experiment');
    const { PRESETS } = await import('../../src/experiments/presets');
    for (const [name, p] of Object.entries(PRESETS)) {
      const label = presetLabel(name, p);
      expect(label.length, label).toBeLessThanOrEqual(40);
      expect(label).not.toContain(p.description);
    }
  });
});

describe('live loss chart', () => {
  const xTicks = (e: Element) => [...e.querySelectorAll('g[aria-label="x-axis tick label"] text')].map((t) => t.textContent ?? '').filter(Boolean);
  it("spans the run's SAE steps, also when drawn after the first report of a 200-step run", () => {
    const early = lossChart([{ step: 4, loss: 1.27 }], [{ step: 0, loss: 1.3 }], 200, nodeDocument());
    const ticks = xTicks(early);
    expect(ticks.at(-1)).toBe('200');
    expect(ticks).not.toContain('4');
    expect(early.textContent).toMatch(/SAE training step/);
  });
  it('without a total, up to the last reported step', () => {
    const rows = [20, 40, 60].map((step) => ({ step, loss: 1 }));
    expect(xTicks(lossChart(rows, [], 0, nodeDocument())).at(-1)).toBe('60');
  });
});

describe('the page says when it compiles', () => {
  it("a compile's start shows on the status line; the undo removes the listener", () => {
    const ctx = { compileListener: null } as unknown as GpuContext & { compileListener: ((e: CompileEvent) => void) | null };
    const status = { textContent: 'step 10' } as HTMLElement;
    const undo = statusOnCompile(ctx, status);
    ctx.compileListener!({ id: 1, label: 'kernels/sae_steps/cpu.wgsl', done: false, seconds: 0 });
    expect(status.textContent).toBe('compiling kernels/sae_steps/cpu.wgsl: a new kernel shape, compiled once');
    ctx.compileListener!({ id: 1, label: 'kernels/sae_steps/cpu.wgsl', done: true, seconds: 12 });
    expect(status.textContent).toMatch(/^compiling/); // the next progress report replaces it
    undo();
    expect(ctx.compileListener).toBeNull();
  });
});
