// SAELens interop on the GPU: a run's SAEs exported to SAELens's layout and imported again evaluate to the numbers
// the run reported (same verdicts, losses, MCC, L0: bit for bit), for relu, topk and jumprelu; the hand-written
// fixtures (test/data/saelens) evaluate on a preset's toy data with their variant's sparsity; the CLI prints the table.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tmpDirs } from './tmp';
import type { GpuContext } from '../src/gpu/context';
import { acquireNodeDevice, releaseNodeGpu } from '../src/gpu/node';
import { parseExperiment } from '../src/config/schema';
import { getPreset } from '../src/experiments/presets';
import { runExperiment } from '../src/experiments/runner';
import { writeExperiment } from '../src/experiments/results';
import { evaluateImported, exportSaeLens, findSaeLensDirs, readSaeLensDir, runToyParams, trainToyFor } from '../src/experiments/saelens';

let ctx: GpuContext;
beforeAll(async () => {
  ctx = await acquireNodeDevice();
});
afterAll(() => releaseNodeGpu(ctx));

const tmp = tmpDirs('sae-saelens-gpu-');
const FIXTURES = join(__dirname, 'data', 'saelens');
const tiny = getPreset('tiny').experiments[0];

describe('SAELens export -> import -> the kit’s evaluation', () => {
  it.each([
    ['relu', {}],
    ['topk', { variant: 'topk', k: 2 }],
    ['jumprelu', { variant: 'jumprelu' }],
  ])(
    '%s: the imported SAEs get the verdicts and metrics the run reported',
    async (variant, sae) => {
      const c = parseExperiment({ ...tiny, name: `exp-${variant}`, sae: { ...tiny.sae, ...sae } });
      const run = tmp();
      const r = await runExperiment(ctx, c);
      writeExperiment(run, r, {}); // a run folder without results.json (as a published one): found by its saes.safetensors
      const out = join(tmp(), 'saelens');
      exportSaeLens(run, out);
      const dirs = findSaeLensDirs([out]);
      expect(dirs).toHaveLength(r.saes.length);
      const { rows, samples } = await evaluateImported(
        ctx,
        c,
        runToyParams(run, c.name),
        dirs.map((dir) => ({ dir, sae: readSaeLensDir(dir).sae })),
      );
      expect(samples).toBe(c.eval_samples);
      const pick = (x: (typeof r.saes)[number]) => ({
        verdict: x.verdict,
        verdict_nearest: x.verdict_nearest,
        final_loss: x.final_loss,
        batch_fvu: x.batch_fvu,
        per_sample_fvu: x.per_sample_fvu,
        l0: x.l0,
        dead: x.dead,
        monosemanticity: x.monosemanticity,
        recovery: x.recovery,
        decoder: x.decoder,
      });
      rows.forEach((row, m) => expect(pick(row.result), `${variant} SAE ${m}`).toEqual(pick(r.saes[m])));
      // not vacuous: the SAEs differ from each other
      expect(new Set(rows.map((x) => x.result.final_loss)).size).toBeGreaterThan(1);
    },
    120_000,
  );

  it('the hand-written fixtures evaluate on a preset’s toy model with their variant’s sparsity', async () => {
    const toy = await trainToyFor(ctx, tiny);
    const dirs = findSaeLensDirs([FIXTURES]);
    const { rows } = await evaluateImported(
      ctx,
      tiny,
      toy,
      dirs.map((dir) => ({ dir, sae: readSaeLensDir(dir).sae })),
      { samples: 2000 },
    );
    const by = Object.fromEntries(rows.map((x) => [x.dir.slice(FIXTURES.length + 1), x]));
    expect(Object.keys(by).sort()).toEqual(['gated', 'jumprelu', 'pre6-topk', 'standard', 'topk']);
    for (const x of rows) {
      expect(Number.isFinite(x.result.batch_fvu), x.dir).toBe(true);
      expect(x.result.decoder, x.dir).toHaveLength(3);
      expect(x.l1, x.dir).toBe(0); // no kit provenance: λ 0
    }
    // TopK keeps at most k latents per sample; the ReLU fixture on the same weights keeps more
    expect(by.topk.result.l0).toBeLessThanOrEqual(2);
    expect(by['pre6-topk'].result.l0).toBeLessThanOrEqual(1);
    expect(by['pre6-topk'].result.l0).toBeGreaterThan(0);
    expect(by.standard.result.l0).toBeGreaterThan(1);
    // an SAE of another width than the experiment's hidden activations
    const d3 = parseExperiment({ ...tiny, toy: { ...tiny.toy, d: 3 } });
    await expect(evaluateImported(ctx, d3, toy, [{ dir: 'std', sae: readSaeLensDir(join(FIXTURES, 'standard')).sae }])).rejects.toThrow(
      /std: d_in = 2, but experiment 'correlated' has hidden activations of d = 3/,
    );
  }, 120_000);

  it('the CLI: import-saelens --preset prints the table; an unknown experiment is a named error', () => {
    const r = spawnSync(
      join('node_modules', '.bin', 'tsx'),
      ['src/cli/main.ts', 'import-saelens', join(FIXTURES, 'standard'), join(FIXTURES, 'jumprelu'), '--preset', 'tiny', '--samples', '1000'],
      { encoding: 'utf8' },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/2 SAE\(s\) on experiment 'correlated' of preset tiny \(1000 fresh samples each\)/);
    expect(r.stdout).toMatch(/\| .*standard \| relu \| 3 \| (true|composed|mixed|partial|dead) \|/);
    expect(r.stdout).toMatch(/\| .*jumprelu \| jumprelu \| 3 \|/);
    const bad = spawnSync(
      join('node_modules', '.bin', 'tsx'),
      ['src/cli/main.ts', 'import-saelens', FIXTURES, '--preset', 'study-quick', '--experiment', 'nope'],
      {
        encoding: 'utf8',
      },
    );
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/error: import-saelens: preset study-quick has no experiment 'nope'/);
  }, 120_000);
});
