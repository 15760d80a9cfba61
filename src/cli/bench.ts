// `npm run bench`: kernel and training-path figures with ratios measured in the same run (src/bench).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { useDiskChoiceCache } from '../train/choice-cache-node';
import { KERNEL_REQUESTS, type KernelRequest } from '../train/choose';
import { acquireNodeDevice, releaseNodeGpu } from '../gpu/node';
import { writeJsonAtomic } from '../io/files';
import { runBench, runnerOverhead, SHAPES_FULL, SHAPES_QUICK, type BenchLine } from '../bench/bench';
import { getPreset } from '../experiments/presets';
import { runPreset } from '../experiments/study';
import { loadExperiment } from '../experiments/results';
import { nodeDocument } from '../plots/dom-node';
import { nativeSgemm } from '../bench/native';

const HELP = `usage: npm run bench -- [--json FILE] [--full] [--study PRESET] [--kernel ${KERNEL_REQUESTS.join('|')}]
  --full          the full shape list, (M, B) = ${SHAPES_FULL.map(([m, b]) => `(${m}, ${b})`).join(' ')} (for GPUs);
                  default: the reduced list ${SHAPES_QUICK.map(([m, b]) => `(${m}, ${b})`).join(' ')} (minutes on SwiftShader)
  --quick         the reduced list (the default; kept for old command lines)
  --study PRESET  time a whole preset end to end (e.g. study-quick, study-full; default tiny), with the
                  kernel choices and the runner's own share of the first experiment's SAE stage
  --kernel V      the SAE kernel for the end-to-end preset (default auto: chosen per adapter)
  --json FILE     also write every figure as JSON`;

function fmt(l: BenchLine): string {
  const v = Number.isNaN(l.value) ? '-' : Math.abs(l.value) >= 100 ? l.value.toFixed(0) : l.value.toPrecision(3);
  const r = l.ratio === null ? '' : `  x${l.ratio.toPrecision(3)} vs ${l.baseline}`;
  return `${l.name.padEnd(52)} ${v.padStart(10)} ${l.unit.padEnd(14)}${r}${l.note ? `  (${l.note})` : ''}`;
}

async function main() {
  const { values } = parseArgs({
    options: {
      json: { type: 'string' },
      study: { type: 'string' },
      quick: { type: 'boolean' },
      full: { type: 'boolean' },
      kernel: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  if (values.kernel && !(KERNEL_REQUESTS as readonly string[]).includes(values.kernel))
    throw new Error(`--kernel must be one of ${KERNEL_REQUESTS.join(', ')}, got '${values.kernel}'`);
  useDiskChoiceCache(); // the per-adapter kernel choice (src/train/choose.ts) survives the process
  const ctx = await acquireNodeDevice({ log: (l) => console.error(l) });
  const t00 = performance.now();
  try {
    const a = ctx.adapter;
    console.log(
      `adapter: ${a.vendor} ${a.architecture} ${a.device} ${a.description} (${a.runtime}), fallback: ${a.isFallbackAdapter}, timestamps: ${ctx.hasTimestamps}, subgroups: ${ctx.device.features.has('subgroups' as GPUFeatureName)}`,
    );
    console.log(
      `limits: ${ctx.device.limits.maxComputeInvocationsPerWorkgroup} invocations/workgroup, ${ctx.device.limits.maxComputeWorkgroupStorageSize} B workgroup memory; shapes: ${values.full ? 'full' : 'reduced'}`,
    );
    const lines = await runBench(ctx, { log: (l) => console.log(fmt(l)), full: values.full, nativeGemm: nativeSgemm });
    const emit = (l: BenchLine) => {
      lines.push(l);
      console.log(fmt(l));
    };
    const presetName = values.study ?? 'tiny';
    const preset = getPreset(presetName);
    const out = mkdtempSync(join(tmpdir(), 'sae-bench-'));
    const t0 = performance.now();
    const res = await runPreset(ctx, preset, out, {
      document: nodeDocument(),
      kernel: values.kernel as KernelRequest | undefined,
      onNote: (l) => console.log(`  ${l}`),
    });
    const s = (performance.now() - t0) / 1000;
    emit({ name: `end to end: preset ${presetName} (${preset.experiments.length} experiment(s))`, value: s, unit: 's', ratio: null, baseline: '' });
    for (const e of res.experiments) {
      const t = res.timing[e.name] ?? {};
      const k = e.kernels;
      emit({
        name: `  ${e.name}: toy / SAE / eval / analysis / figures`,
        value: t.total_s ?? NaN,
        unit: 's total',
        ratio: null,
        baseline: '',
        note: `${[t.toy_s, t.sae_s, t.eval_s, t.analysis_s, t.figures_s].map((x) => (x ?? NaN).toFixed(2)).join(' / ')} s; toy ${k?.toy.kernel}, SAEs ${k?.sae.describe}`,
      });
    }
    if (res.experiments.length) {
      const first = loadExperiment(out, res.experiments[0]);
      const o = await runnerOverhead(ctx, first);
      const st = first.timing;
      emit({
        name: `runner overhead in ${first.name}'s SAE stage`,
        value: o.overhead * 100,
        unit: '%',
        ratio: null,
        baseline: '',
        note: `stage ${st.sae_s.toFixed(2)} s vs bare trainer ${o.bare_s.toFixed(2)} s (same kernel and steps, fewest submits); evaluation ${((st.eval_s / st.sae_s) * 100).toFixed(1)} %, host analysis ${((st.analysis_s / st.sae_s) * 100).toFixed(1)} % of the SAE stage`,
      });
    }
    console.log(`bench wall time: ${((performance.now() - t00) / 1000).toFixed(1)} s`);
    if (values.json) writeJsonAtomic(values.json, { adapter: ctx.adapter, date: new Date().toISOString(), full: Boolean(values.full), lines });
  } finally {
    releaseNodeGpu(ctx);
  }
}

main().catch((e) => {
  console.error(`bench failed: ${e instanceof Error ? e.message : e}`);
  process.exit(1);
});
