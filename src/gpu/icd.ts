// Which Vulkan drivers (ICDs) Dawn in Node may load: a pure function of a filesystem view and the
// environment, so it is tested on fake trees. Hardware drivers from any standard or vendor location
// come first and are never overridden by SwiftShader; software drivers are a fallback only.
import { posix } from 'node:path';

/** The little of a filesystem the selection reads (a fake one in the tests). */
export interface IcdFs {
  isDir(path: string): boolean;
  /** file names in a folder ([] when it cannot be read) */
  list(path: string): string[];
  /** file contents, or null when it cannot be read */
  read(path: string): string | null;
  /** the real path behind symlinks (duplicates are dropped by it) */
  realpath?(path: string): string;
}

export type IcdKind = 'hardware' | 'software';

export interface IcdFile {
  file: string;
  library: string;
  apiVersion: string;
  kind: IcdKind;
}

export interface IcdPlan {
  /** VK_DRIVER_FILES / VK_ICD_FILENAMES set by the user: used as given, nothing else is tried */
  user: { variable: string; files: string } | null;
  /** hardware drivers in search order: tried first, all at once (Dawn ranks the adapters) */
  hardware: IcdFile[];
  /** software drivers, best first: used only when no hardware adapter is found */
  software: IcdFile[];
  excluded: { file: string; reason: string }[];
}

export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
/** Mesa's Vulkan drivers for GPUs reached through DRM (not lavapipe; NVIDIA's own driver is not Mesa's). */
const MESA_DRM = /^libvulkan_(intel|intel_hasvk|radeon|nouveau|virtio|gfxstream|asahi|freedreno|panfrost|broadcom|powervr_mesa|lima|v3dv)\.so/;

/** Folders the Vulkan loader searches on Linux, plus vendor trees it does not (NVIDIA's container layout, AMDGPU-PRO). */
export function icdSearchDirs(env: Record<string, string | undefined>): string[] {
  const split = (v: string | undefined, dflt: string) => (v?.trim() ? v : dflt).split(':').filter(Boolean);
  const home = env.HOME ?? '';
  const dirs = [
    ...(env.XDG_CONFIG_HOME ? [env.XDG_CONFIG_HOME] : home ? [posix.join(home, '.config')] : []),
    ...split(env.XDG_CONFIG_DIRS, '/etc/xdg'),
    '/etc',
    '/usr/local/etc',
    ...(env.XDG_DATA_HOME ? [env.XDG_DATA_HOME] : home ? [posix.join(home, '.local/share')] : []),
    ...split(env.XDG_DATA_DIRS, '/usr/local/share:/usr/share'),
    '/usr/local/share',
    '/usr/share',
    '/usr/local/nvidia/share',
    '/usr/local/nvidia/etc',
    '/opt/amdgpu/etc',
    '/opt/amdgpu-pro/etc',
  ].map((d) => posix.join(d, 'vulkan/icd.d'));
  return [...new Set(dirs)];
}

function versionAtLeast(v: string, major: number, minor: number): boolean {
  const [a, b] = v.split('.').map(Number);
  return Number.isFinite(a) && (a > major || (a === major && (b ?? 0) >= minor));
}

/** Classify one ICD manifest: hardware, software, or excluded with the reason. */
export function classifyIcd(file: string, text: string | null): IcdFile | { file: string; reason: string } {
  if (text === null) return { file, reason: 'cannot be read' };
  let json: { ICD?: { library_path?: unknown; api_version?: unknown } };
  try {
    json = JSON.parse(text);
  } catch {
    return { file, reason: 'not valid JSON' };
  }
  const library = typeof json.ICD?.library_path === 'string' ? json.ICD.library_path : '';
  if (!library) return { file, reason: 'no ICD.library_path' };
  const apiVersion = typeof json.ICD?.api_version === 'string' ? json.ICD.api_version : '';
  const base = posix.basename(file).toLowerCase(),
    lib = posix.basename(library).toLowerCase();
  if (base.includes('swiftshader') || lib.includes('swiftshader')) return { file, library, apiVersion, kind: 'software' };
  if (base.startsWith('lvp_') || lib.includes('vulkan_lvp')) {
    // Mesa < 23 lavapipe (Vulkan 1.1, e.g. Debian 12's 22.3) makes Dawn fail; newer lavapipe works (and beats SwiftShader)
    if (!versionAtLeast(apiVersion, 1, 3))
      return { file, reason: `Mesa lavapipe with Vulkan ${apiVersion || '?'} (older Mesa than 23 does not work with Dawn)` };
    return { file, library, apiVersion, kind: 'software' };
  }
  return { file, library, apiVersion, kind: 'hardware' };
}

