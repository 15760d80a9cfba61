// SAELens's on-disk SAE layout, both ways, as pure conversions (no file system): one folder per SAE with
// `cfg.json` and `sae_weights.safetensors`. Written from SAELens 6.18.0's loader (github.com/jbloomAus/SAELens,
// commit 91ca16c), files read:
//   sae_lens/constants.py            SAE_WEIGHTS_FILENAME = "sae_weights.safetensors", SAE_CFG_FILENAME = "cfg.json",
//                                    DTYPE_MAP (float32, float64, float16, bfloat16, torch.*)
//   sae_lens/saes/sae.py             SAE.load_from_disk(path, device, dtype): sae_lens_disk_loader -> handle_config_defaulting
//                                    -> SAEConfig.from_dict (architecture -> config class, unknown keys dropped by
//                                    filter_valid_dataclass_fields, metadata -> SAEMetadata) -> load_state_dict (strict:
//                                    exactly the module's parameters); SAEConfig fields d_in, d_sae, dtype, device,
//                                    apply_b_dec_to_input (encode uses x - b_dec when true), normalize_activations,
//                                    reshape_activations, metadata; to_dict adds "architecture"
//   sae_lens/loading/pretrained_sae_loaders.py  sae_lens_disk_loader, get_sae_lens_config_from_disk,
//                                    read_sae_components_from_disk (tensors cast to cfg dtype; "scaling_factor" of ones
//                                    dropped), handle_config_defaulting / handle_pre_6_0_config (no sae_lens_version, top
//                                    level or in metadata, or one below 6.0.0-rc.0: architecture defaults to "standard",
//                                    activation_fn "topk" with activation_fn_kwargs.k -> "topk", boolean normalize_activations)
//   sae_lens/__init__.py             register_sae_class: "standard", "gated", "topk", "jumprelu", "transcoder",
//                                    "skip_transcoder", "jumprelu_transcoder" (inference architectures); __version__ 6.18.0
//   sae_lens/saes/standard_sae.py    StandardSAE: W_enc [d_in, d_sae], b_enc [d_sae], W_dec [d_sae, d_in], b_dec [d_in];
//                                    f = relu((x - b_dec) @ W_enc + b_enc), x^ = f @ W_dec + b_dec
//   sae_lens/saes/topk_sae.py        TopKSAEConfig k (default 100), rescale_acts_by_decoder_norm (default false; true:
//                                    pre-activations times |W_dec row| before TopK, activations divided by it before
//                                    decoding; _fold_norm_topk folds it into W_enc, b_enc, W_dec); TopK = the k largest
//                                    pre-activations, then relu
//   sae_lens/saes/jumprelu_sae.py    JumpReLUSAE: the standard parameters plus threshold [d_sae] (the raw threshold; the
//                                    training SAE's log_threshold is exp'ed on saving); f = relu(pre) * (pre > threshold)
//   sae_lens/saes/gated_sae.py       GatedSAE: W_enc [d_in, d_sae], b_gate, r_mag, b_mag [d_sae], W_dec, b_dec (b_enc is
//                                    None); f = (pre_gate > 0) * relu(pre_mag), pre_gate = sae_in @ W_enc + b_gate,
//                                    pre_mag = sae_in @ (W_enc * exp(r_mag)) + b_mag
//   sae_lens/saes/batchtopk_sae.py   "batchtopk" is a training architecture only: BatchTopKTrainingSAE is saved for
//                                    inference as "jumprelu" with threshold = its running global topk_threshold
// The kit's variants map as: relu -> "standard", topk -> "topk" (the kit's activation is max(pre, 0) on the k largest
// pre-activations, the same as SAELens's TopK), jumprelu -> "jumprelu" (threshold = exp(log_threshold) > 0, so
// relu(pre) * (pre > threshold) = the kit's pre * (pre > theta)), gated -> "gated" (the kit's b_enc is b_gate; r_mag and
// b_mag as they are: the same activation). The kit's batchtopk has no inference threshold (its
// threshold is each batch's (k B)-th largest activation), so SAELens cannot represent it: a named error.
// Orientation: the kit's saes.safetensors already stores W_enc as [M, d, s] and W_dec as [M, s, d], SAELens's
// orientation per model; the kernels' flat layout (core/wire saeLayout) holds W_enc as [s][d] (kitParams converts).
import { bf16, f16 } from './floats';
import { saeLayout } from '../core/wire';

