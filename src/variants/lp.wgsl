// SAE variant lp: f_k = max(pre_k, 0), penalty lambda sum_k w_k f_k^p at a fixed p (Config.p_start; no updates,
// pa_n = 0): p-annealing's functions, whose exponent stays at p_start without a schedule.
//   dpre_k = [f_k > 0] (df_k + pw p f_k^(p-1)),  pw = lambda w_k / B.
// The interface: src/variants/relu.wgsl. Twin: src/variants/lp.ts (panneal's twin).
//#include "variants/panneal.wgsl"
