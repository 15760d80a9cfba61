// Which kernel version trains a job on this adapter. Forced (`--kernel v1|v2`), or `auto`: a version
// that does not fit the shape is skipped with its reason; on a software (fallback) adapter the measured
// table below decides without a benchmark (deterministic, and a benchmark there costs seconds); on any
// other adapter a short benchmark at the job's shape (a few K-step chunks of each fitting version)
// decides, cached per adapter and shape (in memory; Node also on disk, see choice-cache-node.ts).
import { isSoftwareAdapter, type GpuContext } from '../gpu/context';
import { GpuSaeTrainer, type SaePath } from './sae';
import { GpuToyTrainer, toyStepsMisfit, type ToyKernel } from './toy';
import { fusedMisfit, SAE_KERNELS, type SaeKernel } from '../kernels/sae_steps';
import { TOY_STEPS, type ToyStepsKernel } from '../kernels/toy_steps';
import type { SaeJobSpec, ToyJobSpec } from '../core/job';

export type KernelRequest = SaeKernel | 'auto';
/** The --kernel values: every version of the unit, and auto. */
export const KERNEL_REQUESTS: readonly KernelRequest[] = [...SAE_KERNELS, 'auto'];

export interface SaeKernelChoice {
  path: SaePath;
  kernel: SaeKernel | null;
  /** one line: what was chosen and why */
  why: string;
  /** model-steps/s per version when a benchmark decided */
  measured?: Record<string, number>;
  /** versions that do not fit the shape, with the reason */
  skipped?: Record<string, string>;
}

export interface ToyKernelChoice {
  kernel: ToyKernel;
  why: string;
  measured?: Record<string, number>;
  skipped?: Record<string, string>;
}

export interface ChoiceStore {
  get(key: string): unknown;
  set(key: string, value: unknown): void;
}

const memory = new Map<string, unknown>();
let store: ChoiceStore = { get: (k) => memory.get(k), set: (k, v) => void memory.set(k, v) };

/** Replace the cache (Node: a JSON file, choice-cache-node.ts). */
export function setChoiceStore(s: ChoiceStore): void {
  store = s;
}

/**
 * Measured on SwiftShader (2 CPU cores, BENCHMARKS.md): the study shape (d=2, s=4), K=25:
 * B=64, M=125: v1 3466, v2 1476 (64 threads) model-steps/s; B=1024, M=25: v1 317, v2 241 (256 threads).
 * Toy stage (M=1, B=1000, 200 steps, twice): modular 244 and 796, fused 466 and 556 steps/s (too noisy to
 * prefer fused); both tables keep SwiftShader's results identical to the kit before the versions.
 */
/**
 * Measured 2026-12-01 with `npm run bench` on a 2-core machine (BENCHMARKS.md), study shape M=125,
 * samples/s at B=1024 / B=64: SwiftShader cpu 3.74e6 / 2.60e6 vs v1 6.17e5 / 4.16e5; lavapipe cpu
 * 4.75e7 / 3.43e7 vs v1 4.88e6 / 2.02e6. So on a software adapter the first fitting version of this list runs.
 */
const SAE_ON_FALLBACK: readonly SaeKernel[] = ['cpu', 'v1'];
/**
 * Toy stage, M=1, B=1000 (the study's): the cpu version sums in the modular order, so it trains the same bits
 * (its check compares them), and 2.0-2.5x as fast on both software adapters (`npm run bench`, BENCHMARKS.md); the
 * fused version is faster still on lavapipe but its sums differ in the last bits, which would change every
 * published toy model and the SAEs trained on it.
 */
const TOY_ON_FALLBACK: readonly ToyKernel[] = ['cpu', 'modular'];
const TOY_FALLBACK_WHY = "cpu: the modular path's bits, 2.0-2.5x its speed on SwiftShader and lavapipe";

function adapterKey(ctx: GpuContext): string {
  const a = ctx.adapter;
  return [a.vendor, a.architecture, a.device, a.description, a.runtime].join('/');
}

async function rate(
  create: () => Promise<{ train: (n: number, o: { stepsPerSubmit: number }) => Promise<void>; destroy: () => void }>,
  M: number,
  k: number,
  chunks: number,
): Promise<number> {
  const job = await create();
  try {
    await job.train(k, { stepsPerSubmit: k }); // warm-up (pipelines are compiled by create)
    const t0 = performance.now();
    await job.train(k * chunks, { stepsPerSubmit: k });
    return (M * k * chunks) / ((performance.now() - t0) / 1000);
  } finally {
    job.destroy();
  }
}

/** A copy of a job with a schedule long enough for the benchmark's chunks (the timing does not depend on it). */
function benchSpec<T extends { cfg: SaeJobSpec['cfg'] }>(spec: T, steps: number): T {
  const log = Math.max(1, spec.cfg.log_every);
  return { ...spec, cfg: { ...spec.cfg, T: Math.max(spec.cfg.T, steps + 1), hist_len: Math.max(spec.cfg.hist_len, Math.ceil(steps / log) + 1) } };
}

export interface ChooseOptions {
  kSteps?: number;
  /** chunks of K steps timed per version (default 3) */
  chunks?: number;
  /** benchmark even on a fallback adapter (tests) */
  benchmarkOnFallback?: boolean;
  /** skip the cache (tests, the bench) */
  fresh?: boolean;
}

