// The twin of lib/act_l1.wgsl: the math besides the activation shared by the variants with an L1 penalty,
// no parameters of their own and no auxiliary reconstruction (relu, topk, batchtopk).
import type { SaeVariantTwin } from './variant';

export const L1_TWIN: Omit<SaeVariantTwin, 'activation'> = {
  penalised: (f) => f,
  dpre: ({ f, df, pw }) => (f > 0 ? pw + df : 0),
  dxp: () => 0,
};
