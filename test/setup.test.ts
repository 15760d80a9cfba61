// scripts/setup.sh against fake tools: a large `ldconfig -p` (the SIGPIPE race), fake apt-get/npm/sudo/id
// that log their calls, and a fake root for the files it looks for. Nothing on this machine is changed.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tmpDirs } from './tmp';

const tmp = tmpDirs('sae-setup-');

function fixture(opts: { uid: number; chromium: boolean; vulkan: boolean }) {
  const dir = tmp();
  const bin = join(dir, 'bin'),
    root = join(dir, 'root'),
    log = join(dir, 'calls.log');
  mkdirSync(join(dir, 'scripts'), { recursive: true });
  copyFileSync('scripts/setup.sh', join(dir, 'scripts/setup.sh'));
  mkdirSync(join(dir, 'node_modules'), { recursive: true });
  writeFileSync(join(dir, 'package-lock.json'), '{}');
  writeFileSync(join(dir, 'node_modules/.package-lock.json'), '{}');
  utimesSync(join(dir, 'package-lock.json'), new Date(2000, 0, 1), new Date(2000, 0, 1)); // installed packages are newer
  mkdirSync(bin);
  mkdirSync(join(root, 'usr/lib/x86_64-linux-gnu'), { recursive: true });
  if (opts.chromium) {
    mkdirSync(join(root, 'usr/lib/chromium'), { recursive: true });
    writeFileSync(join(root, 'usr/lib/chromium/chromium'), '#!/bin/sh\n');
    chmodSync(join(root, 'usr/lib/chromium/chromium'), 0o755);
  }
  // ~100 KB of cache listing; the Vulkan loader comes first, so `grep -q` would exit long before ldconfig is done
  const lines = Array.from({ length: 1600 }, (_, i) => `\tlibfake${i}.so.1 (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/libfake${i}.so.1`);
  if (opts.vulkan) lines.unshift('\tlibvulkan.so.1 (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/libvulkan.so.1');
  writeFileSync(join(dir, 'ldconfig.txt'), `${lines.length} libs found in cache\n${lines.join('\n')}\n`);
  const tool = (name: string, body: string) => {
    writeFileSync(join(bin, name), `#!/bin/bash\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  };
  tool('ldconfig', `cat '${join(dir, 'ldconfig.txt')}'`);
  tool('id', `if [ "$1" = -u ]; then echo ${opts.uid}; else echo "uid=${opts.uid}"; fi`);
  tool('apt-get', `echo "apt-get $*" >> '${log}'`);
  tool('npm', `echo "npm $*" >> '${log}'`);
  tool('sudo', `echo "sudo $*" >> '${log}'; exit 1`); // sudo that wants a password
  const run = () =>
    spawnSync('bash', [join(dir, 'scripts/setup.sh')], {
      encoding: 'utf8',
      env: { PATH: `${bin}:/usr/bin:/bin`, SETUP_FAKE_ROOT: root, HOME: dir },
    });
  const calls = () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter(Boolean) : []);
  return { dir, ldconfigBytes: readFileSync(join(dir, 'ldconfig.txt')).length, run, calls };
}

describe('scripts/setup.sh', () => {
  it('installs and updates nothing when everything is present, 20 runs in a row with a 100 KB ldconfig -p', () => {
    const f = fixture({ uid: 1000, chromium: true, vulkan: true });
    expect(f.ldconfigBytes).toBeGreaterThan(100_000);
    for (let i = 0; i < 20; i++) {
      const r = f.run();
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).toBe('');
    }
    expect(f.calls()).toEqual([]); // no apt-get, no sudo, no npm ci
  });

  it('without root lists what is missing and which commands need it, installs nothing and exits 0', () => {
    const f = fixture({ uid: 1000, chromium: false, vulkan: false });
    const r = f.run();
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/missing Debian packages: chromium libvulkan1/);
    expect(r.stderr).toMatch(/chromium: .*npm test, --runtime browser/);
    expect(r.stderr).toMatch(/not by a GPU run in Node/);
    expect(r.stderr).toMatch(/libvulkan1: needed by every WebGPU run in Node/);
    expect(f.calls().filter((c) => c.startsWith('apt-get'))).toEqual([]);
  });

  it('as root installs exactly what is missing', () => {
    const f = fixture({ uid: 0, chromium: true, vulkan: false });
    const r = f.run();
    expect(r.status, r.stderr).toBe(0);
    expect(f.calls()).toEqual(['apt-get update -qq', 'apt-get install -y -qq libvulkan1']);
  });
});
