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

describe('GPU checks (headless Chromium)', () => {
  // the page bundles the same shader files, so it has the same list
  for (const name of Object.keys(checkList(loadShaderSourcesFromDisk()))) {
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
