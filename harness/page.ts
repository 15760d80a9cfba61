// The harness page: acquires WebGPU in the browser and exposes the kit's checks to puppeteer
// as window.kit.*. Everything returned is plain JSON.
import { checkList, runCheck, type CheckResult } from '../src/checks';
import { runExperiment } from '../src/experiments/runner';
import type { ExperimentResult } from '../src/results/schema';
import type { ExperimentConfig } from '../src/config/schema';
import type { GpuContext, AdapterReport } from '../src/gpu/context';
import { acquireDevice } from '../src/gpu/device';
import { bundledShaderSources } from '../src/gpu/shaders-browser';

let ctxPromise: Promise<GpuContext> | null = null;
const context = () => (ctxPromise ??= acquireDevice({ sources: bundledShaderSources, runtime: 'browser' }));

export interface HarnessApi {
  adapter(): Promise<AdapterReport>;
  checks(): Promise<string[]>;
  runCheck(name: string): Promise<CheckResult>;
  /** run one experiment in the page; weights come back as plain arrays (JSON) */
  runExperiment(
    config: ExperimentConfig,
    shard?: { index: number; count: number },
  ): Promise<Omit<ExperimentResult, 'weights'> & { weights: { toy: number[]; saes: number[] } }>;
}

const api: HarnessApi = {
  adapter: async () => (await context()).adapter,
  checks: async () => Object.keys(checkList((await context()).sources)),
  runCheck: async (name) => runCheck(await context(), name),
  runExperiment: async (config, shard) => {
    const report = window.reportProgress;
    const r = await runExperiment(await context(), config, { shard, onProgress: (p) => report?.(p) });
    return { ...r, weights: { toy: Array.from(r.weights.toy), saes: Array.from(r.weights.saes) } };
  },
};
window.kit = api;
document.getElementById('log')!.textContent = 'harness ready';
window.kitReady = true;
