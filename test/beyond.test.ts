// Beyond the study: general data (Zipf, sparser draws, more/larger sets, d > 2), TopK and orthogonality
// options end to end, the new metrics, the heat map and the phase diagram.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tmpDirs } from './tmp';
import { samplerTables, zipf } from '../src/data/tables';
import type { GpuContext } from '../src/gpu/context';
import { acquireNodeDevice, releaseNodeGpu } from '../src/gpu/node';
import { getPreset, PHASE } from '../src/experiments/presets';
import { readResults } from '../src/experiments/results';
import { parseExperiment, parsePreset } from '../src/config/schema';
import { runPreset } from '../src/experiments/study';
import { defaultConfig } from '../src/core/wire';
import { sampleData } from '../src/reference/data';
import { nodeDocument } from '../src/plots/dom-node';
import { randomDictionary } from '../src/data/dictionary';
import { rngU32, STREAM } from '../src/core/rng';
import { phaseBudgetCheck, phaseFigure, phaseTable, type PhasePoint } from '../src/plots/phase';

let ctx: GpuContext;
beforeAll(async () => {
  ctx = await acquireNodeDevice();
});
afterAll(() => releaseNodeGpu(ctx));
const tmp = tmpDirs('sae-beyond-');

describe('general composed-feature data (reference sampler)', () => {
  it('Zipf(alpha) frequencies within a set', () => {
    expect(zipf(3, 1)).toEqual([1 / (1 + 1 / 2 + 1 / 3), 1 / 2 / (1 + 1 / 2 + 1 / 3), 1 / 3 / (1 + 1 / 2 + 1 / 3)]);
    const { tables, tableLen } = samplerTables({ sets: [4, 4], rho: 0, pOnehot: 0, zipfAlpha: 1.5 });
    const B = 40000;
    const x = sampleData(defaultConfig({ M: 1, B, table_len: tableLen }), [{ lr: 1, l1: 0, cos: 0, seed: 3 }], 0, [4, 4], tables);
    const counts = [0, 0, 0, 0];
    for (let b = 0; b < B; b++) for (let i = 0; i < 4; i++) if (x[b * 8 + i] > 0) counts[i]++;
    zipf(4, 1.5).forEach((p, i) => expect(Math.abs(counts[i] / B - p)).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / B)));
  });
  it('sparser draws: each set is empty with probability q', () => {
    const q = 0.3,
      B = 40000;
    const { tables, tableLen } = samplerTables({ sets: [3, 3, 3], rho: 0, pOnehot: 0 });
    const x = sampleData(defaultConfig({ M: 1, B, table_len: tableLen, p_set_empty: q }), [{ lr: 1, l1: 0, cos: 0, seed: 4 }], 0, [3, 3, 3], tables);
    for (let j = 0; j < 3; j++) {
      let empty = 0;
      for (let b = 0; b < B; b++) if ([0, 1, 2].every((i) => x[b * 9 + j * 3 + i] === 0)) empty++;
      expect(Math.abs(empty / B - q)).toBeLessThan(5 * Math.sqrt((q * (1 - q)) / B));
    }
  });
  it('validates the new options', () => {
    expect(() => parseExperiment({ name: 'x', sae: { variant: 'topk' } })).toThrow(/topk needs sae\.k between 1 and s = 4/);
    expect(() => parseExperiment({ name: 'x', sae: { variant: 'topk', k: 9 } })).toThrow(/sae\.k between 1 and s/);
    expect(() => parseExperiment({ name: 'x', data: { zipf_alpha: 1, joint: [0.25, 0.25, 0.25, 0.25] } })).toThrow(/zipf_alpha replaces/);
    expect(() => parseExperiment({ name: 'x', data: { p_set_empty: 2 } })).toThrow(/data\.p_set_empty: must be <= 1/);
    expect(parseExperiment({ name: 'x', sae: { cos: { variant: 'ortho' } } }).sae.cos.variant).toBe('ortho');
    expect(() => parseExperiment({ name: 'x', sae: { variant: 'jumprelu', jump_eps: 0 } })).toThrow(/sae\.jump_eps: must be > 0/);
    expect(() => parseExperiment({ name: 'x', sae: { variant: 'batchtopk' } })).toThrow(/batchtopk needs sae\.k/);
  });
});