export const SAE_WEIGHTS_FILENAME = 'sae_weights.safetensors';
export const SAE_CFG_FILENAME = 'cfg.json';
/** The SAELens version whose loader this file follows; written as metadata.sae_lens_version (>= 6 skips the pre-6.0 rewrite). */
export const SAELENS_VERSION = '6.18.0';

/** A file in SAELens's layout that the kit cannot read or that SAELens itself would reject. */
export class SaeLensFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SaeLensFormatError';
  }
}

/** An SAE the other side cannot represent (the kit's batchtopk in SAELens; SAELens's transcoders in the kit). */
export class SaeLensUnsupportedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SaeLensUnsupportedError';
  }
}

export type KitVariant = 'relu' | 'topk' | 'batchtopk' | 'jumprelu' | 'gated';

/** Where a kit SAE came from (written into cfg.json's metadata, read back when present). */
export interface KitProvenance {
  experiment: string;
  index: number;
  lr: number;
  l1: number;
  realization: number;
  seed: number;
}

/** One SAE in SAELens's orientation, float32: W_enc [d][s], b_enc [s], W_dec [s][d], b_dec [d], log_threshold [s]. */
export interface KitSae {
  variant: KitVariant;
  d: number;
  s: number;
  /** topk / batchtopk: k; else null */
  k: number | null;
  /** the kit's sae.pre_encoder_bias = SAELens's apply_b_dec_to_input */
  preEncoderBias: boolean;
  W_enc: Float32Array;
  b_enc: Float32Array;
  W_dec: Float32Array;
  b_dec: Float32Array;
  /** jumprelu: log of the thresholds; other variants: what the kit stored (unused by them), zeros on import */
  log_threshold: Float32Array;
  /** the variant it was trained as when that differs from how it runs (Matryoshka: its nested loss only trains) */
  trainedAs?: string;
  /** gated: the magnitude path's log-scale and bias [s] (b_enc is the gate's bias); absent for the others */
  r_mag?: Float32Array;
  b_mag?: Float32Array;
  provenance: KitProvenance | null;
}

type Tensors = Record<string, { shape: number[]; data: Float32Array }>;

export interface SaeLensFiles {
  cfg: Record<string, unknown>;
  tensors: Tensors;
}

/** The metadata key under which the kit keeps its provenance (SAEMetadata takes any key). */
export const KIT_METADATA_KEY = 'sae_composed_webgpu';

const ARCHITECTURE: Record<Exclude<KitVariant, 'batchtopk'>, string> = { relu: 'standard', topk: 'topk', jumprelu: 'jumprelu', gated: 'gated' };

/** One kit SAE as SAELens's cfg.json (an object to JSON.stringify) and sae_weights.safetensors tensors. */
export function toSaeLens(sae: KitSae): SaeLensFiles {
  const what = sae.provenance ? `SAE ${sae.provenance.index} of experiment '${sae.provenance.experiment}'` : 'this SAE';
  if (sae.variant === 'batchtopk')
    throw new SaeLensUnsupportedError(
      `${what} is a batchtopk SAE: SAELens has no inference BatchTopK (it saves a BatchTopK SAE as "jumprelu" with the global threshold it learns in training), and the kit's batchtopk has no such threshold (it takes each batch's (k B)-th largest activation); export relu, topk or jumprelu SAEs`,
    );
  const { d, s } = sae;
  const cfg: Record<string, unknown> = {
    architecture: ARCHITECTURE[sae.variant],
    d_in: d,
    d_sae: s,
    dtype: 'float32',
    device: 'cpu',
    apply_b_dec_to_input: sae.preEncoderBias,
    normalize_activations: 'none',
    reshape_activations: 'none',
  };
  if (sae.variant === 'topk') {
    if (sae.k === null || !(sae.k >= 1 && sae.k <= s)) throw new SaeLensFormatError(`${what} is topk with k = ${sae.k}; k must be 1 .. ${s}`);
    cfg.k = sae.k;
    cfg.rescale_acts_by_decoder_norm = false; // the kit's TopK ranks the raw pre-activations
  }
  cfg.metadata = {
    sae_lens_version: SAELENS_VERSION,
    sae_lens_training_version: null,
    ...(sae.provenance ? { [KIT_METADATA_KEY]: { ...sae.provenance, variant: sae.variant, ...(sae.trainedAs ? { trained_as: sae.trainedAs } : {}) } } : {}),
  };
  const tensors: Tensors = {
    W_enc: { shape: [d, s], data: sae.W_enc.slice() },
    b_enc: { shape: [s], data: sae.b_enc.slice() },
    W_dec: { shape: [s, d], data: sae.W_dec.slice() },
    b_dec: { shape: [d], data: sae.b_dec.slice() },
  };
  if (sae.variant === 'jumprelu') tensors.threshold = { shape: [s], data: sae.log_threshold.map((t) => Math.exp(t)) };
  if (sae.variant === 'gated') {
    if (!sae.r_mag || !sae.b_mag) throw new SaeLensFormatError(`${what} is gated but has no r_mag / b_mag`);
    // GatedSAE has no b_enc: the gate's bias is b_gate
    tensors.b_gate = tensors.b_enc;
    delete tensors.b_enc;
    tensors.r_mag = { shape: [s], data: sae.r_mag.slice() };
    tensors.b_mag = { shape: [s], data: sae.b_mag.slice() };
  }
  return { cfg, tensors };
}

