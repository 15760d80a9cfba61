// The wide engine's measurements on a lent GPU machine in one process, within a time budget (issue "SynthSAEBench-
// class data and wide SAEs", item 5): the wide and GEMM checks (Node), the GEMMs at the encoder's shape against the
// adapter's measured FMA peak, the wide step with both decodes, and synth-16k's BatchTopK trained on as many of its
// 200M samples as the budget leaves, with the time 200M would take. Writes DIR/device.md and DIR/device.json.
// Packed for the machine with the shared GPU notes' pack.sh (this entry imports no harness); here it runs as
//   npx tsx src/cli/device.ts --out DIR [--budget SECONDS] [--samples N]
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { acquireNodeDevice, releaseNodeGpu } from '../gpu/node';
import { checkList, runCheck } from '../checks';
import { loadShaderSourcesFromDisk } from '../gpu/shaders-node';
import { type BenchLine, gemmBench, peakGflops, wideBench } from '../bench/bench';
import { nativeSgemm } from '../bench/native';
import { isSoftwareAdapter } from '../gpu/context';
import { getWidePreset, runWide, wideSummary } from '../experiments/wide';
import { probeOutputDir, writeFileAtomic, writeJsonAtomic } from '../io/files';
import type { WideDecode } from '../kernels/wide';

