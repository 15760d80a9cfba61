// Vulkan driver selection for WebGPU in Node (src/gpu/icd.ts) on fake filesystem trees.
import { describe, expect, it } from 'vitest';
import { planIcds, SWIFTSHADER_ICD, type IcdFs } from '../../src/gpu/icd';

const icd = (lib: string, api = '1.3.280') => JSON.stringify({ file_format_version: '1.0.0', ICD: { library_path: lib, api_version: api } });
const NVIDIA = icd('libGLX_nvidia.so.0', '1.3.277');
const RADEON = icd('/usr/lib/x86_64-linux-gnu/libvulkan_radeon.so', '1.3.230');
const OLD_LVP = icd('/usr/lib/x86_64-linux-gnu/libvulkan_lvp.so', '1.1.230'); // Debian 12's Mesa 22.3
const NEW_LVP = icd('/usr/lib/x86_64-linux-gnu/libvulkan_lvp.so', '1.4.309'); // Mesa 25
const SWIFT = icd('./libvk_swiftshader.so', '1.0.5');

/** A filesystem of the given files (path -> contents); folders are implied by the paths. */
function fakeFs(files: Record<string, string>): IcdFs {
  const dirs = new Map<string, string[]>();
  for (const f of Object.keys(files)) {
    const i = f.lastIndexOf('/');
    dirs.set(f.slice(0, i), [...(dirs.get(f.slice(0, i)) ?? []), f.slice(i + 1)]);
  }
  return { isDir: (p) => dirs.has(p), list: (p) => dirs.get(p) ?? [], read: (p) => files[p] ?? null };
}

const ENV = { HOME: '/home/u' };

