// Node: WebGPU through the `webgpu` package (Dawn). On machines without a GPU driver it uses the
// SwiftShader Vulkan driver that Debian's chromium package ships, the same adapter as headless Chromium.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GpuContext } from './context';
import { acquireDevice } from './device';
import { WebGPUUnavailableError } from './errors';
import { loadShaderSourcesFromDisk } from './shaders-node';
import { useDiskChoiceCache } from '../train/choice-cache-node';

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
const VENDOR_ICDS = ['/usr/share/vulkan/icd.d/nvidia_icd.json', '/etc/vulkan/icd.d/nvidia_icd.json'];

let gpuRef: GPU | null = null;

function prepareEnv(): void {
  if (!process.env.XDG_RUNTIME_DIR) process.env.XDG_RUNTIME_DIR = mkdtempSync(join(tmpdir(), 'sae-kit-xdg-'));
  // Mesa's old lavapipe is listed by default here and does not work with Dawn; prefer a vendor
  // driver when present, else SwiftShader. VK_ICD_FILENAMES set by the user always wins.
  if (!process.env.VK_ICD_FILENAMES && !VENDOR_ICDS.some(existsSync) && existsSync(SWIFTSHADER_ICD)) {
    process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  }
}

export async function acquireNodeDevice(): Promise<GpuContext> {
  prepareEnv();
  let mod: typeof import('webgpu');
  try {
    mod = await import('webgpu');
  } catch (e) {
    throw new WebGPUUnavailableError(`WebGPU is unavailable in Node: the 'webgpu' package failed to load (${(e as Error).message}). Run npm ci.`);
  }
  Object.assign(globalThis, mod.globals);
  // real timestamps: Dawn otherwise rounds them to 2^16 ns, which made short kernels read ~0.5 ms on an H100
  gpuRef ??= mod.create(['disable-dawn-features=timestamp_quantization']);
  useDiskChoiceCache(); // the per-adapter kernel choice (src/train/choose.ts) survives the process
  return acquireDevice({ gpu: gpuRef, sources: loadShaderSourcesFromDisk(), runtime: 'node' });
}

/** Drop the Dawn instance so Node can exit. */
export function releaseNodeGpu(ctx?: GpuContext): void {
  ctx?.destroy();
  gpuRef = null;
}
