// The SAE variants, one record each (src/variants/<name>.ts + <name>.wgsl). The config schema, the job
// builders, the trainers, the evaluation, the reference and the checks read this list. Adding a variant =
// its record, its WGSL file, and its entry here (before relu, which takes every Config the others do not).
import { type GpuConfig, optionFlags, type RecGroups, type SaeFlagOptions } from '../core/wire';
import { batchtopk } from './batchtopk';
import { gated } from './gated';
import { jumprelu } from './jumprelu';
import { lp } from './lp';
import { matryoshka } from './matryoshka';
import { matryoshkaBatchtopk } from './matryoshka-batchtopk';
import { matryoshkaTopk } from './matryoshka-topk';
import { panneal } from './panneal';
import { relu } from './relu';
import { topk } from './topk';
import { type CheckSite, LOG_THRESHOLD, type LatentParamBlock, type SaeVariant, type VariantCfg, type VariantCheck } from './variant';

export type { CheckSite, LatentParams, LatentParamBlock, SaeVariant, SaeVariantTwin, VariantCfg, VariantCheck, WideRecipe } from './variant';
export { topkMask } from './topk';

const SAE_LIST = [matryoshkaBatchtopk, matryoshkaTopk, matryoshka, panneal, lp, gated, jumprelu, batchtopk, topk, relu] as const;
export const SAE_VARIANTS: readonly SaeVariant[] = SAE_LIST;
export type SaeVariantName = (typeof SAE_LIST)[number]['name'];
/** the config's sae.variant values (the schema's enum) */
export const SAE_VARIANT_NAMES = SAE_VARIANTS.map((v) => v.name) as [SaeVariantName, ...SaeVariantName[]];

export function saeVariant(name: string): SaeVariant {
  const v = SAE_VARIANTS.find((r) => r.name === name);
  if (!v) throw new Error(`unknown SAE variant '${name}' (known: ${SAE_VARIANT_NAMES.join(', ')})`);
  return v;
}

/** The variant a job's Config describes (its flag bit, or Config.topk > 0 for topk, else relu). */
export function variantOf(cfg: Pick<VariantCfg, 'flags' | 'topk'>): SaeVariant {
  return SAE_VARIANTS.find((v) => v.matches(cfg)) ?? relu;
}

/** The compile-time define selecting the variant's WGSL file, for every kernel that includes one. */
export function variantDefines(cfg: Pick<VariantCfg, 'flags' | 'topk'>): { SAE_VARIANT: string } {
  return { SAE_VARIANT: variantOf(cfg).name };
}

/** The nested reconstructions of an experiment's SAE (its variant's groups from its section; none: undefined). */
export function saeGroups(sae: { variant: string; s: number } & Record<string, unknown>): RecGroups | undefined {
  const v = saeVariant(sae.variant);
  return v.groups?.(v.section ? sae[v.section.key] : undefined, sae.s);
}

/** A variant's extra per-latent parameter blocks (after b_dec; Dims.xp is their count). */
export function latentParamsOf(v: SaeVariant): readonly LatentParamBlock[] {
  return v.latentParams ?? LOG_THRESHOLD;
}

/** What an experiment's SAE adds to its Dims: its nested reconstructions and its extra parameter blocks. */
export function saeDimsOf(sae: { variant: string; s: number } & Record<string, unknown>): { nested?: RecGroups; xp: number } {
  return { nested: saeGroups(sae), xp: latentParamsOf(saeVariant(sae.variant)).length };
}

/** The Config fields an experiment's SAE variant sets from its own section (p-annealing's schedule; none: {}). */
export function saeVariantWire(sae: { variant: string; steps: number } & Record<string, unknown>): Partial<GpuConfig> {
  const v = saeVariant(sae.variant);
  return v.wire?.(v.section ? sae[v.section.key] : undefined, sae.steps) ?? {};
}

/** Config.flags of an SAE job: the runtime options (core/wire optionFlags) and the variant's bit. */
export function saeFlags(o: SaeFlagOptions & { variant?: string }): number {
  return optionFlags(o) | saeVariant(o.variant ?? 'relu').flag;
}

/** One check setting of a record (its `checks`) with the Config bits it sets: the variant's bit and the setting's options. */
export interface VariantCheckCase {
  variant: SaeVariant;
  check: VariantCheck;
  flags: number;
  topk: number;
  /** the variant's name, then what the setting adds */
  label: string;
}

/** Every record's check settings at one site (src/checks, test/unit/reference-grad.test.ts), in list order. */
export function variantChecks(site: CheckSite): VariantCheckCase[] {
  return SAE_VARIANTS.flatMap((v) =>
    v.checks
      .filter((c) => c.in.includes(site))
      .map((c) => ({ variant: v, check: c, flags: v.flag | (c.options ?? 0), topk: c.k ?? 0, label: c.name ? `${v.name}, ${c.name}` : v.name })),
  );
}
