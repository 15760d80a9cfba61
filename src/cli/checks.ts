// `npm run checks`: run every GPU-vs-reference check on the Node WebGPU path and in headless
// Chromium, and print one table. Exit code 1 if any check fails.
import { closeServer, withHarness } from '../../harness/launch';
import { checkList, runCheck, type CheckResult } from '../checks';
import { loadShaderSourcesFromDisk } from '../gpu/shaders-node';
import { acquireNodeDevice, releaseNodeGpu } from '../gpu/node';

export async function runAllChecks(opts: { browser: boolean; node: boolean } = { browser: true, node: true }): Promise<boolean> {
  const rows: { runtime: string; adapter: string; r: CheckResult }[] = [];
  // the same list in both runtimes: the browser bundles the same shader files
  const names = Object.keys(checkList(loadShaderSourcesFromDisk()));
  if (opts.node) {
    const ctx = await acquireNodeDevice();
    try {
      for (const name of names) rows.push({ runtime: 'node', adapter: ctx.adapter.architecture || ctx.adapter.vendor, r: await runCheck(ctx, name) });
    } finally {
      releaseNodeGpu(ctx);
    }
  }
  if (opts.browser) {
    await withHarness(async (h) => {
      const adapter = (await h.page.evaluate(() => window.kit!.adapter())) as { architecture: string; vendor: string };
      for (const name of names) {
        const r = (await h.page.evaluate((n) => window.kit!.runCheck(n), name)) as CheckResult;
        rows.push({ runtime: 'chromium', adapter: adapter.architecture || adapter.vendor, r });
      }
    }).finally(closeServer);
  }
  const pad = (s: string, n: number) => s.padEnd(n);
  console.log(`${pad('runtime', 9)} ${pad('adapter', 12)} ${pad('check', 26)} ${pad('result', 7)} ${pad('worst abs err', 14)} ${pad('worst rel err', 14)} ms`);
  for (const { runtime, adapter, r } of rows) {
    const abs = Math.max(0, ...r.comparisons.map((c) => c.maxAbs));
    const rel = Math.max(0, ...r.comparisons.map((c) => c.maxRel));
    const err = r.comparisons.length ? [abs.toExponential(2), rel.toExponential(2)] : ['-', '-'];
    console.log(
      `${pad(runtime, 9)} ${pad(adapter, 12)} ${pad(r.name, 26)} ${pad(r.pass ? 'PASS' : 'FAIL', 7)} ${pad(err[0], 14)} ${pad(err[1], 14)} ${r.ms.toFixed(0)}`,
    );
  }
  const ok = rows.every((x) => x.r.pass);
  console.log(ok ? 'all GPU checks passed' : 'SOME GPU CHECKS FAILED');
  return ok;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runAllChecks().then(
    (ok) => process.exit(ok ? 0 : 1),
    (e) => {
      console.error(e instanceof Error ? e.message : e);
      process.exit(1);
    },
  );
}