describe('SAE variants and larger cases end to end', () => {
  it('TopK, orthogonality penalty, Zipf, sparser draws, 3 sets of 3 features, d = 3, s = 12', async () => {
    const out = tmp();
    const preset = parsePreset({
      name: 'beyond-test',
      description: 'test',
      budget: 'custom',
      experiments: [
        {
          name: 'topk-3x3',
          data: { sets: [3, 3, 3], rho: 0.5, p_onehot: 0.2, zipf_alpha: 1, p_set_empty: 0.2 },
          toy: { d: 3, steps: 300, batch: 200, lr: 1e-2 },
          sae: { s: 12, steps: 60, batch: 32, variant: 'topk', k: 3, cos: { variant: 'ortho', coef: 0.1 } },
          grid: { lr: [3e-3], l1: [0] },
          realizations: 2,
          eval_samples: 300,
          log_every: 10,
        },
      ],
    });
    const res = await runPreset(ctx, preset, out, { document: nodeDocument() });
    const e = res.experiments[0];
    expect(e.toy.projection).toBe('top-2-pcs');
    expect(e.composed.length).toBe(27);
    for (const s of e.saes) {
      expect(s.l0).toBeLessThanOrEqual(3 + 1e-6); // TopK keeps at most k latents
      expect(s.composed_fraction).toBeGreaterThanOrEqual(0);
      expect(s.dead_fraction).toBeGreaterThanOrEqual(0);
      expect(s.recovered).toBeGreaterThanOrEqual(0);
      expect(s.angles_deg).toHaveLength(12);
      // TopK's dead rule: a latent that fires on the data is live even where it wins on no one-hot probe
      const deadKinds = s.latents.filter((l) => l.kind === 'dead').length;
      expect(deadKinds).toBeLessThanOrEqual(s.dead_probe);
      expect(deadKinds).toBeLessThanOrEqual(s.dead);
    }
    // (with k = 3 of s = 12 some latents win on no single-feature probe, yet fire on the data)
    expect(e.saes.some((s) => s.latents.filter((l) => l.kind === 'dead').length < s.dead_probe)).toBe(true);
    for (const f of ['toy.svg', 'grid.svg', 'sae-overlay.svg', 'heatmap.svg', 'losses.svg']) expect(existsSync(join(out, 'topk-3x3', f)), f).toBe(true);
    expect(readFileSync(join(out, 'topk-3x3', 'toy.svg'), 'utf8')).toMatch(/projected onto the top-2( |<\/text><text[^>]*>)principal components/); // titles wrap to the figure width
    expect(readResults(out)!.experiments[0].config.sae.variant).toBe('topk');
  });
});

describe('a fixed random dictionary in place of the toy model (toy.model = dictionary)', () => {
  it('trains no toy model, uses the orthogonalised dictionary as W, and the report and gram.svg say so', async () => {
    const out = tmp();
    const preset = parsePreset({
      name: 'dict-test',
      description: 'test',
      budget: 'custom',
      experiments: [
        {
          name: 'dict-2x3',
          data: { sets: [3, 3], rho: 0, p_onehot: 0.5 },
          toy: { d: 4, model: 'dictionary', ortho_steps: 200 },
          sae: { s: 6, steps: 60, batch: 32 },
          grid: { lr: [3e-3], l1: [0.1] },
          realizations: 2,
          eval_samples: 300,
          log_every: 10,
        },
      ],
    });
    const res = await runPreset(ctx, preset, out, { document: nodeDocument() });
    const e = res.experiments[0];
    const want = randomDictionary(6, 4, rngU32(e.config.seed, STREAM.toyInit, e.config.toy.seed, 1, 0), { orthoSteps: 200 });
    e.toy.W.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(want[i][j], 6)));
    expect(e.toy.b.every((v) => v === 0)).toBe(true);
    expect(e.toy.loss_curve.step).toEqual([]);
    expect(e.kernels?.toy.kernel).toBe('dictionary');
    expect(e.saes.every((s) => s.synth && s.synth.mcc > 0 && s.synth.uniqueness > 0)).toBe(true);
    const report = readFileSync(join(out, 'report.md'), 'utf8');
    expect(report).toContain('dict-2x3 used a fixed random unit dictionary in place of the trained toy model');
    expect(report).toMatch(/- toy model \(a fixed random unit dictionary, not trained; orthogonalised by 200 Adam steps\)/);
    expect(report).toMatch(/SynthSAEBench's decoder metrics/);
    const gramText = readFileSync(join(out, 'dict-2x3', 'gram.svg'), 'utf8')
      .replace(/<[^>]+>/g, ' ')
      .replace(/\s+/g, ' ');
    expect(gramText).toContain('the fixed random dictionary (not trained) Gram matrix');
  });
});

