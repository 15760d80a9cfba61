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
  /** the settings the checks exercise it in (the twin against finite differences, the kernels and training against the twin) */
  readonly checks: readonly VariantCheck[];
  /** the forward check's relative tolerance where its math magnifies f32 rounding (absent: the checks' own) */
  readonly checkRtol?: number;
  /** the finite-difference test's values of its first extra block (absent: random like the rest) and whether that block's
   * gradient is the objective's (JumpReLU's threshold: a straight-through estimate, so its partials are not compared) */
  readonly fdBlock?: { value(k: number): number; exact: boolean };
}

/**
 * Where a check setting runs: the twin against finite differences of the objective (test/unit/reference-grad.test.ts);
 * the modular kernels' forward, gradient and loss against the twin (kernel); the CPU-shaped evaluation against the modular
 * one (eval); the detector counts (detect); the probes (probe); training on every path that fits against the twin
 * trainer (train). src/checks and the test read every record's settings, so a new variant is checked by its record alone.
 */
export type CheckSite = 'fd' | 'kernel' | 'eval' | 'detect' | 'probe' | 'train';

/** One setting in which the checks exercise a variant (Config.flags: the variant's bit and `options`). */
export interface VariantCheck {
  /** what it adds to the variant (the check's label follows the variant's name) */
  readonly name: string;
  readonly in: readonly CheckSite[];
  /** runtime option bits beside the variant's own (core/wire FLAG: GHOST, PRE_BIAS, AUXK, COS_*, BATCH_FVU) */
  readonly options?: number;
  /** Config.topk (the TopK family) */
  readonly k?: number;
  /** the cosine penalty's coefficient (with a COS_* option) */
  readonly cos?: number;
  /** fd: some latents marked dead (ghost grads, AuxK) and one in its L1 ramp for `cool` steps */
  readonly dead?: boolean;
  readonly cool?: number;
  /** its nested reconstructions at dictionary size S (Matryoshka) */
  nested?(S: number): RecGroups;
  /** Config fields its section would set (p-annealing's schedule) */
  readonly cfg?: Partial<GpuConfig>;
  /** eval, detect: the share of one-hot draws in the evaluation's samples (default 0.25) */
  readonly onehot?: number;
  /** train: the data's amplitude correlation (default 0.5) */
  readonly rho?: number;
  /** kernel, detect: also at the shapes with many models (its state or parameters are per model) */
  readonly manyModels?: boolean;
}
