// Node: WebGPU through the `webgpu` package (Dawn). The Vulkan drivers Dawn may load are chosen by
// planIcds (src/gpu/icd.ts): hardware drivers from every standard and vendor location first, with the
// high-performance preference; a software driver (new lavapipe, else Chromium's SwiftShader) only when
// no hardware adapter is found. VK_DRIVER_FILES / VK_ICD_FILENAMES set by the user always win.
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { getPriority, homedir, setPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isSoftwareAdapter, type GpuContext } from './context';
import { acquireDevice } from './device';
import { WebGPUUnavailableError } from './errors';
import { describePlan, planIcds, type IcdFs, type IcdPlan } from './icd';
import { cpuFlags, lavapipeEnv } from './lavapipe';
import { loadShaderSourcesFromDisk } from './shaders-node';

/** The project's own lavapipe (Mesa's CPU Vulkan driver, installed by scripts/setup.sh). */
export const LOCAL_LAVAPIPE_ICD = fileURLToPath(new URL('../../.lavapipe/lvp_icd.json', import.meta.url));

/**
 * Dawn prints "Warning: maxDynamicUniformBuffersPerPipelineLayout artificially reduced from 1000000 to 16 to
 * fit dynamic offset allocation limit." (and the same for storage buffers) to stderr when it lists lavapipe,
 * which advertises 1,000,000 dynamic buffers: the cap is Dawn's own, applied in requestAdapter() before any
 * device or requested limit exists, so no setting of the kit avoids it, and Node cannot filter a native
 * library's stderr. The kit binds no buffer with a dynamic offset: the cap changes nothing. Said once per run.
 */
export const LAVAPIPE_DAWN_WARNINGS =
  "Dawn's two 'max...PerPipelineLayout artificially reduced ... to 16' warnings above are Dawn capping lavapipe's advertised limits when it lists the adapter: harmless, the kit uses no dynamic offsets";

/** SAE_KIT_NO_LAVAPIPE=1 (the test suite sets it: one adapter, SwiftShader, for every GPU test) leaves it out. */
const localIcds = (): string[] => (process.env.SAE_KIT_NO_LAVAPIPE ? [] : [LOCAL_LAVAPIPE_ICD]);

// biome-ignore lint/correctness/noUnusedVariables: holds the Dawn instance while a device lives; dropped so Node can exit
let gpuRef: GPU | null = null;

export const realFs: IcdFs = {
  isDir: (p) => {
    try {
      return statSync(p).isDirectory();
    } catch {
      return false;
    }
  },
  list: (p) => {
    try {
      return readdirSync(p);
    } catch {
      return [];
    }
  },
  read: (p) => {
    try {
      return readFileSync(p, 'utf8');
    } catch {
      return null;
    }
  },
  realpath: (p) => {
    try {
      return realpathSync(p);
    } catch {
      return p;
    }
  },
};

export interface NodeAdapterEntry {
  index: number;
  name: string;
  /** 'hardware' or 'software' driver set it was found with ('user' when VK_* was set by the user) */
  drivers: 'hardware' | 'software' | 'user';
}

export interface NodeDeviceOptions {
  /** an adapter index from listNodeAdapters, or a substring of its name */
  adapter?: string;
  /** that adapter, already found by pickNodeAdapter (the CLI checks --adapter before it creates --out) */
  picked?: NodeAdapterEntry;
  /** one line of news for the user (e.g. "using the software adapter") */
  log?: (line: string) => void;
}

type DriverSet = { drivers: NodeAdapterEntry['drivers']; files: string | null };

/** Driver sets to try in order: hardware, then software (each a VK_DRIVER_FILES value; null = leave the env alone). */
function driverSets(plan: IcdPlan): DriverSet[] {
  if (plan.user) return [{ drivers: 'user', files: null }];
  const sets: DriverSet[] = [];
  if (plan.hardware.length) sets.push({ drivers: 'hardware', files: plan.hardware.map((f) => f.file).join(':') });
  for (const f of plan.software) sets.push({ drivers: 'software', files: f.file });
  return sets;
}

/**
 * An XDG_RUNTIME_DIR for Dawn (it warns without one): one folder per user, `sae-kit-xdg-<uid>` in the temp
 * folder, mode 0700, reused by every process (a folder per process was left behind by every process that
 * did not exit normally: 154 were seen). Another user's or a too-open folder of that name is not used:
 * then a fresh private one, removed at exit.
 */