/**
 * The driver plan: the user's choice, else hardware drivers first and software ones as the fallback.
 * `localIcds`: manifests of the project's own drivers (scripts/setup.sh puts Mesa's lavapipe in .lavapipe/).
 */
export function planIcds(fs: IcdFs, env: Record<string, string | undefined>, localIcds: string[] = []): IcdPlan {
  for (const variable of ['VK_DRIVER_FILES', 'VK_ICD_FILENAMES']) {
    const v = env[variable];
    if (v?.trim()) return { user: { variable, files: v }, hardware: [], software: [], excluded: [] };
  }
  const plan: IcdPlan = { user: null, hardware: [], software: [], excluded: [] };
  const seen = new Set<string>();
  const consider = (file: string) => {
    const real = fs.realpath?.(file) ?? file;
    if (seen.has(real)) return;
    seen.add(real);
    const c = classifyIcd(file, fs.read(file));
    if ('reason' in c) plan.excluded.push(c);
    else if (c.kind === 'hardware') plan.hardware.push(c);
    else plan.software.push(c);
  };
  for (const dir of icdSearchDirs(env)) {
    if (!fs.isDir(dir)) continue;
    for (const name of fs
      .list(dir)
      .filter((n) => n.endsWith('.json'))
      .sort())
      consider(posix.join(dir, name));
  }
  for (const f of localIcds) if (fs.read(f) !== null) consider(f);
  // Mesa's GPU drivers (installed with chromium's Mesa) need a DRM render node: without one they only print
  // "Failed to detect any valid GPUs", so they are left out with the reason
  if (!fs.list('/dev/dri').some((n) => n.startsWith('renderD'))) {
    const drm = plan.hardware.filter((f) => MESA_DRM.test(posix.basename(f.library)));
    plan.hardware = plan.hardware.filter((f) => !drm.includes(f));
    for (const f of drm) plan.excluded.push({ file: f.file, reason: 'Mesa GPU driver, but this machine has no GPU render node (/dev/dri/renderD*)' });
  }
  if (fs.read(SWIFTSHADER_ICD) !== null) consider(SWIFTSHADER_ICD);
  // the same driver library listed twice (two folders, two names) is loaded once
  const libs = new Set<string>();
  plan.hardware = plan.hardware.filter((f) => !libs.has(f.library) && libs.add(f.library));
  // lavapipe (when new enough) before SwiftShader: several times faster
  plan.software.sort((a, b) => Number(a.library.includes('swiftshader')) - Number(b.library.includes('swiftshader')));
  return plan;
}

/** One line per driver, for --list-adapters and error messages. */
export function describePlan(plan: IcdPlan): string[] {
  if (plan.user) return [`Vulkan drivers: ${plan.user.variable}=${plan.user.files} (set by you; nothing else is tried)`];
  const out: string[] = [];
  for (const f of plan.hardware) out.push(`hardware driver ${f.file} (${posix.basename(f.library)}, Vulkan ${f.apiVersion || '?'})`);
  for (const f of plan.software) out.push(`software driver ${f.file} (${posix.basename(f.library)}; only when no hardware adapter is found)`);
  for (const e of plan.excluded) out.push(`excluded ${e.file}: ${e.reason}`);
  if (!out.length) out.push("no Vulkan driver found (install your GPU vendor's driver, or `apt-get install chromium` for the SwiftShader software driver)");
  return out;
}
