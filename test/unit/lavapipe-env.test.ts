// lavapipe's compile settings (src/gpu/lavapipe.ts): 512-bit vectors on AVX-512 CPUs unless the user chose a
// width, and a Mesa shader cache folder per width (Mesa's cache key ignores LP_NATIVE_VECTOR_WIDTH).
import { describe, expect, it } from 'vitest';
import { cpuFlags, lavapipeEnv } from '../../src/gpu/lavapipe';

describe('lavapipe environment', () => {
  it('512-bit vectors and their own cache folder on an AVX-512 CPU', () => {
    expect(lavapipeEnv({}, ['fpu', 'avx2', 'avx512f'], '/home/u')).toEqual({
      LP_NATIVE_VECTOR_WIDTH: '512',
      MESA_SHADER_CACHE_DIR: '/home/u/.cache/sae-kit/mesa-lavapipe-512',
    });
  });
  it("lavapipe's default width elsewhere, still in a folder of its own", () => {
    expect(lavapipeEnv({ XDG_CACHE_HOME: '/c' }, ['avx2'], '/home/u')).toEqual({ MESA_SHADER_CACHE_DIR: '/c/sae-kit/mesa-lavapipe-default' });
  });
  it("keeps the user's width and cache folder (and then adds nothing)", () => {
    expect(lavapipeEnv({ LP_NATIVE_VECTOR_WIDTH: '256' }, ['avx512f'], '/h')).toEqual({ MESA_SHADER_CACHE_DIR: '/h/.cache/sae-kit/mesa-lavapipe-256' });
    expect(lavapipeEnv({ LP_NATIVE_VECTOR_WIDTH: '256', MESA_SHADER_CACHE_DIR: '/mine' }, ['avx512f'], '/h')).toEqual({});
    // the user's cache folder: no width forced into it (binaries of two widths would mix there)
    expect(lavapipeEnv({ MESA_SHADER_CACHE_DIR: '/mine' }, ['avx512f'], '/h')).toEqual({});
  });
  it('reads the flags line of /proc/cpuinfo, none without one', () => {
    expect(cpuFlags(() => 'processor\t: 0\nflags\t\t: fpu sse2 avx512f\nbugs\t: x\n')).toEqual(['fpu', 'sse2', 'avx512f']);
    expect(cpuFlags(() => null)).toEqual([]);
  });
});
