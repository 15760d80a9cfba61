// Browser/Vite: every .wgsl under shaders/ and under src/ (kernel units, SAE variants) bundled as raw text,
// keyed like the Node loader: the path below its root ("lib/adam.wgsl", "kernels/sae_steps/cpu.wgsl").
// The globs are rooted at the project (leading '/') so every key has the same form wherever a file sits.
import { shaderKeys, type ShaderSources } from './shaders';

const shared = import.meta.glob('/shaders/**/*.wgsl', { query: '?raw', import: 'default', eager: true }) as Record<string, string>;
const units = import.meta.glob('/src/**/*.wgsl', { query: '?raw', import: 'default', eager: true }) as Record<string, string>;

export const bundledShaderSources: ShaderSources = shaderKeys([
  ...Object.entries(shared).map(([k, v]) => [k.replace(/^\/shaders\//, ''), v] as [string, string]),
  ...Object.entries(units).map(([k, v]) => [k.replace(/^\/src\//, ''), v] as [string, string]),
]);