const HELP = `usage: tsx src/cli/device.ts --out DIR [--budget SECONDS] [--samples N] [--preset NAME]
  --out DIR        where device.md, device.json and the synth-16k run's results.json / summary.md go
  --budget S       wall seconds for everything (default 540): the synth-16k run gets what the rest leaves
  --samples N      synth-16k's samples (default: its 200M, cut to what the budget leaves)
  --preset NAME    another wide preset in synth-16k's place (a smoke test on a machine without a GPU)`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { out: { type: 'string' }, budget: { type: 'string' }, samples: { type: 'string' }, preset: { type: 'string' }, help: { type: 'boolean' } },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (!values.out) throw new Error(`device: --out DIR is required\n${HELP}`);
  const budget = Number(values.budget ?? 540);
  if (!(budget > 0)) throw new Error(`device: --budget must be seconds > 0, got '${values.budget}'`);
  const maxSamples = values.samples === undefined ? undefined : Number(values.samples);
  if (maxSamples !== undefined && !(Number.isInteger(maxSamples) && maxSamples > 0))
    throw new Error(`device: --samples must be an integer > 0, got '${values.samples}'`);
  const out = values.out;
  const base = getWidePreset(values.preset ?? 'synth-16k');
  probeOutputDir(out);
  const t0 = performance.now();
  const left = () => budget - (performance.now() - t0) / 1000;
  const md: string[] = ['# The wide engine on this device', ''];
  const lines: BenchLine[] = [];
  const say = (l: string) => {
    console.log(l);
    md.push(l);
  };
  const emit = (l: BenchLine) => {
    lines.push(l);
    say(
      `- ${l.name}: ${Number.isNaN(l.value) ? '-' : l.value.toPrecision(4)} ${l.unit}${l.ratio === null ? '' : ` (x${l.ratio.toPrecision(3)} vs ${l.baseline})`}${l.note ? `; ${l.note}` : ''}`,
    );
  };
  const ctx = await acquireNodeDevice({ log: (l) => console.error(l) });
  const report: Record<string, unknown> = {};
  try {
    const a = ctx.adapter;
    say(
      `Adapter: ${a.vendor} ${a.architecture} ${a.device} ${a.description}, fallback ${a.isFallbackAdapter}, timestamps ${ctx.hasTimestamps}; budget ${budget} s.`,
    );
    say('');
    // 1. the checks that judge the wide engine and its GEMMs
    say('## Checks (Node)');
    const names = Object.keys(checkList(loadShaderSourcesFromDisk())).filter((n) => /gemm|wide/.test(n));
    const checks: { name: string; pass: boolean; worst: number; ms: number }[] = [];
    for (const name of names) {
      const r = await runCheck(ctx, name);
      const worst = Math.max(0, ...r.comparisons.map((c) => c.maxAbs));
      checks.push({ name, pass: r.pass, worst, ms: r.ms });
      say(`- ${r.pass ? 'PASS' : 'FAIL'} ${name}: worst |error| ${worst.toExponential(2)}, ${(r.ms / 1000).toFixed(1)} s`);
    }
    report.checks = checks;
    // 2. the GEMMs against the adapter's FMA peak (the target: >= 50 % of fp32 peak on the encoder GEMM)
    say('');
    say('## GEMMs at the encoder shape');
    const peak = await peakGflops(ctx);
    say(`- FMA peak (bench_fma.wgsl): ${peak.gflops.toFixed(0)} GFLOP/s (${peak.method} timing)`);
    await gemmBench(ctx, isSoftwareAdapter(ctx.adapter) ? nativeSgemm(1024, 768, 4096) : null, (l) => {
      emit(l);
      if (l.name.startsWith('gemm ') && Number.isFinite(l.value)) say(`  ${((100 * l.value) / peak.gflops).toFixed(1)} % of the FMA peak`);
    });
    report.peak = peak;
    // 3. the wide step, both decodes, at synth-cpu's and synth-16k's shapes
    say('');
    say('## The wide step');
    const gemm = isSoftwareAdapter(ctx.adapter) ? 'lanes' : 'blocked';
    await wideBench(ctx, gemm, emit);
    report.bench = lines;
    // 4. synth-16k on what is left: the decode the bench found faster at its shape
    say('');
    say(`## ${base.name}: ${base.description}`);
    // the step's shape in the bench: synth-16k's SAE at d = 768, the others' at d = 64
    const shape = base.d === 768 ? 'd=768' : 'd=64';
    const stepOf = (sparse: boolean) => lines.find((l) => l.name.includes(`${base.sae.variant} ${shape}`) && l.name.includes('sparse decode') === sparse);
    const dense = stepOf(false),
      sparse = stepOf(true);
    const decode: WideDecode = sparse && dense && sparse.value > dense.value ? 'sparse' : 'dense';
    const perStep = 1024 / Math.max(sparse?.value ?? 0, dense?.value ?? 0, 1e-9); // seconds per step, no optimiser
    // leave 25 % of the rest for set-up (the orthogonalisation), Adam, logging and the evaluation
    const fit = Math.floor(((0.75 * left()) / perStep) * 1024);
    const samples = Math.min(base.train.samples, maxSamples ?? fit, fit);
    say(
      `- decode ${decode} (the faster in the bench above); ${samples.toLocaleString('en-US')} of ${base.train.samples.toLocaleString('en-US')} samples fit the ${left().toFixed(0)} s left`,
    );
    const evalRows = Math.min(base.evalRows, 102_400);
    if (samples < base.train.batch) throw new Error(`device: no time left for ${base.name}'s training run (${left().toFixed(0)} s of the budget)`);
    const r = await runWide(ctx, { ...base, train: { ...base.train, samples }, evalRows }, { gemm, decode, onProgress: (l) => console.log(l) });
    const atFull = (base.train.samples / r.timing.samples_per_s / 60).toFixed(1);
    say(
      `- trained ${r.steps} steps at ${r.timing.samples_per_s.toFixed(0)} samples/s (set-up ${r.timing.setup_s.toFixed(1)} s, evaluation on ${evalRows.toLocaleString('en-US')} rows ${r.timing.eval_s.toFixed(1)} s): its ${base.train.samples.toLocaleString('en-US')} samples would take ${atFull} min (synth-16k's target: <= 5 on an H100)`,
    );
    say(
      `- F1 ${r.final.f1.toFixed(3)}, MCC ${r.final.mcc.toFixed(3)}, explained variance ${r.final.explained_variance.toFixed(3)}, L0 ${r.final.l0.toFixed(1)} (${samples < base.train.samples ? 'part of its budget: not converged' : 'its whole budget'})`,
    );
    writeJsonAtomic(join(out, 'results.json'), r);
    writeFileAtomic(join(out, 'summary.md'), wideSummary(r));
    report.run = { preset: base.name, decode, samples, samples_per_s: r.timing.samples_per_s, minutes_for_budget: Number(atFull), final: r.final };
  } finally {
    report.wall_s = (performance.now() - t0) / 1000;
    writeJsonAtomic(join(out, 'device.json'), report);
    writeFileAtomic(join(out, 'device.md'), `${md.join('\n')}\n\nWall time ${(report.wall_s as number).toFixed(0)} s.\n`);
    releaseNodeGpu(ctx);
  }
  const failed = (report.checks as { pass: boolean }[] | undefined)?.some((c) => !c.pass);
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e: Error) => {
    console.error(`error: ${e.message}`);
    process.exit(1);
  },
);