const DTYPES = ['float32', 'float64', 'float16', 'bfloat16'];
const OTHER_ARCHITECTURES: Record<string, string> = {
  transcoder: 'a transcoder (it reconstructs another layer)',
  skip_transcoder: 'a skip transcoder',
  jumprelu_transcoder: 'a JumpReLU transcoder',
  batchtopk: 'a BatchTopK training config (SAELens saves BatchTopK SAEs for inference as "jumprelu")',
  matryoshka_batchtopk: 'a Matryoshka BatchTopK training config (saved for inference as "jumprelu")',
};

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const posInt = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 1;

/** Is this config older than SAELens 6 (handle_config_defaulting's test: no version, or one below 6.0.0-rc.0)? */
function pre6(cfg: Record<string, unknown>): boolean {
  const v = cfg.sae_lens_version ?? (isObj(cfg.metadata) ? cfg.metadata.sae_lens_version : undefined);
  if (typeof v !== 'string' || !v) return true;
  const major = /^v?(\d+)/.exec(v);
  return !major || Number(major[1]) < 6;
}

export interface FromSaeLens {
  sae: KitSae;
  /** what the conversion changed or assumed (folded norms, dtype narrowing, defaults of a pre-6.0 config) */
  notes: string[];
}

/**
 * One SAE in SAELens's layout -> the kit's form. `where` names the folder in errors. Rejects what SAELens's own
 * loader rejects (missing or extra tensors, wrong shapes) and what the kit cannot evaluate (other architectures,
 * run-time normalisation, hook_z reshaping, a finetuning scaling factor, thresholds <= 0, non-finite values).
 */