export function privateRuntimeDir(base = tmpdir()): string {
  const uid = process.getuid?.() ?? 0;
  const dir = join(base, `sae-kit-xdg-${uid}`);
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch {
    // exists: use it only if it is ours and private
  }
  try {
    const st = lstatSync(dir);
    if (st.isDirectory() && st.uid === uid && (st.mode & 0o077) === 0) return dir;
  } catch {
    // not creatable here: fall through
  }
  const own = mkdtempSync(join(base, 'sae-kit-xdg-'));
  process.on('exit', () => rmSync(own, { recursive: true, force: true }));
  return own;
}

async function loadDawn(): Promise<typeof import('webgpu')> {
  if (!process.env.XDG_RUNTIME_DIR) process.env.XDG_RUNTIME_DIR = privateRuntimeDir();
  try {
    const mod = await import('webgpu');
    Object.assign(globalThis, mod.globals);
    return mod;
  } catch (e) {
    throw new WebGPUUnavailableError(`WebGPU is unavailable in Node: the 'webgpu' package failed to load (${(e as Error).message}). Run npm ci.`);
  }
}

function useDrivers(set: DriverSet): void {
  if (set.files === null) return;
  // both names: newer Vulkan loaders read VK_DRIVER_FILES, older ones VK_ICD_FILENAMES
  process.env.VK_DRIVER_FILES = set.files;
  process.env.VK_ICD_FILENAMES = set.files;
  // lavapipe: vector width and a cache folder per width (src/gpu/lavapipe.ts); Mesa reads them when the driver loads
  if (/lvp|lavapipe/i.test(set.files)) {
    const env = lavapipeEnv(process.env, cpuFlags(realFs.read), homedir());
    // Mesa creates the cache folder's last level only
    if (env.MESA_SHADER_CACHE_DIR) mkdirSync(env.MESA_SHADER_CACHE_DIR, { recursive: true });
    Object.assign(process.env, env);
  }
}

/** Adapter names Dawn sees with the current drivers (it lists them when asked for a name that matches none). */
async function dawnAdapterNames(mod: typeof import('webgpu')): Promise<string[]> {
  try {
    const a = await mod.create(['adapter=\u0001no-such-adapter']).requestAdapter({ powerPreference: 'high-performance' });
    return a ? [a.info.device] : [];
  } catch (e) {
    return [...String((e as Error).message ?? e).matchAll(/name: '(.*)'$/gm)].map((m) => m[1]);
  }
}

/** Every adapter Dawn finds, hardware driver set first; the index is what --adapter takes. */
export async function listNodeAdapters(): Promise<{ adapters: NodeAdapterEntry[]; drivers: string[] }> {
  const mod = await loadDawn();
  const plan = planIcds(realFs, process.env, localIcds());
  const saved = {
    d: process.env.VK_DRIVER_FILES,
    i: process.env.VK_ICD_FILENAMES,
    w: process.env.LP_NATIVE_VECTOR_WIDTH,
    c: process.env.MESA_SHADER_CACHE_DIR,
  };
  const adapters: NodeAdapterEntry[] = [];
  try {
    for (const set of driverSets(plan)) {
      useDrivers(set);
      for (const name of await dawnAdapterNames(mod)) adapters.push({ index: adapters.length, name, drivers: set.drivers });
    }
  } finally {
    restore('VK_DRIVER_FILES', saved.d);
    restore('VK_ICD_FILENAMES', saved.i);
    restore('LP_NATIVE_VECTOR_WIDTH', saved.w);
    restore('MESA_SHADER_CACHE_DIR', saved.c);
  }
  return { adapters, drivers: describePlan(plan) };
}

function restore(k: string, v: string | undefined): void {
  if (v === undefined) delete process.env[k];
  else process.env[k] = v;
}

/** The adapter `--adapter SPEC` names: an index as --list-adapters numbers them, or a substring of its name; else a named error. */
export async function pickNodeAdapter(spec: string): Promise<NodeAdapterEntry> {
  const { adapters } = await listNodeAdapters();
  const byIndex = /^\d+$/.test(spec) ? adapters[Number(spec)] : undefined;
  const hit = byIndex ?? adapters.find((a) => a.name.includes(spec));
  const listing = adapters.length ? adapters.map((a) => `${a.index}: ${a.name} (${a.drivers} driver)`).join('; ') : 'none';
  if (!hit) throw new WebGPUUnavailableError(`--adapter ${spec}: no such adapter; adapters here: ${listing}`);
  const twins = adapters.filter((a) => a.name === hit.name && a.drivers === hit.drivers);
  if (twins.length > 1 && twins[0] !== hit) {
    throw new WebGPUUnavailableError(
      `--adapter ${spec}: adapters ${twins.map((t) => t.index).join(', ')} are all '${hit.name}', and Dawn in Node picks among them by name only (the first). Give each process one GPU instead (Slurm --gpus-per-task=1, Docker/Kubernetes GPU assignment, NVIDIA_VISIBLE_DEVICES) and leave --adapter out.`,
    );
  }
  return hit;
}

