// The harness page: acquires WebGPU in the browser and exposes the kit's checks to puppeteer
// as window.kit.*. Everything returned is plain JSON.
import { CHECKS, runCheck, type CheckResult } from '../src/checks';
import type { GpuContext, AdapterReport } from '../src/gpu/context';
import { acquireDevice } from '../src/gpu/device';
import { bundledShaderSources } from '../src/gpu/shaders-browser';

let ctxPromise: Promise<GpuContext> | null = null;
const context = () => (ctxPromise ??= acquireDevice({ sources: bundledShaderSources, runtime: 'browser' }));

export interface HarnessApi {
  adapter(): Promise<AdapterReport>;
  checks(): string[];
  runCheck(name: string): Promise<CheckResult>;
}

const api: HarnessApi = {
  adapter: async () => (await context()).adapter,
  checks: () => Object.keys(CHECKS),
  runCheck: async (name) => runCheck(await context(), name),
};
(window as unknown as { kit: HarnessApi }).kit = api;
document.getElementById('log')!.textContent = 'harness ready';
(window as unknown as { kitReady: boolean }).kitReady = true;