describe('Vulkan driver plan', () => {
  it('NVIDIA in a vendor tree is the hardware driver, and SwiftShader stays a fallback', () => {
    const plan = planIcds(fakeFs({ '/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json': NVIDIA, [SWIFTSHADER_ICD]: SWIFT }), ENV);
    expect(plan.user).toBeNull();
    expect(plan.hardware.map((f) => f.file)).toEqual(['/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json']);
    expect(plan.software.map((f) => f.file)).toEqual([SWIFTSHADER_ICD]);
  });

  it('NVIDIA under $XDG_DATA_DIRS and /etc are both found; one driver listed twice is kept once', () => {
    const plan = planIcds(fakeFs({ '/opt/x/share/vulkan/icd.d/nvidia_icd.json': NVIDIA, '/etc/vulkan/icd.d/nvidia_icd.json': NVIDIA }), {
      ...ENV,
      XDG_DATA_DIRS: '/opt/x/share',
    });
    expect(plan.hardware.map((f) => f.file)).toEqual(['/etc/vulkan/icd.d/nvidia_icd.json']);
  });

  it('AMD + old lavapipe: AMD is hardware, lavapipe excluded with the reason, SwiftShader the fallback', () => {
    const plan = planIcds(
      fakeFs({
        '/usr/share/vulkan/icd.d/radeon_icd.x86_64.json': RADEON,
        '/usr/share/vulkan/icd.d/lvp_icd.x86_64.json': OLD_LVP,
        [SWIFTSHADER_ICD]: SWIFT,
        '/dev/dri/renderD128': '',
      }),
      ENV,
    );
    expect(plan.hardware.map((f) => f.file)).toEqual(['/usr/share/vulkan/icd.d/radeon_icd.x86_64.json']);
    expect(plan.excluded).toEqual([{ file: '/usr/share/vulkan/icd.d/lvp_icd.x86_64.json', reason: expect.stringMatching(/lavapipe with Vulkan 1\.1\.230/) }]);
    expect(plan.software.map((f) => f.file)).toEqual([SWIFTSHADER_ICD]);
  });

  it('only old lavapipe: no hardware, no software driver (the caller says how to get one)', () => {
    const plan = planIcds(fakeFs({ '/usr/share/vulkan/icd.d/lvp_icd.x86_64.json': OLD_LVP }), ENV);
    expect(plan.hardware).toEqual([]);
    expect(plan.software).toEqual([]);
    expect(plan.excluded).toHaveLength(1);
  });

  it('new lavapipe is a software driver, tried before SwiftShader', () => {
    const plan = planIcds(fakeFs({ '/usr/local/share/vulkan/icd.d/lvp_icd.x86_64.json': NEW_LVP, [SWIFTSHADER_ICD]: SWIFT }), ENV);
    expect(plan.hardware).toEqual([]);
    expect(plan.software.map((f) => f.file)).toEqual(['/usr/local/share/vulkan/icd.d/lvp_icd.x86_64.json', SWIFTSHADER_ICD]);
  });

  it("Mesa GPU drivers without a render node are left out with the reason (they only print 'Failed to detect any valid GPUs')", () => {
    const files = { '/usr/share/vulkan/icd.d/radeon_icd.x86_64.json': RADEON, '/etc/vulkan/icd.d/nvidia_icd.json': NVIDIA, [SWIFTSHADER_ICD]: SWIFT };
    const plan = planIcds(fakeFs(files), ENV);
    expect(plan.hardware.map((f) => f.file)).toEqual(['/etc/vulkan/icd.d/nvidia_icd.json']);
    expect(plan.excluded).toEqual([{ file: '/usr/share/vulkan/icd.d/radeon_icd.x86_64.json', reason: expect.stringMatching(/no GPU render node/) }]);
    expect(planIcds(fakeFs({ ...files, '/dev/dri/renderD128': '' }), ENV).hardware).toHaveLength(2);
  });

  it("the project's own lavapipe (scripts/setup.sh) is a software driver before SwiftShader", () => {
    const local = '/repo/.lavapipe/lvp_icd.json';
    const plan = planIcds(fakeFs({ [local]: NEW_LVP.replace('/usr/lib', '/repo/.lavapipe/root/usr/lib'), [SWIFTSHADER_ICD]: SWIFT }), ENV, [
      local,
      '/absent.json',
    ]);
    expect(plan.software.map((f) => f.file)).toEqual([local, SWIFTSHADER_ICD]);
  });

  it('no driver at all: an empty plan', () => {
    const plan = planIcds(fakeFs({}), ENV);
    expect(plan).toEqual({ user: null, hardware: [], software: [], excluded: [] });
  });

  it('a broken manifest is excluded with the reason, not fatal', () => {
    const plan = planIcds(fakeFs({ '/etc/vulkan/icd.d/bad.json': '{ nope', '/etc/vulkan/icd.d/nvidia_icd.json': NVIDIA }), ENV);
    expect(plan.hardware).toHaveLength(1);
    expect(plan.excluded).toEqual([{ file: '/etc/vulkan/icd.d/bad.json', reason: 'not valid JSON' }]);
  });

  it('VK_DRIVER_FILES / VK_ICD_FILENAMES set by the user always win', () => {
    const files = fakeFs({ '/usr/share/vulkan/icd.d/nvidia_icd.json': NVIDIA, [SWIFTSHADER_ICD]: SWIFT });
    expect(planIcds(files, { ...ENV, VK_ICD_FILENAMES: SWIFTSHADER_ICD }).user).toEqual({ variable: 'VK_ICD_FILENAMES', files: SWIFTSHADER_ICD });
    expect(planIcds(files, { ...ENV, VK_DRIVER_FILES: '/x.json', VK_ICD_FILENAMES: '/y.json' }).user).toEqual({
      variable: 'VK_DRIVER_FILES',
      files: '/x.json',
    });
    expect(planIcds(files, { ...ENV, VK_ICD_FILENAMES: '' }).user).toBeNull(); // empty means unset
  });
});

describe('the default preset', () => {
  it('is the study at its own budget on a GPU or lavapipe, the quick budget on SwiftShader or a user plan', async () => {
    const { fastAdapterLikely } = await import('../../src/gpu/node');
    const lvp = '/usr/share/vulkan/icd.d/lvp_icd.x86_64.json';
    expect(fastAdapterLikely(planIcds(fakeFs({ '/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json': NVIDIA, [SWIFTSHADER_ICD]: SWIFT }), ENV))).toBe(true);
    expect(fastAdapterLikely(planIcds(fakeFs({ [lvp]: NEW_LVP, [SWIFTSHADER_ICD]: SWIFT }), ENV))).toBe(true);
    expect(fastAdapterLikely(planIcds(fakeFs({ [lvp]: OLD_LVP, [SWIFTSHADER_ICD]: SWIFT }), ENV))).toBe(false);
    expect(fastAdapterLikely(planIcds(fakeFs({ [SWIFTSHADER_ICD]: SWIFT }), ENV))).toBe(false);
    expect(fastAdapterLikely(planIcds(fakeFs({ [lvp]: NEW_LVP }), { ...ENV, VK_ICD_FILENAMES: lvp }))).toBe(false);
  });
});
