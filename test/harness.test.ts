// GPU-vs-reference checks inside headless Chromium (its software WebGPU adapter), through the harness.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeServer, openHarness, type Harness } from '../harness/launch';
import type { CheckResult } from '../src/checks';
import { checkList } from '../src/checks';
import { loadShaderSourcesFromDisk } from '../src/gpu/shaders-node';
import type { AdapterReport } from '../src/gpu/context';
import { formatComparison } from '../src/checks/compare';

let h: Harness;
beforeAll(async () => {
  h = await openHarness();
  const adapter = (await h.page.evaluate(() => window.kit!.adapter())) as AdapterReport;
  console.log(`browser adapter: ${adapter.vendor} ${adapter.architecture} fallback=${adapter.isFallbackAdapter} features=${adapter.features.join(',')}`);
  expect(adapter.runtime).toBe('browser');
});
afterAll(async () => {
  await h?.close();
  await closeServer();
});

/** The training checks of the GPU-shaped fused versions (v1, v2) run in Node only (test/gpu-node.test.ts), where each
 * also meets the modular path; here every other check runs, the CPU-shaped fused version's (cpu) and the modular
 * path's training included. The suite runs its files one after another, and these were about 40 s of it. */
const NODE_ONLY = /^train SAE fused (v2 )?K=7:/;

describe('GPU checks (headless Chromium)', () => {
  // the page bundles the same shader files, so it has the same list
  const names = Object.keys(checkList(loadShaderSourcesFromDisk()));
  it("runs every check but the GPU-shaped fused versions' training checks, and those are a minority", () => {
    const nodeOnly = names.filter((n) => NODE_ONLY.test(n));
    expect(nodeOnly.length).toBeGreaterThan(0);
    expect(names.filter((n) => /^train SAE fused cpu K=7:/.test(n)).length).toBeGreaterThan(0);
    expect(nodeOnly.length).toBeLessThan(names.length / 2);
  });
  for (const name of names.filter((n) => !NODE_ONLY.test(n))) {
    it(name, async () => {
      const r = (await h.page.evaluate((n) => window.kit!.runCheck(n), name)) as CheckResult;
      for (const c of r.comparisons) console.log(formatComparison(c));
      for (const n of r.notes) console.log(`  ${n}`);
      expect(r.comparisons.filter((c) => !c.pass).map(formatComparison)).toEqual([]);
    });
  }
});

describe('harness', () => {
  it('cleans up and reports a clear error when the page has no WebGPU', async () => {
    const noGpu = await openHarness({ webgpu: false });
    try {
      const msg = await noGpu.page.evaluate(() =>
        window.kit!.adapter().then(
          () => 'no error',
          (e: Error) => e.message,
        ),
      );
      expect(msg).toMatch(/WebGPU is unavailable/);
    } finally {
      await noGpu.close();
    }
    expect(noGpu.browser.connected).toBe(false);
  });
});
