// What an SAE variant is, as data (one record per variant, src/variants/<name>.ts, next to its WGSL file
// <name>.wgsl): its config name and fields, the Config flag bit that names it on the wire, which kernel
// versions can run it, and its twin (the f64 math the reference, the objective of the finite-difference
// checks and the metrics use). The WGSL file provides the same math to the kernels (act_f, act_penalised,
// act_dpre, act_dth: see relu.wgsl; thresholds read through sae_param), included at compile time through
// the SAE_VARIANT define (`//#include "variants/{{SAE_VARIANT}}.wgsl"`), so no kernel branches on the
// variant. A variant whose loss differs declares it here too: its nested reconstructions (groups, from its own
// config section, sae.<section.key>); the kernels and the twin read those from the job's Dims. Imports core/
// and zod only.
import type { z } from 'zod';
import type { GpuConfig, RecGroups } from '../core/wire';

/** The Config fields a variant's math reads. */
export interface VariantCfg {
  flags: number;
  topk: number;
  jump_eps: number;
  /** p-annealing: the exponent of this step and the next update's (core/wire paExponents; set per step by the reference) */
  pa?: { p: number; next: number; queued: boolean };
}

/** One latent's parameters a variant's math reads besides its encoder and decoder rows. */
export interface LatentParams {
  /** b_enc_k (pre already includes it) */
  be: number;
  /** its extra blocks, in the order of the record's latentParams */
  xp: number[];
}

/** The per-latent terms of one sample a variant's gradient reads. */
export interface LatentTerms {
  cfg: VariantCfg;
  pre: number;
  f: number;
  /** dL/df_k from the reconstructions */
  df: number;
  /** dL/d aux_k from the auxiliary reconstruction (0 without one) */
  dfa: number;
  /** lambda w_k / B, the penalty's weight */
  pw: number;
  lp: LatentParams;
}

export interface SaeVariantTwin {
  /** the activations f of one sample's pre-activations (lp: each latent's own parameters; bthr: BatchTopK's batch threshold) */
  activation(cfg: VariantCfg, pre: ArrayLike<number>, lp: readonly LatentParams[], bthr: number): number[];
  /** what the sparsity penalty sums per latent (L1: f; L0: [f > 0]; Gated: max(pre, 0); p-annealing: f^p) */
  penalised(f: number, pre: number, cfg: VariantCfg): number;
  /** p-annealing's penalty at the next update's exponent (absent: 0) */
  penNext?(f: number, pre: number, cfg: VariantCfg): number;
  /** dL/dpre as W_enc's row sees it */
  dpre(t: LatentTerms): number;
  /** dL/d(extra block i) of the latent (variants without parameters of their own: 0) */
  dxp(cfg: VariantCfg, i: number, t: LatentTerms): number;
  /** dL/db_enc from dpre and the latent's dxp (absent: dpre) */
  dbe?(dpre: number, lp: LatentParams, dxp: readonly number[]): number;
  /** the auxiliary reconstruction's activation of a latent, through a detached decoder (Gated; absent: none) */
  aux?(pre: number): number;
}

/** How the wide engine (src/kernels/wide) runs a variant: how each row's latents are selected (relu: pre > 0; topk:
 * the k largest of the row; batchtopk: the k B largest of the batch, an EMA threshold at inference; jumprelu: pre
 * above its learned threshold, SAELens's step-mode L0 penalty), and whether SAELens's AuxK revives its dead latents. */
export interface WideRecipe {
  readonly select: 'relu' | 'topk' | 'batchtopk' | 'jumprelu';
  readonly auxk: boolean;
}

/** An extra per-latent parameter block: its name (results and exports) and its initial value. */
export interface LatentParamBlock {
  readonly name: string;
  /** the initial value (threshold: the config's sae.init_threshold) */
  init(threshold: number): number;
}

/** The blocks of a variant without its own latentParams: JumpReLU's log_threshold, unused by the others. */
export const LOG_THRESHOLD: readonly LatentParamBlock[] = [{ name: 'log_threshold', init: (t) => Math.log(t) }];

export interface SaeVariant {
  /** the config's sae.variant value and the SAE_VARIANT define */
  readonly name: string;
  readonly summary: string;
  /** its WGSL file (shader key: the path below src/) */
  readonly wgsl: string;
  /** the Config flag bit that names it on the wire (0: none; relu and topk are told apart by Config.topk) */
  readonly flag: number;
  /** reads sae.k (Config.topk): the config must give 1 <= k <= s */
  readonly needsK: boolean;
  /** is this the variant a Config describes (the list is searched in order; relu, last, takes the rest) */
  matches(cfg: Pick<VariantCfg, 'flags' | 'topk'>): boolean;
  /** a kernel the modular path runs on the batch before sae_forward (BatchTopK's threshold) */
  readonly prepass?: string;
  /** why the fused K-step versions and the CPU-shaped evaluation cannot run it (none: they can) */
  readonly fusedMisfit?: string;
  /** why the CPU-shaped evaluation cannot run it (none: it can, unless fusedMisfit) */
  readonly evalMisfit?: string;
  /** its own hyperparameters: the nested config section sae.<key>, with its defaults, ranges and messages */
  readonly section?: { readonly key: string; readonly schema: z.ZodType };
  /**
   * its nested reconstructions (Matryoshka's prefixes and weights) from its section (parsed, defaults filled)
   * and the dictionary size s; throws an Error naming the field when they do not fit s
   */
  groups?(section: unknown, s: number): RecGroups;
  /** the Config fields its section sets (p-annealing's schedule) at sae.steps; throws an Error naming the field */
  wire?(section: unknown, steps: number): Partial<GpuConfig>;
  /** why v1 / v2 (a model's steps shared by a workgroup's threads) cannot run it; the modular path and the CPU-shaped steps can */
  readonly sharedMisfit?: string;
  /** its extra per-latent parameter blocks after b_dec (absent: LOG_THRESHOLD); Dims.xp is their count */
  readonly latentParams?: readonly LatentParamBlock[];
  /** the variant a trained SAE runs as outside training (Matryoshka: its activation; the nested loss only trains) */
  readonly inferenceAs?: string;
  /** how the wide engine runs it (absent: the wide engine cannot yet) */
  readonly wide?: WideRecipe;
  readonly twin: SaeVariantTwin;
}
