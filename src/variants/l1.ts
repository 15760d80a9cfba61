// The twin of lib/act_l1.wgsl: the math besides the activation shared by the variants with an L1 penalty
// and no threshold (relu, topk, batchtopk).
import type { SaeVariantTwin } from './variant';

export const L1_TWIN: Omit<SaeVariantTwin, 'activation'> = {
  theta: () => 0,
  penalised: (f) => f,
  dpre: (f, df, pw) => (f > 0 ? pw + df : 0),
  dth: () => 0,
};