export async function acquireNodeDevice(opts: NodeDeviceOptions = {}): Promise<GpuContext> {
  const mod = await loadDawn();
  const plan = planIcds(realFs, process.env, localIcds());
  const sets = driverSets(plan);
  if (!sets.length) {
    throw new WebGPUUnavailableError(
      `WebGPU is unavailable in Node: no usable Vulkan driver.\n  ${describePlan(plan).join('\n  ')}\nInstall your GPU's Vulkan driver, or Debian's chromium (its SwiftShader software driver): apt-get install -y chromium libvulkan1`,
    );
  }
  // real timestamps: Dawn otherwise rounds them to 2^16 ns, which made short kernels read ~0.5 ms on an H100
  const flags: string[] = ['disable-dawn-features=timestamp_quantization'];
  let chosen: DriverSet | undefined;
  if (opts.picked !== undefined || opts.adapter !== undefined) {
    const hit = opts.picked ?? (await pickNodeAdapter(opts.adapter!));
    flags.push(`adapter=${hit.name}`);
    chosen = sets.find((s) => s.drivers === hit.drivers);
  }
  for (const set of chosen ? [chosen] : sets) {
    useDrivers(set);
    const gpu = mod.create(flags);
    const probe = await gpu.requestAdapter({ powerPreference: 'high-performance' }).catch(() => null);
    if (!probe) continue;
    gpuRef = gpu;
    const ctx = await acquireDevice({ gpu, sources: loadShaderSourcesFromDisk(), runtime: 'node', powerPreference: 'high-performance' });
    if (ctx.adapter.isFallbackAdapter || set.drivers === 'software') {
      opts.log?.(
        `no hardware GPU adapter found: using the software adapter ${ctx.adapter.description || ctx.adapter.architecture} (${set.files ?? 'your VK_* driver setting'}); runs are much slower than on a GPU${/llvmpipe/i.test(ctx.adapter.description) ? `; lavapipe compiles each kernel once (seconds to a minute with a cold Mesa shader cache, then cached); ${LAVAPIPE_DAWN_WARNINGS}` : ''}`,
      );
    }
    if (isSoftwareAdapter(ctx.adapter)) yieldToAdapterWorkers();
    return ctx;
  }
  throw new WebGPUUnavailableError(`WebGPU is unavailable in Node: no driver gave an adapter.\n  ${describePlan(plan).join('\n  ')}`);
}

/**
 * Whether Node will most likely run on a GPU or on lavapipe, from the Vulkan driver plan alone (no device
 * is created): there the study's own budget takes minutes (GPU) to 12-18 min (lavapipe, 2 cores); on
 * SwiftShader it takes hours. A plan set by the user (VK_DRIVER_FILES) counts as unknown: no.
 */
export function fastAdapterLikely(plan: IcdPlan = planIcds(realFs, process.env, localIcds())): boolean {
  if (plan.user) return false;
  return plan.hardware.length > 0 || /lvp|lavapipe/i.test(`${plan.software[0]?.file ?? ''} ${plan.software[0]?.library ?? ''}`);
}

/** nice value of the calling thread while a software adapter's workers train (see yieldToAdapterWorkers) */
export const MAIN_THREAD_NICE = 19;

/**
 * On a software adapter, lower the calling (main) thread's priority below the adapter's worker threads.
 * Dawn's Node binding polls the device in a busy loop (setImmediate) while any GPU promise is pending, so
 * at equal priority the waiting main thread takes a core from the workers that run the kernels: on 2 cores,
 * lavapipe trained the study's SAEs at 6.5e7 samples/s with it and 1.0-1.2e8 with the main thread at
 * nice 19 (SwiftShader 4.0e6 and 6.7e6). On Linux a nice value belongs to one thread, and the workers exist
 * once the device does, so they keep theirs; the main thread's own work (analysis, figures) is slower
 * only while something else wants the CPU. Elsewhere (one nice value per process) it is not done, nor with
 * SAE_KIT_NO_RENICE=1.
 */
function yieldToAdapterWorkers(): void {
  if (process.platform !== 'linux' || process.env.SAE_KIT_NO_RENICE === '1') return;
  try {
    if (getPriority(0) < MAIN_THREAD_NICE) setPriority(0, MAIN_THREAD_NICE);
  } catch {
    // not permitted here: the kit runs, only slower
  }
}

/** Drop the Dawn instance so Node can exit. */
export function releaseNodeGpu(ctx?: GpuContext): void {
  ctx?.destroy();
  gpuRef = null;
}
