// Result shapes and pure conversions shared by the CLI (Node files) and the browser app (IndexedDB,
// downloads): no Node imports here.
import type { AdapterReport } from '../gpu/context';
import { saeLayout } from '../core/wire';
import { LOG_THRESHOLD } from '../variants/variant';
import { latentParamsOf, saeDimsOf, saeVariant } from '../variants';
import type { PresetConfig } from '../config/schema';
import type { ExperimentResult, ResultsFile, StoredExperiment } from './schema';

export type { ExperimentResult, ResultsFile, StoredExperiment } from './schema';

export function newResults(preset: PresetConfig, adapter: AdapterReport | null, shard: ResultsFile['shard']): ResultsFile {
  return {
    kit: 'sae-composed-webgpu 0.1',
    preset: preset.name,
    description: preset.description,
    budget: {
      kind: preset.budget,
      note: preset.budget_note,
      sae_steps: Object.fromEntries(preset.experiments.map((e) => [e.name, e.sae.steps])),
      sae_batch: Object.fromEntries(preset.experiments.map((e) => [e.name, e.sae.batch])),
    },
    adapter,
    shard,
    started: new Date().toISOString(),
    updated: new Date().toISOString(),
    timing: {},
    experiments: [],
  };
}

/**
 * An experiment's SAEs as named tensors (saes.safetensors): W_enc [M, d, s], b_enc [M, s], W_dec [M, s, d],
 * b_dec [M, d], and one [M, s] tensor per extra per-latent block of its variant (log_threshold; Gated: r_mag, b_mag).
 */
export function saeWeights(r: Pick<ExperimentResult, 'config' | 'saes'>, params: Float32Array) {
  const d = r.config.toy.d,
    s = r.config.sae.s,
    M = r.saes.length;
  const L = saeLayout({ D: d, S: s, ...saeDimsOf(r.config.sae) });
  const blocks = latentParamsOf(saeVariant(r.config.sae.variant));
  const We = new Float32Array(M * d * s),
    be = new Float32Array(M * s),
    Wd = new Float32Array(M * s * d),
    bd = new Float32Array(M * d),
    xp = blocks.map(() => new Float32Array(M * s));
  for (let m = 0; m < M; m++) {
    const p = params.subarray(m * L.P, (m + 1) * L.P);
    for (let k = 0; k < s; k++) for (let j = 0; j < d; j++) We[m * d * s + j * s + k] = p[L.WE + k * d + j];
    be.set(p.subarray(L.BE, L.WD), m * s);
    Wd.set(p.subarray(L.WD, L.BD), m * s * d);
    bd.set(p.subarray(L.BD, L.XP), m * d);
    xp.forEach((t, i) => t.set(p.subarray(L.XP + i * s, L.XP + (i + 1) * s), m * s));
  }
  return {
    W_enc: { shape: [M, d, s], data: We },
    b_enc: { shape: [M, s], data: be },
    W_dec: { shape: [M, s, d], data: Wd },
    b_dec: { shape: [M, d], data: bd },
    ...Object.fromEntries(blocks.map((b, i) => [b.name, { shape: [M, s], data: xp[i] }])),
  };
}

/** Inverse of saeWeights: the kernels' flat [M][P] layout (blockNames: the variant's extra blocks; a missing one stays 0). */
export function saeParamsFromWeights(
  t: Record<string, { shape: number[]; data: Float32Array }>,
  blockNames: readonly string[] = LOG_THRESHOLD.map((b) => b.name),
): Float32Array {
  const [M, d, s] = t.W_enc.shape;
  const L = saeLayout({ D: d, S: s, xp: blockNames.length });
  const out = new Float32Array(M * L.P);
  for (let m = 0; m < M; m++) {
    const o = m * L.P;
    for (let k = 0; k < s; k++) for (let j = 0; j < d; j++) out[o + L.WE + k * d + j] = t.W_enc.data[m * d * s + j * s + k];
    out.set(t.b_enc.data.subarray(m * s, (m + 1) * s), o + L.BE);
    out.set(t.W_dec.data.subarray(m * s * d, (m + 1) * s * d), o + L.WD);
    out.set(t.b_dec.data.subarray(m * d, (m + 1) * d), o + L.BD);
    blockNames.forEach((n, i) => {
      if (t[n]) out.set(t[n].data.subarray(m * s, (m + 1) * s), o + L.XP + i * s);
    });
  }
  return out;
}

/** The stored form of a result: everything but the weights, plus the names of its files. */
export function toStored(r: ExperimentResult, files: Record<string, string>): StoredExperiment {
  const { weights: _w, ...rest } = r;
  void _w;
  return { ...rest, files };
}

/** A reference SAE of the optimality gap (cells[].reference.true / .composed). */
type ReferenceSae = NonNullable<StoredExperiment['cells'][number]['reference']>['true'];

/**
 * Why a reference SAE says nothing about the objective's optimum, or null when it is usable: it diverged, had
 * not converged, or a selection loss ends above the all-off code's (every latent off: per-sample FVU 1 with
 * b_dec = 0, batch FVU 1 with b_dec the mean; L1 0). The references train on the per-sample objective, so above
 * 1 there they did not reach even its trivial code (seen at lr >= 1e-3: an encoder firing ~3 latents per sample
 * where the composed code needs 1, per-sample loss 4.5 while the learned SAEs end at 0.68).
 */
export function referenceProblem(r: ReferenceSae): string | null {
  if (r.diverged !== null) return `diverged at step ${r.diverged}`;
  if (r.converged === false) return 'not converged';
  if (!(r.final_loss <= 1) || !(r.final_loss_batch <= 1))
    return `unstable: selection loss ${r.final_loss.toFixed(3)} (batch FVU ${r.final_loss_batch.toFixed(3)}) above the all-off code's 1`;
  return null;
}
