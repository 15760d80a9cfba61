// Node: read every .wgsl under shaders/ into a ShaderSources map (the browser uses import.meta.glob).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ShaderSources } from './shaders';

export const SHADER_DIR = fileURLToPath(new URL('../../shaders/', import.meta.url));

export function loadShaderSourcesFromDisk(dir: string = SHADER_DIR): ShaderSources {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.wgsl')) out[relative(dir, p).split(sep).join('/')] = readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return out;
}
