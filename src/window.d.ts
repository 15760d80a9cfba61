// Globals the kit puts on `window`, declared once: the harness page's API for puppeteer, its
// progress callback, and the app's state string that tests wait on.
import type { HarnessApi } from '../harness/page';
import type { StageProgress } from './experiments/runner';
import type { ActivationsResult } from './experiments/wide-activations';
import type { WideResult } from './experiments/wide';

declare global {
  interface Window {
    kit?: HarnessApi;
    kitReady?: boolean;
    reportProgress?: (p: StageProgress) => void;
    /** app: 'ready:<page>', 'running', 'finished', 'stopped', 'failed', 'activations:<loaded|running|finished|failed>', 'synth:<running|finished|failed>' or 'no-webgpu' */
    appState?: string;
    /** the activations page's last result (tests read it) */
    activationsResult?: ActivationsResult;
    /** the synthetic page's last result (tests read it) */
    synthResult?: WideResult;
  }
}