describe('phase diagram', () => {
  it('the preset sweeps k 2..8 against p 0..0.9 for ReLU and TopK SAEs', () => {
    const p = getPreset('phase-quick');
    expect(p.experiments).toHaveLength(PHASE.ks.length * PHASE.ps.length * 2);
    expect(new Set(p.experiments.map((e) => e.sae.variant))).toEqual(new Set(['relu', 'topk']));
    expect(Math.min(...p.experiments.map((e) => e.data.sets[0]))).toBe(2);
    expect(Math.max(...p.experiments.map((e) => e.data.sets[0]))).toBe(8);
    expect(Math.max(...p.experiments.map((e) => e.data.p_onehot))).toBe(0.9);
  });
  it('figure and table from points: intervals, the analytic crossings', () => {
    const pts: PhasePoint[] = [
      { variant: 'relu', k: 2, p: 0, recovered: 0.25, lo: 0.1, hi: 0.4, composed: 0.5, n: 10, seeds: 2, flagged: 0 },
      { variant: 'topk', k: 2, p: 0.9, recovered: 1, lo: 1, hi: 1, composed: 0, n: 10, seeds: 2, flagged: 1 },
    ];
    const svg = phaseFigure(pts, nodeDocument());
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg).toContain('0.25');
    expect(svg).toContain('0.10-0.40');
    expect(svg).toContain('uncorrelated 0.22');
    expect(svg).toContain('correlated 0.59');
    expect(phaseTable(pts)).toMatch(/\| 2 \| 0\.25 \[0\.10, 0\.40\] \/ 0\.50 \| - \|/);
    expect(phaseTable(pts)).toMatch(/1\.00 \[1\.00, 1\.00\] \/ 0\.00 \(1 flagged\)/);
  });
  it('two budgets agree where their intervals overlap', () => {
    const at = (recovered: number, lo: number, hi: number): PhasePoint => ({
      variant: 'relu',
      k: 2,
      p: 0,
      recovered,
      lo,
      hi,
      composed: 0,
      n: 10,
      seeds: 3,
      flagged: 0,
    });
    expect(phaseBudgetCheck([at(0.5, 0.4, 0.6)], [at(0.55, 0.5, 0.65)])).toMatchObject({ agree: 1 });
    const apart = phaseBudgetCheck([at(0.2, 0.1, 0.3)], [at(0.6, 0.5, 0.7)]);
    expect(apart.agree).toBe(0);
    expect(apart.maxDiff).toBeCloseTo(0.4, 12);
    // a point whose toy models all failed the guards is not compared (NaN would pass as overlapping)
    const none: PhasePoint = { ...at(Number.NaN, Number.NaN, Number.NaN), flagged: 3 };
    expect(phaseBudgetCheck([none], [at(0.5, 0.4, 0.6)])).toMatchObject({ agree: 0, notMeasured: 1, rows: [] });
    expect(phaseTable([none])).toContain('not measured (3 flagged)');
  });
});

