// SAE variant matryoshka-topk: topk's activation and L1 penalty (src/variants/topk.wgsl); the loss sums the nested
// reconstructions of the job's groups (lib/sae_sample.wgsl). Twin: src/variants/matryoshka-topk.ts.
//#include "variants/topk.wgsl"
