// One data stream per experiment (data.shared_stream, on in the study presets): every SAE of the job
// draws the same batches and evaluation samples (hyper.seed is the kernels' data seed), while
// initialisations stay per model.
import { describe, expect, it } from 'vitest';
import { toyLayout } from '../../src/core/wire';
import { dataSetup, saeJobPlan } from '../../src/jobs/experiment';
import { getPreset } from '../../src/experiments/presets';
import { parseExperiment } from '../../src/config/schema';

const plan = (shared: boolean) => {
  const c = parseExperiment({
    name: 's',
    data: { shared_stream: shared },
    sae: { b_dec_init: 'zeros' },
    grid: { lr: [1e-3, 3e-3], l1: [0.1] },
    realizations: 3,
  });
  const data = dataSetup(c);
  return saeJobPlan(c, data, new Float32Array(toyLayout(data.dims).P).fill(0.1)).spec;
};

describe('shared data stream', () => {
  it('gives every SAE the same data seed but its own initialisation; off, each SAE has its own stream', () => {
    const on = plan(true),
      off = plan(false);
    expect(new Set(on.hyper.map((h) => h.seed)).size).toBe(1);
    expect(new Set(off.hyper.map((h) => h.seed)).size).toBe(off.hyper.length);
    expect([...on.saeParams]).toEqual([...off.saeParams]); // initialisation does not depend on the stream
    const P = on.saeParams.length / on.hyper.length;
    expect([...on.saeParams.subarray(0, P)]).not.toEqual([...on.saeParams.subarray(P, 2 * P)]);
  });

  it('is on in every experiment of the study presets and off by default', () => {
    for (const name of ['study-quick', 'study-full']) for (const e of getPreset(name).experiments) expect(e.data.shared_stream, `${name} ${e.name}`).toBe(true);
    expect(parseExperiment({ name: 'x' }).data.shared_stream).toBe(false);
  });
});
