// The browser page's views: the live decoder grid, rotated like the final figures (x1 on +x) and counted with the
// report's coverage verdicts; the preset drop-down's labels short enough for the side column.
import { describe, expect, it } from 'vitest';
import { livePoints } from '../../src/app/views';
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
    const { arrows, feats, labels } = livePoints(c, params, models, features);
    expect(arrows[0].x).toBeCloseTo(1, 6);
    expect(arrows[0].y).toBeCloseTo(0, 6);
    expect(arrows[2].x).toBeCloseTo(0, 6);
    expect(arrows[2].y).toBeCloseTo(1, 6);
    expect(feats[0].x).toBeCloseTo(1, 6);
    expect(feats[0].y).toBeCloseTo(0, 6);
    expect(labels).toEqual([{ lr: c.grid.lr[0], l1: c.grid.l1[0], text: 'T1 C0 P1 M0' }]);
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
