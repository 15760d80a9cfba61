// Browser/Vite: every .wgsl under shaders/ and under src/ (kernel units, SAE variants) bundled as raw text,
// keyed like the Node loader (the path below its root).
import type { ShaderSources } from './shaders';

const shared = import.meta.glob('../../shaders/**/*.wgsl', { query: '?raw', import: 'default', eager: true }) as Record<string, string>;
const units = import.meta.glob('../**/*.wgsl', { query: '?raw', import: 'default', eager: true }) as Record<string, string>;

export const bundledShaderSources: ShaderSources = Object.fromEntries([
  ...Object.entries(shared).map(([k, v]) => [k.replace(/^.*?\/shaders\//, ''), v]),
  ...Object.entries(units).map(([k, v]) => [k.replace(/^\.\.\//, ''), v]),
]);
