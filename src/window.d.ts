// Globals the kit puts on `window`, declared once: the harness page's API for puppeteer, its
// progress callback, and the app's state string that tests wait on.
import type { HarnessApi } from '../harness/page';
import type { StageProgress } from './experiments/runner';
import type { ActivationsResult } from './experiments/wide-activations';

declare global {
  interface Window {
    kit?: HarnessApi;
    kitReady?: boolean;
    reportProgress?: (p: StageProgress) => void;
    /** app: 'ready:<page>', 'running', 'finished', 'stopped', 'failed', 'activations:<loaded|running|finished|failed>' or 'no-webgpu' */
    appState?: string;
    /** the activations page's last result (tests read it) */
    activationsResult?: ActivationsResult;
  }
}