export async function chooseSaeKernel(ctx: GpuContext, spec: SaeJobSpec, request: KernelRequest = 'auto', opts: ChooseOptions = {}): Promise<SaeKernelChoice> {
  const skipped: Record<string, string> = {};
  for (const k of SAE_KERNELS) {
    const why = fusedMisfit(spec, ctx.caps, k);
    if (why) skipped[k] = why;
  }
  const fits = SAE_KERNELS.filter((k) => !skipped[k]);
  const skipNote = Object.entries(skipped)
    .map(([k, w]) => `${k} skipped: ${w}`)
    .join('; ');
  if (request !== 'auto') {
    if (skipped[request])
      return { path: 'modular', kernel: null, why: `--kernel ${request} forced, but ${request} does not fit: ${skipped[request]}; modular path`, skipped };
    return { path: 'fused', kernel: request, why: `--kernel ${request} forced`, skipped };
  }
  if (fits.length === 0) return { path: 'modular', kernel: null, why: `no fused version fits (${skipNote}); modular path`, skipped };
  if (fits.length === 1) return { path: 'fused', kernel: fits[0], why: `the only fused version that fits (${skipNote})`, skipped };
  const pick = SAE_ON_FALLBACK.find((k) => fits.includes(k));
  if (isSoftwareAdapter(ctx.adapter) && !opts.benchmarkOnFallback && pick) {
    return {
      path: 'fused',
      kernel: pick,
      why: `software adapter: ${pick} from the measured table (${SAE_ON_FALLBACK.join(' > ')}: the CPU-shaped version is 6-17x faster than v1 on SwiftShader and lavapipe)`,
      skipped,
    };
  }
  const { D, S, N } = spec.dims;
  const key = `sae|${adapterKey(ctx)}|N${N} D${D} S${S} sets${spec.sets.join('x')} M${spec.cfg.M} B${spec.cfg.B} flags${spec.cfg.flags}`;
  const cached = opts.fresh ? undefined : (store.get(key) as SaeKernelChoice | undefined);
  if (cached?.kernel) return { ...cached, why: `${cached.why} (cached for this adapter and shape)` };
  const k = opts.kSteps ?? 25,
    chunks = opts.chunks ?? 3;
  const sp = benchSpec(spec, k * (chunks + 1));
  const measured: Record<string, number> = {};
  for (const v of fits) measured[v] = await rate(() => GpuSaeTrainer.create(ctx, sp, { path: 'fused', kernel: v, kSteps: k }), spec.cfg.M, k, chunks);
  const best = fits.reduce((a, b) => (measured[b] > measured[a] ? b : a));
  const figures = fits.map((v) => `${v} ${measured[v].toPrecision(3)}`).join(', ');
  const choice: SaeKernelChoice = {
    path: 'fused',
    kernel: best,
    why: `benchmark at this shape (${chunks} chunks of K=${k}): ${figures} model-steps/s`,
    measured,
    skipped,
  };
  store.set(key, choice);
  return choice;
}

export async function chooseToyKernel(
  ctx: GpuContext,
  spec: ToyJobSpec,
  request: ToyKernel | 'auto' = 'auto',
  opts: ChooseOptions = {},
): Promise<ToyKernelChoice> {
  if (request === 'modular') return { kernel: 'modular', why: 'modular forced' };
  const skipped: Record<string, string> = {};
  for (const v of Object.keys(TOY_STEPS) as ToyStepsKernel[]) {
    const why = toyStepsMisfit(spec, ctx.caps, undefined, true, v);
    if (why) skipped[v] = why;
  }
  const fits = (v: ToyStepsKernel) => !(v in skipped);
  const skippedOrNone = Object.keys(skipped).length ? skipped : undefined;
  if (request !== 'auto') {
    if (!fits(request)) return { kernel: 'modular', why: `${request} toy kernel does not fit: ${skipped[request]}`, skipped: skippedOrNone };
    return { kernel: request, why: `${request} forced` };
  }
  if (isSoftwareAdapter(ctx.adapter) && !opts.benchmarkOnFallback) {
    const pick = TOY_ON_FALLBACK.find((v) => v === 'modular' || fits(v)) ?? 'modular';
    return { kernel: pick, why: `software adapter: ${pick} from the measured table (${TOY_FALLBACK_WHY})`, skipped: skippedOrNone };
  }
  // the modular path and the fitting versions shaped for this kind of adapter (all of them when a software adapter benchmarks)
  const soft = isSoftwareAdapter(ctx.adapter);
  const versions = (Object.keys(TOY_STEPS) as ToyStepsKernel[]).filter((v) => fits(v) && (soft || TOY_STEPS[v].shapedFor === 'gpu'));
  if (!versions.length) return { kernel: 'modular', why: 'no K-step toy version fits', skipped: skippedOrNone };
  const candidates: ToyKernel[] = ['modular', ...versions];
  const key = `toy|${adapterKey(ctx)}|N${spec.dims.N} D${spec.dims.D} M${spec.cfg.M} B${spec.cfg.B}`;
  const cached = opts.fresh ? undefined : (store.get(key) as ToyKernelChoice | undefined);
  if (cached?.kernel) return { ...cached, why: `${cached.why} (cached for this adapter and shape)` };
  const k = opts.kSteps ?? 50,
    chunks = opts.chunks ?? 3;
  const sp = benchSpec(spec, k * (chunks + 1));
  const measured: Record<string, number> = {};
  for (const v of candidates) measured[v] = await rate(() => GpuToyTrainer.create(ctx, sp, { kernel: v, kSteps: k }), spec.cfg.M, k, chunks);
  // ties go to the earlier candidate (modular first)
  const best = candidates.reduce((a, b) => (measured[b] > measured[a] ? b : a));
  const choice: ToyKernelChoice = {
    kernel: best,
    why: `benchmark at this shape: ${candidates.map((v) => `${v} ${measured[v].toPrecision(3)}`).join(', ')} model-steps/s`,
    measured,
    skipped: skippedOrNone,
  };
  store.set(key, choice);
  return choice;
}