export function fromSaeLens(cfgIn: unknown, tensors: Tensors, where: string): FromSaeLens {
  const fail = (why: string): never => {
    throw new SaeLensFormatError(`${where}: ${why}`);
  };
  if (!isObj(cfgIn)) return fail(`${SAE_CFG_FILENAME} is not a JSON object`);
  const notes: string[] = [];
  const cfg = { ...cfgIn };
  if (pre6(cfg)) {
    // handle_pre_6_0_config's defaults, the ones that decide what the SAE computes
    notes.push('config of SAELens < 6 (no metadata.sae_lens_version >= 6): read with the loader’s pre-6.0 defaults');
    cfg.architecture ??= 'standard';
    cfg.apply_b_dec_to_input ??= true;
    const act = cfg.activation_fn ?? cfg.activation_fn_str;
    const kw = cfg.activation_fn_kwargs;
    if (act === 'topk' && isObj(kw) && kw.k !== undefined && kw.k !== null) {
      cfg.architecture = 'topk';
      cfg.k = kw.k;
    }
    if (typeof cfg.normalize_activations === 'boolean') cfg.normalize_activations = cfg.normalize_activations ? 'expected_average_only_in' : 'none';
  }
  const arch = cfg.architecture;
  if (typeof arch !== 'string') return fail(`${SAE_CFG_FILENAME} has no "architecture" (SAELens >= 6 writes one)`);
  if (OTHER_ARCHITECTURES[arch])
    throw new SaeLensUnsupportedError(
      `${where}: architecture "${arch}" is ${OTHER_ARCHITECTURES[arch]}; the kit evaluates "standard", "topk", "jumprelu" and "gated" SAEs`,
    );
  const variant = ({ standard: 'relu', topk: 'topk', jumprelu: 'jumprelu', gated: 'gated' } as const)[arch as 'standard' | 'topk' | 'jumprelu' | 'gated'];
  if (!variant) return fail(`unknown architecture "${arch}" (SAELens registers standard, gated, topk, jumprelu and transcoders)`);
  if (!posInt(cfg.d_in)) return fail(`d_in must be a positive integer, got ${JSON.stringify(cfg.d_in)}`);
  if (!posInt(cfg.d_sae)) return fail(`d_sae must be a positive integer, got ${JSON.stringify(cfg.d_sae)}`);
  const d = cfg.d_in as number,
    s = cfg.d_sae as number;
  const dtype = String(cfg.dtype ?? 'float32').replace(/^torch\./, '');
  if (!DTYPES.includes(dtype)) return fail(`dtype "${cfg.dtype}" is not one SAELens loads (${DTYPES.join(', ')})`);
  if (dtype === 'float64') notes.push('dtype float64: rounded to float32 (the kit computes in float32)');
  const norm = cfg.normalize_activations ?? 'none';
  if (norm === 'expected_average_only_in')
    notes.push('normalize_activations "expected_average_only_in": no run-time normalisation in SAE.load_from_disk, none here either');
  else if (norm !== 'none')
    throw new SaeLensUnsupportedError(`${where}: normalize_activations "${norm}" rescales every input at run time; the kit evaluates SAEs on raw activations`);
  const reshape = cfg.reshape_activations ?? 'none';
  if (reshape !== 'none')
    throw new SaeLensUnsupportedError(`${where}: reshape_activations "${reshape}" (attention heads) does not apply to the kit's toy activations`);
  if (typeof (cfg.apply_b_dec_to_input ?? true) !== 'boolean')
    return fail(`apply_b_dec_to_input must be true or false, got ${JSON.stringify(cfg.apply_b_dec_to_input)}`);
  const preEncoderBias = (cfg.apply_b_dec_to_input ?? true) as boolean;
  let k: number | null = null;
  let rescale = false;
  if (variant === 'topk') {
    k = (cfg.k ?? 100) as number; // TopKSAEConfig's default
    if (!posInt(k) || k > s)
      return fail(`topk needs an integer k in 1 .. d_sae = ${s}, got ${JSON.stringify(cfg.k ?? 100)}${cfg.k === undefined ? ' (SAELens’s default)' : ''}`);
    rescale = cfg.rescale_acts_by_decoder_norm === true;
  }

  // tensors: exactly the module's parameters (load_state_dict is strict); a "scaling_factor" of ones is dropped as the loader does
  const t: Tensors = { ...tensors };
  if (t.scaling_factor) {
    if (!t.scaling_factor.data.every((v) => v === 1))
      throw new SaeLensUnsupportedError(`${where}: a "scaling_factor" tensor other than ones (finetuning_scaling_factor) is not supported`);
    delete t.scaling_factor;
  }
  const want: Record<string, number[]> =
    variant === 'gated'
      ? { W_enc: [d, s], b_gate: [s], r_mag: [s], b_mag: [s], W_dec: [s, d], b_dec: [d] }
      : { W_enc: [d, s], b_enc: [s], W_dec: [s, d], b_dec: [d], ...(variant === 'jumprelu' ? { threshold: [s] } : {}) };
  for (const name of Object.keys(t))
    if (!(name in want)) return fail(`unexpected tensor "${name}" in ${SAE_WEIGHTS_FILENAME} (a ${arch} SAE has ${Object.keys(want).join(', ')})`);
  for (const [name, shape] of Object.entries(want)) {
    const x = t[name];
    if (!x) return fail(`${SAE_WEIGHTS_FILENAME} has no tensor "${name}" (a ${arch} SAE needs ${Object.keys(want).join(', ')})`);
    if (x.shape.length !== shape.length || x.shape.some((v, i) => v !== shape[i]))
      return fail(`tensor "${name}" has shape [${x.shape.join(', ')}], expected [${shape.join(', ')}] (d_in = ${d}, d_sae = ${s})`);
    const bad = x.data.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) return fail(`tensor "${name}" holds a non-finite value (${x.data[bad]}) at flat index ${bad}`);
  }
  const W_enc = t.W_enc.data.slice(),
    b_enc = (variant === 'gated' ? t.b_gate : t.b_enc).data.slice(),
    W_dec = t.W_dec.data.slice(),
    b_dec = t.b_dec.data.slice();
  if (rescale) {
    // _fold_norm_topk: b_enc *= |W_dec row|, W_enc columns *= it, W_dec rows /= it (the same activations, unit decoder rows)
    for (let j = 0; j < s; j++) {
      let sq = 0;
      for (let i = 0; i < d; i++) sq += W_dec[j * d + i] ** 2;
      const n = Math.sqrt(sq);
      if (!(n > 0)) return fail(`rescale_acts_by_decoder_norm with a zero decoder row (latent ${j}) cannot be folded`);
      b_enc[j] *= n;
      for (let i = 0; i < d; i++) {
        W_enc[i * s + j] *= n;
        W_dec[j * d + i] /= n;
      }
    }
    notes.push('rescale_acts_by_decoder_norm: the decoder norms folded into W_enc and b_enc (as SAELens’s fold_W_dec_norm does)');
  }
  const log_threshold = new Float32Array(s);
  if (variant === 'jumprelu') {
    const th = t.threshold.data;
    const bad = th.findIndex((v) => !(v > 0));
    if (bad >= 0)
      throw new SaeLensUnsupportedError(`${where}: threshold ${th[bad]} of latent ${bad} is not > 0; the kit's JumpReLU threshold is exp(log_threshold) > 0`);
    th.forEach((v, i) => {
      log_threshold[i] = Math.log(v);
    });
  }
  const gated = variant === 'gated' ? { r_mag: t.r_mag.data.slice(), b_mag: t.b_mag.data.slice() } : {};
  return { sae: { variant, d, s, k, preEncoderBias, W_enc, b_enc, W_dec, b_dec, log_threshold, ...gated, provenance: provenanceOf(cfg.metadata) }, notes };
}