describe('JumpReLU end to end', () => {
  it('trains (fused path), thresholds move, results record the variant', async () => {
    const out = tmp();
    const preset = parsePreset({
      name: 'jump-test',
      description: 'test',
      budget: 'custom',
      experiments: [
        {
          name: 'jumprelu',
          data: { sets: [2, 2], rho: 0 },
          toy: { steps: 300, batch: 200, lr: 1e-2 },
          sae: { s: 4, steps: 80, batch: 64, variant: 'jumprelu', init_threshold: 0.05, jump_eps: 0.05 },
          grid: { lr: [1e-2], l1: [0.1] },
          realizations: 2,
          eval_samples: 300,
          log_every: 10,
        },
      ],
    });
    const res = await runPreset(ctx, preset, out, { document: nodeDocument() });
    const e = res.experiments[0];
    expect(e.sae_path).toBe('fused');
    expect(e.config.sae.variant).toBe('jumprelu');
    const { decodeSafetensors } = await import('../src/io/safetensors');
    const w = decodeSafetensors(new Uint8Array(readFileSync(join(out, 'jumprelu', 'saes.safetensors')))).tensors;
    expect(w.log_threshold.shape).toEqual([2, 4]);
    const moved = [...w.log_threshold.data].some((v) => Math.abs(v - Math.log(0.05)) > 1e-4);
    expect(moved).toBe(true);
  });

  it('BatchTopK with the AuxK loss trains on the modular path or the CPU-shaped steps (never v1 / v2) and keeps about k latents per sample', async () => {
    const out = tmp();
    const preset = parsePreset({
      name: 'btk-test',
      description: 'test',
      budget: 'custom',
      experiments: [
        {
          name: 'batchtopk',
          data: { sets: [2, 2], rho: 0 },
          toy: { steps: 300, batch: 200, lr: 1e-2 },
          sae: { s: 4, steps: 60, batch: 64, variant: 'batchtopk', k: 2, auxk: { k: 2 }, dead_after: 5 },
          grid: { lr: [1e-2], l1: [0] },
          realizations: 2,
          eval_samples: 400,
          log_every: 10,
        },
      ],
    });
    const res = await runPreset(ctx, preset, out, { document: nodeDocument() });
    const e = res.experiments[0];
    expect(e.sae_path === 'modular' || e.kernels?.sae?.kernel === 'cpu', JSON.stringify(e.kernels?.sae)).toBe(true);
    for (const s of e.saes) expect(s.l0).toBeLessThanOrEqual(2 + 0.05); // on average k per sample (ties aside)
  });
});

describe('optimality gap end to end', () => {
  it('trains two reference SAEs per cell with fixed decoders and reports them beside the learned ones', async () => {
    const out = tmp();
    const preset = parsePreset({
      name: 'gap-test',
      description: 'test',
      budget: 'custom',
      experiments: [
        {
          name: 'correlated',
          data: { sets: [2, 2], rho: 1, shared_stream: true },
          toy: { steps: 300, batch: 200, lr: 1e-2 },
          sae: { steps: 100, batch: 64 },
          grid: { lr: [1e-2], l1: [0.03, 0.3] },
          realizations: 2,
          eval_samples: 500,
          log_every: 10,
          optimality_gap: true,
        },
      ],
    });
    const lines: string[] = [];
    const res = await runPreset(ctx, preset, out, { document: nodeDocument(), onNote: (l) => lines.push(l) });
    const e = res.experiments[0];
    expect(e.cells).toHaveLength(2);
    for (const c of e.cells)
      for (const b of ['true', 'composed'] as const) {
        const r = c.reference![b];
        expect(Number.isFinite(r.final_loss) && r.final_loss > 0).toBe(true);
        // selection loss = per-sample FVU + lambda * L1 term, as for the learned SAEs
        expect(Math.abs(r.final_loss - (r.per_sample_fvu + Math.fround(c.l1) * r.l1_term))).toBeLessThan(1e-4 * (1 + r.final_loss));
      }
    expect(e.kernels!.reference?.describe).toBeTruthy();
    expect(e.timing.ref_s).toBeGreaterThan(0);
    expect(lines.some((l) => l.includes('reference SAEs (fixed decoders)'))).toBe(true);
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    expect(md).toMatch(/## Optimality gap/);
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toMatch(/reference T \/ C/);
    expect(readResults(out)!.experiments[0].cells[0].reference?.composed.final_loss).toBe(e.cells[0].reference!.composed.final_loss);
    expect(existsSync(join(out, 'correlated', 'gap.svg'))).toBe(true);
    expect(existsSync(join(out, 'correlated', 'grid.svg'))).toBe(true);
  });
  it('needs one decoder row per direction', () => {
    expect(() => parseExperiment({ name: 'x', sae: { s: 8 }, optimality_gap: true })).toThrow(/optimality_gap needs .* s = 8, n = 4, 4 combinations/);
    expect(() => parseExperiment({ name: 'x', data: { sets: [4] }, optimality_gap: true })).toThrow(/optimality_gap needs two or more feature sets/);
    expect(parseExperiment({ name: 'x', optimality_gap: true }).optimality_gap).toBe(true);
  });
});
