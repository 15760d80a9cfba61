// Device acquisition, the same in the browser and in Node: give it a GPU object (or let it find
// navigator.gpu) and it returns a GpuContext, or an error that says what is missing and how to fix it.
import { GpuContext, type AdapterReport } from './context';
import { WebGPUUnavailableError } from './errors';
import type { ShaderSources } from './shaders';

export interface AcquireOptions {
  gpu?: GPU;
  sources: ShaderSources;
  runtime?: string;
  powerPreference?: GPUPowerPreference;
}

// Limits the kit raises to what the adapter allows (defaults are too low for big sweeps).
const WANTED_LIMITS = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxStorageBuffersPerShaderStage',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupSizeZ',
  'maxComputeWorkgroupsPerDimension',
] as const;

export function reportAdapter(adapter: GPUAdapter, runtime: string): AdapterReport {
  const info = adapter.info;
  const limits: Record<string, number> = {};
  for (const k of WANTED_LIMITS) limits[k] = Number(adapter.limits[k]);
  return {
    vendor: info?.vendor ?? '',
    architecture: info?.architecture ?? '',
    device: info?.device ?? '',
    description: info?.description ?? '',
    // older implementations put the flag on the adapter rather than on its info
    isFallbackAdapter: Boolean(info?.isFallbackAdapter ?? (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter),
    features: [...adapter.features].map(String).sort(),
    limits,
    runtime,
  };
}

export async function acquireDevice(opts: AcquireOptions): Promise<GpuContext> {
  const nav = (globalThis as { navigator?: Navigator }).navigator;
  const gpu = opts.gpu ?? nav?.gpu;
  const runtime = opts.runtime ?? 'browser';
  if (!gpu) {
    const g = globalThis as { window?: unknown; isSecureContext?: boolean };
    if (g.window !== undefined && g.isSecureContext === false) {
      throw new WebGPUUnavailableError(
        'WebGPU is unavailable: this page is not a secure context. Serve it from http://127.0.0.1/localhost or https:// (not file:// or a LAN http address).',
      );
    }
    throw new WebGPUUnavailableError(
      'WebGPU is unavailable: navigator.gpu is missing. Use a browser with WebGPU enabled (Chrome/Edge 113+, or Chromium with --enable-unsafe-webgpu on Linux), or in Node use the `webgpu` package (src/gpu/node.ts).',
    );
  }
  const adapter = await gpu.requestAdapter({ powerPreference: opts.powerPreference ?? 'high-performance' });
  if (!adapter) {
    throw new WebGPUUnavailableError(
      runtime === 'node'
        ? 'WebGPU is unavailable: no adapter. In Node this needs a Vulkan driver: `apt-get install libvulkan1 chromium` provides SwiftShader (/usr/lib/chromium/vk_swiftshader_icd.json, picked via VK_ICD_FILENAMES).'
        : 'WebGPU is unavailable: requestAdapter() returned null. Enable WebGPU (Chromium on Linux: --enable-unsafe-webgpu; check chrome://gpu).',
    );
  }
  const requiredLimits: Record<string, number> = {};
  for (const k of WANTED_LIMITS) requiredLimits[k] = adapter.limits[k];
  const requiredFeatures: GPUFeatureName[] = [];
  if (adapter.features.has('timestamp-query')) requiredFeatures.push('timestamp-query');
  // subgroup reductions in the v2 fused kernel (lib/wg_partials.wgsl); without them it uses workgroup memory
  if (adapter.features.has('subgroups' as GPUFeatureName)) requiredFeatures.push('subgroups' as GPUFeatureName);
  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({ requiredLimits, requiredFeatures, label: 'sae-kit' });
  } catch (e) {
    throw new WebGPUUnavailableError(`WebGPU device request failed: ${(e as Error).message}`);
  }
  return new GpuContext(device, reportAdapter(adapter, runtime), opts.sources);
}