function provenanceOf(meta: unknown): KitProvenance | null {
  const p = isObj(meta) ? meta[KIT_METADATA_KEY] : undefined;
  if (!isObj(p)) return null;
  const num = (k: string) => (typeof p[k] === 'number' ? (p[k] as number) : NaN);
  if (typeof p.experiment !== 'string' || !Number.isFinite(num('seed'))) return null;
  return { experiment: p.experiment, index: num('index'), lr: num('lr'), l1: num('l1'), realization: num('realization'), seed: num('seed') };
}

/** One SAE's parameters in the kernels' flat layout (core/wire saeLayout; W_enc there is [s][d]). */
export function kitParams(sae: KitSae): Float32Array {
  const { d, s } = sae;
  // the extra per-latent blocks in the variant's order (src/variants: log_threshold; gated: r_mag, b_mag)
  const blocks = sae.variant === 'gated' ? [sae.r_mag!, sae.b_mag!] : [sae.log_threshold];
  const L = saeLayout({ D: d, S: s, xp: blocks.length });
  const p = new Float32Array(L.P);
  for (let k = 0; k < s; k++) for (let j = 0; j < d; j++) p[L.WE + k * d + j] = sae.W_enc[j * s + k];
  p.set(sae.b_enc, L.BE);
  p.set(sae.W_dec, L.WD);
  p.set(sae.b_dec, L.BD);
  blocks.forEach((b, i) => p.set(b, L.XP + i * s));
  return p;
}

/**
 * The SAEs of one experiment's saes.safetensors (the kit's stacked form: W_enc [M, d, s], b_enc [M, s], W_dec [M, s, d],
 * b_dec [M, d], log_threshold [M, s]; metadata "models": lr, l1, realization, seed per model).
 */
