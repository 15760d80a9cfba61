// SAE variant matryoshka: relu's activation and L1 penalty (src/variants/relu.wgsl); the loss sums the nested
// reconstructions of the job's groups (REC_G, REC_ENDS, REC_W; lib/sae_sample.wgsl). Twin: src/variants/matryoshka.ts.
//#include "variants/relu.wgsl"
