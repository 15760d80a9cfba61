// `npm run bench:ab -- --against DIR`: this checkout's fused SAE step against another checkout's (DIR, e.g. a
// `git worktree` of main), both built on one device in one process and timed in alternating chunks. Across
// processes a software adapter's speed spreads by about +-20 % on a 2-core machine; alternating in one
// process tells 5-10 % apart. The other checkout's shaders are read from DIR/shaders and DIR/src; its file
// for the version is found at the version's path or, for checkouts before the kernel unit, at
// shaders/sae_fused_steps[_v2|_cpu].wgsl. Set MESA_SHADER_CACHE_DISABLE=true to compare fresh compiles.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { FLAG } from '../core/wire';
import { acquireNodeDevice, releaseNodeGpu } from '../gpu/node';
import { loadShaderSourcesFromDisk } from '../gpu/shaders-node';
import { saeTestSpec } from '../kernels/fixtures';
import { SAE_KERNELS, SAE_STEPS, type SaeKernel } from '../kernels/sae_steps';
import { GpuSaeTrainer } from '../train/sae';
import { setLenientPacking } from '../gpu/kernel';

const HELP = `usage: npm run bench:ab -- --against DIR [--kernel ${SAE_KERNELS.join('|')}] [--batch B] [--shape N/D/S] [--steps N] [--rounds R]
  --against DIR  the other checkout (its shaders/ and src/ are read; nothing there is run)
  --kernel V     the fused version to compare (default cpu)
  --batch B      samples per step (default 1024), M = 125 models, ghost grads
  --shape N/D/S  features / hidden dims / latents (default 4/2/4, the study's; N in two equal sets), e.g. the
                 bench's 16/4/16 and 32/8/32
  --steps N      steps per timed chunk (default 500)
  --rounds R     chunks per side, alternating (default 6)`;

const OLD_FILES: Record<string, string> = { v1: 'sae_fused_steps.wgsl', v2: 'sae_fused_steps_v2.wgsl', cpu: 'sae_fused_steps_cpu.wgsl' };

async function main() {
  const { values } = parseArgs({
    options: {
      against: { type: 'string' },
      kernel: { type: 'string', default: 'cpu' },
      batch: { type: 'string', default: '1024' },
      steps: { type: 'string', default: '500' },
      shape: { type: 'string', default: '4/2/4' },
      rounds: { type: 'string', default: '6' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return console.log(HELP);
  const dir = values.against;
  if (!dir || !existsSync(join(dir, 'shaders'))) throw new Error(`--against: give a checkout of this repository (a folder with shaders/)\n${HELP}`);
  const kernel = values.kernel as SaeKernel;
  if (!SAE_KERNELS.includes(kernel)) throw new Error(`--kernel ${values.kernel}: known versions are ${SAE_KERNELS.join(', ')}`);
  const [B, steps, rounds] = [values.batch, values.steps, values.rounds].map((v, i) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${['batch', 'steps', 'rounds'][i]} ${v}: need a positive integer`);
    return n;
  });

  const dims = (values.shape as string).split('/').map(Number);
  if (dims.length !== 3 || dims.some((v) => !Number.isInteger(v) || v < 1) || dims[0] % 2)
    throw new Error(`--shape ${values.shape}: need N/D/S, positive integers with N even (two sets of N/2)`);
  const [N, D, S] = dims;
  const shape = { N, D, S, sets: [N / 2, N / 2] };

  const file = SAE_STEPS[kernel].file;
  const other = { ...loadShaderSourcesFromDisk([join(dir, 'shaders'), ...(existsSync(join(dir, 'src')) ? [join(dir, 'src')] : [])]) };
  if (!(file in other)) {
    const old = join(dir, 'shaders', OLD_FILES[kernel] ?? '');
    if (!existsSync(old)) throw new Error(`${dir} has no ${file} and no shaders/${OLD_FILES[kernel]}`);
    other[file] = readFileSync(old, 'utf8');
  }

  const ctx = await acquireNodeDevice({ log: (l) => console.error(l) });
  try {
    const create = async () => {
      const spec = saeTestSpec({ ...shape, M: 125, B, T: 1e9, flags: FLAG.GHOST | FLAG.GHOST_QUIRK });
      spec.cfg.log_every = 100;
      spec.cfg.hist_len = 1000;
      const job = await GpuSaeTrainer.create(ctx, spec, { path: 'fused', kernel, kSteps: 25 });
      await job.train(50, { stepsPerSubmit: 25 }); // warm-up
      return job;
    };
    const mine = await create();
    ctx.setSources(other);
    setLenientPacking(true); // the other checkout's Config may lack this one's newer members
    const theirs = await create();
    console.error(`${mine.describe()} on ${ctx.adapter.description || ctx.adapter.architecture}`);
    const rate = async (job: GpuSaeTrainer) => {
      const t0 = performance.now();
      await job.train(steps, {});
      return (125 * B * steps) / ((performance.now() - t0) / 1000);
    };
    const a: number[] = [],
      b: number[] = [];
    for (let r = 0; r < rounds; r++) {
      // alternate which side goes first, so a drift in the machine's state favours neither
      if (r % 2) {
        b.push(await rate(theirs));
        a.push(await rate(mine));
      } else {
        a.push(await rate(mine));
        b.push(await rate(theirs));
      }
    }
    const median = (x: number[]) => [...x].sort((p, q) => p - q)[x.length >> 1];
    const fmt = (x: number[]) => x.map((v) => v.toExponential(2)).join(' ');
    console.log(`${kernel}, n=${N} d=${D} s=${S}, M=125, B=${B}, samples/s per chunk of ${steps} steps`);
    console.log(`  this checkout: ${fmt(a)}  median ${median(a).toExponential(3)}`);
    console.log(`  ${dir}: ${fmt(b)}  median ${median(b).toExponential(3)}`);
    console.log(`  this / other: ${(median(a) / median(b)).toFixed(3)}`);
    mine.destroy();
    theirs.destroy();
  } finally {
    releaseNodeGpu(ctx);
  }
}

main().catch((e) => {
  console.error(`error: ${(e as Error).message}`);
  process.exit(1);
});
