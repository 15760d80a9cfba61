// results.json is validated when loaded (src/results/schema.ts): NaN written as null comes back as NaN, a
// damaged file names the field, and results without the fields added later (older kits) still load.
import { describe, expect, it } from 'vitest';
import { parseResultsFile } from '../../src/results/schema';
import { dir, fakeExperiment, fakeResults, STUDY_W } from '../fake-experiment';

const run = () =>
  fakeResults([
    fakeExperiment({
      name: 'correlated',
      sets: [2, 2],
      W: STUDY_W,
      saes: [{ decoder: [0, 180, 90, -90].map(dir) }, { decoder: [45, 135, -45, -135].map(dir) }],
    }),
  ]);
const roundTrip = (x: unknown) => JSON.parse(JSON.stringify(x));

describe('results schema', () => {
  it('loads what the kit writes; NaN (null in JSON) comes back as NaN', () => {
    const r = run();
    r.experiments[0].saes[1].final_loss = Number.NaN;
    const back = parseResultsFile(roundTrip(r), 'results.json');
    expect(back.experiments[0].saes[1].final_loss).toBeNaN();
    expect(back.experiments[0].saes[0].final_loss).toBe(r.experiments[0].saes[0].final_loss);
    expect(back.experiments[0].cells[0].models).toEqual(r.experiments[0].cells[0].models);
  });
  it('reads the per-sample FVU of results written before the rename from mse', () => {
    const j = roundTrip(run());
    const sae = j.experiments[0].saes[0];
    const fvu = sae.per_sample_fvu;
    sae.mse = fvu;
    delete sae.per_sample_fvu;
    const back = parseResultsFile(j, 'old/results.json');
    expect(back.experiments[0].saes[0].per_sample_fvu).toBe(fvu);
    expect('mse' in back.experiments[0].saes[0]).toBe(false);
    expect(back.experiments[0].saes[1].per_sample_fvu).toBe(j.experiments[0].saes[1].per_sample_fvu);
  });
  it('names the field of a damaged file', () => {
    const j = roundTrip(run());
    j.experiments[0].saes[0].verdict = 'maybe';
    expect(() => parseResultsFile(j, 'x/results.json')).toThrow(/x\/results\.json is not a results file of this kit: .*experiments\.0\.saes\.0\.verdict/);
    const k = roundTrip(run());
    delete k.experiments[0].cells;
    expect(() => parseResultsFile(k, 'y')).toThrow(/experiments\.0\.cells/);
  });
  it('loads results written before recovery, the nearest rule, both selection rules and the guards existed', () => {
    const j = roundTrip(run());
    for (const s of j.experiments[0].saes)
      for (const f of ['recovery', 'verdict_nearest', 'verdict_flagged', 'final_loss_batch', 'batch_fvu', 'late_drop', 'converged']) delete s[f];
    delete j.experiments[0].kernels;
    for (const c of j.experiments[0].cells) for (const f of ['lowest_by', 'verdicts_nearest', 'converged', 'reference']) delete c[f];
    for (const f of ['evaluation']) delete j.experiments[0][f];
    delete j.experiments[0].toy.validity;
    delete j.experiments[0].curves.eval;
    const back = parseResultsFile(j, 'old');
    expect(back.experiments[0].saes[0].recovery).toBeUndefined();
    expect(back.experiments[0].saes[0].converged).toBeNull(); // unknown
    expect(back.experiments[0].saes).toHaveLength(2);
  });
});
