// The CPU-shaped kernels on lavapipe (Mesa's CPU Vulkan driver; scripts/setup.sh puts a recent one in
// .lavapipe/): the software adapter Node prefers when there is no GPU. The rest of the suite runs on
// SwiftShader (vite.config.ts). Fails, saying why, when setup could not provide lavapipe.
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCheck } from '../src/checks';
import type { GpuContext } from '../src/gpu/context';
import { acquireNodeDevice, LOCAL_LAVAPIPE_ICD, releaseNodeGpu } from '../src/gpu/node';
import { SAE_STEPS } from '../src/kernels/sae_steps';
import { chooseSaeKernel } from '../src/train/choose';
import { saeTestSpec } from '../src/kernels/fixtures';
import { FLAG } from '../src/core/wire';

let ctx: GpuContext;
const logs: string[] = [];
beforeAll(async () => {
  if (!existsSync(LOCAL_LAVAPIPE_ICD))
    throw new Error(`no lavapipe at ${LOCAL_LAVAPIPE_ICD}: run scripts/setup.sh (it fetches Mesa from bookworm-backports); see its messages`);
  process.env.VK_ICD_FILENAMES = LOCAL_LAVAPIPE_ICD;
  ctx = await acquireNodeDevice({ log: (l) => logs.push(l) });
}, 300_000);
afterAll(() => releaseNodeGpu(ctx));

describe('lavapipe', () => {
  it('is the adapter, and the CPU-shaped SAE step is chosen there', async () => {
    expect(`${ctx.adapter.description} ${ctx.adapter.architecture}`).toMatch(/llvmpipe/);
    // Dawn's two 'artificially reduced' warnings on lavapipe (printed by Dawn itself, unavoidable) are explained once
    expect(logs.join('\n').match(/artificially reduced/g)).toHaveLength(1);
    expect(logs.join('\n')).toMatch(/harmless, the kit uses no dynamic offsets/);
    const spec = saeTestSpec({ N: 4, D: 2, S: 4, sets: [2, 2], M: 2, B: 32, T: 40, flags: FLAG.GHOST });
    expect((await chooseSaeKernel(ctx, spec, 'auto')).kernel).toBe('cpu');
  });

  it('the CPU-shaped SAE step agrees with the reference and the modular path (study shape, ghost grads)', async () => {
    // the first compile on a cold Mesa shader cache takes tens of seconds
    const r = await runCheck(ctx, SAE_STEPS.cpu.check);
    for (const c of r.comparisons) expect(c.pass, `${c.name}: worst abs ${c.maxAbs}, rel ${c.maxRel}`).toBe(true);
    expect(r.comparisons.length).toBeGreaterThan(3);
  }, 300_000);
});
