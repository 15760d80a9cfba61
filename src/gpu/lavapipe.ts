// lavapipe's compile settings (Mesa's CPU Vulkan driver, Node only). Two things measured on a 2-core AVX-512
// machine (BENCHMARKS.md): the CPU-shaped SAE kernel runs 1.2-1.4x faster compiled for 512-bit vectors
// (LP_NATIVE_VECTOR_WIDTH=512: its 16 models per workgroup in one register) than at lavapipe's default 256;
// and Mesa's shader cache key does not include LP_NATIVE_VECTOR_WIDTH, so a binary built at one width was
// reused at the other (stale fast binaries had inflated earlier figures). So: 512 where the CPU has
// AVX-512 and the user set no width, in a Mesa cache folder per width. A user who chose a cache folder
// keeps it, and then the width too (lavapipe's default, or theirs): the kit will not mix widths in it.
import { join } from 'node:path';

/** The environment to add for lavapipe (nothing the user set is changed). */
export function lavapipeEnv(env: Readonly<Record<string, string | undefined>>, cpuFlags: readonly string[], home: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (env.MESA_SHADER_CACHE_DIR) return out;
  let width = env.LP_NATIVE_VECTOR_WIDTH;
  if (!width && cpuFlags.includes('avx512f')) width = out.LP_NATIVE_VECTOR_WIDTH = '512';
  out.MESA_SHADER_CACHE_DIR = join(env.XDG_CACHE_HOME || join(home, '.cache'), 'sae-kit', `mesa-lavapipe-${width ?? 'default'}`);
  return out;
}

/** The CPU's feature flags (Linux /proc/cpuinfo; elsewhere none). */
export function cpuFlags(read: (p: string) => string | null): string[] {
  const info = read('/proc/cpuinfo');
  const line = info?.split('\n').find((l) => l.startsWith('flags'));
  return line ? line.split(':')[1].trim().split(/\s+/) : [];
}