export function kitSaesFromStored(
  experiment: string,
  sae: { variant: KitVariant; k?: number; pre_encoder_bias: boolean },
  tensors: Tensors,
  metadata: Record<string, string>,
  where: string,
): KitSae[] {
  const fail = (why: string): never => {
    throw new SaeLensFormatError(`${where}: ${why}`);
  };
  for (const n of ['W_enc', 'b_enc', 'W_dec', 'b_dec']) if (!tensors[n]) fail(`no tensor "${n}" (not a kit saes.safetensors)`);
  if (tensors.W_enc.shape.length !== 3) fail(`W_enc has shape [${tensors.W_enc.shape.join(', ')}], expected [models, d, s]`);
  const [M, d, s] = tensors.W_enc.shape;
  const shapes: Record<string, number[]> = {
    b_enc: [M, s],
    W_dec: [M, s, d],
    b_dec: [M, d],
    log_threshold: [M, s],
    ...(sae.variant === 'gated' ? { r_mag: [M, s], b_mag: [M, s] } : {}),
  };
  for (const [n, sh] of Object.entries(shapes)) {
    const x = tensors[n];
    if (!x && n === 'log_threshold') continue;
    if (!x) fail(`no tensor "${n}" (a kit ${sae.variant} SAE has one)`);
    if (x.shape.join() !== sh.join()) fail(`${n} has shape [${x.shape.join(', ')}], expected [${sh.join(', ')}]`);
  }
  let models: { lr: number; l1: number; realization: number; seed: number }[] | null = null;
  try {
    models = metadata.models ? JSON.parse(metadata.models) : null;
  } catch {
    models = null;
  }
  if (models && models.length !== M) fail(`metadata lists ${models.length} models, the tensors hold ${M}`);
  const cut = (n: string, m: number, size: number) => (tensors[n] ? tensors[n].data.slice(m * size, (m + 1) * size) : new Float32Array(size));
  return Array.from({ length: M }, (_, m) => ({
    variant: sae.variant,
    d,
    s,
    k: sae.variant === 'topk' || sae.variant === 'batchtopk' ? (sae.k ?? null) : null,
    preEncoderBias: sae.pre_encoder_bias,
    W_enc: cut('W_enc', m, d * s),
    b_enc: cut('b_enc', m, s),
    W_dec: cut('W_dec', m, s * d),
    b_dec: cut('b_dec', m, d),
    log_threshold: cut('log_threshold', m, s),
    ...(sae.variant === 'gated' ? { r_mag: cut('r_mag', m, s), b_mag: cut('b_mag', m, s) } : {}),
    provenance: models ? { experiment, index: m, ...models[m] } : null,
  }));
}

/**
 * safetensors -> float32 tensors, for the dtypes SAELens writes (F32, F64, F16, BF16; the loader casts to cfg.dtype, the
 * kit computes in float32). The kit's own reader (io/safetensors.ts) takes F32 only.
 */
export function decodeFloatSafetensors(bytes: Uint8Array, what: string): { tensors: Tensors; metadata: Record<string, string> } {
  const fail = (why: string): never => {
    throw new SaeLensFormatError(`${what}: ${why}`);
  };
  if (bytes.length < 8) fail(`too short to be a safetensors file (${bytes.length} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  if (8 + n > bytes.length) fail(`header length ${n} exceeds the file size ${bytes.length} (truncated?)`);
  let header: Record<string, unknown> = {};
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  } catch (e) {
    fail(`header is not valid JSON (${(e as Error).message})`);
  }
  if (!isObj(header)) fail('header is not a JSON object');
  const base = 8 + n;
  const size: Record<string, number> = { F32: 4, F64: 8, F16: 2, BF16: 2 };
  const tensors: Tensors = {};
  let metadata: Record<string, string> = {};
  for (const [name, raw] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = isObj(raw) ? (raw as Record<string, string>) : {};
      continue;
    }
    if (!isObj(raw) || !Array.isArray(raw.shape) || !Array.isArray(raw.data_offsets)) fail(`tensor "${name}" has no shape or data_offsets`);
    const t = raw as { dtype: string; shape: number[]; data_offsets: [number, number] };
    const w = size[t.dtype];
    if (!w) fail(`tensor "${name}" has dtype ${t.dtype}; supported: ${Object.keys(size).join(', ')}`);
    const count = t.shape.reduce((a, c) => a * c, 1);
    const [b, e] = t.data_offsets;
    if (e - b !== count * w || base + e > bytes.length)
      fail(`tensor "${name}" offsets [${b}, ${e}] do not fit shape [${t.shape.join(', ')}] ${t.dtype} or the file`);
    const out = new Float32Array(count);
    const at = base + b;
    for (let i = 0; i < count; i++) {
      const o = at + i * w;
      if (t.dtype === 'F32') out[i] = view.getFloat32(o, true);
      else if (t.dtype === 'F64') out[i] = view.getFloat64(o, true);
      else if (t.dtype === 'BF16') out[i] = bf16(view.getUint16(o, true));
      else out[i] = f16(view.getUint16(o, true));
    }
    tensors[name] = { shape: t.shape.slice(), data: out };
  }
  return { tensors, metadata };
}
