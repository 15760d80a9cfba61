// Node: read every .wgsl under shaders/ (shared kernels and lib/) and under src/ (kernel units such as
// src/kernels/sae_steps/, one folder per op with its versions; the SAE variants' files in src/variants/) into
// one ShaderSources map, keyed by the path below its root ("lib/adam.wgsl", "kernels/sae_steps/cpu.wgsl",
// "variants/relu.wgsl"); the browser does the same with import.meta.glob.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { shaderKeys, type ShaderSources } from './shaders';

export const SHADER_DIR = fileURLToPath(new URL('../../shaders/', import.meta.url));
export const SRC_DIR = fileURLToPath(new URL('../', import.meta.url));

export function loadShaderSourcesFromDisk(dirs: string[] = [SHADER_DIR, SRC_DIR]): ShaderSources {
  const entries: [string, string][] = [];
  for (const dir of dirs) {
    const walk = (d: string) => {
      for (const name of readdirSync(d)) {
        const p = join(d, name);
        if (statSync(p).isDirectory()) walk(p);
        else if (name.endsWith('.wgsl')) entries.push([relative(dir, p).split(sep).join('/'), readFileSync(p, 'utf8')]);
      }
    };
    walk(dir);
  }
  return shaderKeys(entries);
}
