// Browser/Vite: every .wgsl under shaders/ bundled as raw text, keyed like the Node loader.
import type { ShaderSources } from './shaders';

const modules = import.meta.glob('../../shaders/**/*.wgsl', { query: '?raw', import: 'default', eager: true }) as Record<string, string>;

export const bundledShaderSources: ShaderSources = Object.fromEntries(Object.entries(modules).map(([k, v]) => [k.replace(/^.*?\/shaders\//, ''), v]));
