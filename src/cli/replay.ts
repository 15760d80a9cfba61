// `npm run replay -- --in DIR --out DIR`: GPU training steps from a given state on given data.
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { acquireNodeDevice, releaseNodeGpu } from '../gpu/node';
import { replay } from '../train/replay';

const USAGE = `usage: npm run replay -- --in DIR --out DIR
  DIR (in):  config.json, init.safetensors, batches.npy (float32 [T,B,n|d])
  DIR (out): final.safetensors, losses.json ({"total","mse","l1"} per step, before each update)`;

async function main() {
  const { values } = parseArgs({ options: { in: { type: 'string' }, out: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (!values.in || !values.out) throw new Error(`--in and --out are required\n${USAGE}`);
  if (!existsSync(values.in)) throw new Error(`the input folder ${values.in} does not exist`);
  const ctx = await acquireNodeDevice({ log: (l) => console.error(l) });
  try {
    const t0 = performance.now();
    const r = await replay(ctx, values.in, values.out);
    console.log(
      `replayed ${r.steps} steps on ${ctx.adapter.architecture || ctx.adapter.vendor} in ${((performance.now() - t0) / 1000).toFixed(2)} s; final loss ${r.losses.total[r.losses.total.length - 1]?.toPrecision(6)}; wrote ${values.out}/final.safetensors and losses.json`,
    );
  } finally {
    releaseNodeGpu(ctx);
  }
}

main().catch((e) => {
  console.error(`replay failed: ${e instanceof Error ? e.message : e}`);
  process.exit(1);
});
