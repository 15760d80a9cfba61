// Dawn's XDG_RUNTIME_DIR: one private folder per user, reused, so processes that do not exit normally
// (killed tests, Ctrl-C) leave nothing new behind in the temp folder.
import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { privateRuntimeDir } from '../../src/gpu/node';

const base = mkdtempSync(join(tmpdir(), 'sae-test-xdg-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('privateRuntimeDir', () => {
  it('is one 0700 folder per user, the same for every call (no folder per process)', () => {
    const a = privateRuntimeDir(base);
    const b = privateRuntimeDir(base);
    expect(b).toBe(a);
    expect(readdirSync(base)).toHaveLength(1);
    expect(statSync(a).mode & 0o777).toBe(0o700);
  });

  it('does not use a folder of that name that others can read: a fresh private one instead', () => {
    const shared = privateRuntimeDir(base);
    chmodSync(shared, 0o755);
    const own = privateRuntimeDir(base);
    expect(own).not.toBe(shared);
    expect(statSync(own).mode & 0o777).toBe(0o700);
  });
});
