// `npm run bench`: kernel and training-path figures with ratios measured in the same run (src/bench).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { acquireNodeDevice, releaseNodeGpu } from '../gpu/node';
import { writeJsonAtomic } from '../io/files';
import { runBench, type BenchLine } from '../bench/bench';
import { getPreset } from '../experiments/presets';
import { runPreset } from '../experiments/study';
import { nodeDocument } from '../plots/dom-node';

function fmt(l: BenchLine): string {
  const v = Math.abs(l.value) >= 100 ? l.value.toFixed(0) : l.value.toPrecision(3);
  const r = l.ratio === null ? '' : `  x${l.ratio.toPrecision(3)} vs ${l.baseline}`;
  return `${l.name.padEnd(58)} ${v.padStart(10)} ${l.unit.padEnd(14)}${r}${l.note ? `  (${l.note})` : ''}`;
}

async function main() {
  const { values } = parseArgs({ options: { json: { type: 'string' }, study: { type: 'string' }, quick: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    console.log('usage: npm run bench -- [--json FILE] [--quick] [--study PRESET]\n  --quick         smaller batch (256) for a fast run\n  --study PRESET  also time a whole preset end to end (e.g. study-quick, correlated-quick; default tiny)');
    return;
  }
  const ctx = await acquireNodeDevice({ log: (l) => console.error(l) });
  try {
    console.log(`adapter: ${ctx.adapter.vendor} ${ctx.adapter.architecture} ${ctx.adapter.description} (${ctx.adapter.runtime}), timestamps: ${ctx.hasTimestamps}`);
    const lines = await runBench(ctx, { log: (l) => console.log(fmt(l)), quick: values.quick });
    const presetName = values.study ?? 'tiny';
    const preset = getPreset(presetName);
    const t0 = performance.now();
    await runPreset(ctx, preset, mkdtempSync(join(tmpdir(), 'sae-bench-')), { document: nodeDocument() });
    const s = (performance.now() - t0) / 1000;
    const l: BenchLine = { name: `end to end: preset ${presetName} (${preset.experiments.length} experiment(s))`, value: s, unit: 's', ratio: presetName === 'study-quick' ? s / 120 : null, baseline: presetName === 'study-quick' ? 'target 120 s' : '' };
    lines.push(l);
    console.log(fmt(l));
    if (values.json) writeJsonAtomic(values.json, { adapter: ctx.adapter, date: new Date().toISOString(), lines });
  } finally {
    releaseNodeGpu(ctx);
  }
}

main().catch((e) => { console.error(`bench failed: ${e instanceof Error ? e.message : e}`); process.exit(1); });
