// Every kernel file is covered by a check the kernel lab can run.
import { expect, it } from 'vitest';
import { KERNEL_CHECK_OF } from '../src/app/lab';
import { CHECKS } from '../src/checks';
import { loadShaderSourcesFromDisk } from '../src/gpu/shaders-node';

it('the kernel lab maps every kernel file to an existing check (bench_fma is a timing kernel)', () => {
  const files = Object.keys(loadShaderSourcesFromDisk()).filter((f) => !f.startsWith('lib/') && f !== 'bench_fma.wgsl');
  for (const f of files) {
    expect(KERNEL_CHECK_OF[f], f).toBeDefined();
    expect(CHECKS[KERNEL_CHECK_OF[f]], `${f} -> ${KERNEL_CHECK_OF[f]}`).toBeDefined();
  }
});
