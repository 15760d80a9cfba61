import { acquireNodeDevice, releaseNodeGpu } from './src/gpu/node';
import { getPreset } from './src/experiments/presets';
import { runExperiment } from './src/experiments/runner';
const ctx = await acquireNodeDevice();
const name = process.argv[2] ?? 'tiny';
const exp = getPreset(name).experiments[0];
const t = performance.now();
let last = 0;
const r = await runExperiment(ctx, exp, { onProgress: (p) => { if (performance.now() - last > 5000) { last = performance.now(); console.log(p.stage, p.step, p.total, p.loss.toFixed(4)); } } });
console.log('time', ((performance.now() - t) / 1000).toFixed(1), JSON.stringify(r.timing), r.sae_path);
console.log('toy loss', r.toy.final_loss, 'pair cos', JSON.stringify(r.toy.pair_cosines));
console.log('pca', r.pca.second_moment_eigenvalues, 'L1', JSON.stringify(r.expected_l1));
const counts: Record<string, number> = {};
for (const s of r.saes) counts[s.verdict] = (counts[s.verdict] ?? 0) + 1;
console.log('verdicts', JSON.stringify(counts));
for (const c of r.cells) { const s = r.saes[c.lowest_loss]; console.log(`lr=${c.lr} l1=${c.l1} best: ${s.verdict} loss=${s.final_loss.toFixed(4)} mono=${s.monosemanticity.toFixed(2)} angles=${s.angles_deg?.map(a=>a.toFixed(0)).join(',')} dead=${s.dead} verdicts=${JSON.stringify(c.verdicts)}`); }
releaseNodeGpu(ctx);
