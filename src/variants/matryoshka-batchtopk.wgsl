// SAE variant matryoshka-batchtopk: batchtopk's activation and L1 penalty (src/variants/batchtopk.wgsl); the
// loss sums the nested reconstructions of the job's groups (lib/sae_sample.wgsl). Twin: src/variants/matryoshka-batchtopk.ts.
//#include "variants/batchtopk.wgsl"
