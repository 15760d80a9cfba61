// sae_probe: one-hot probes through toy model and SAE (docs/science.md §5), one thread per model:
//   h_i = W^T e_i = W[i, :] (toy model m % toy_count), A[i, k] = f_k(h_i) with the SAE's own activation
//   (its variant's act_f, src/variants/<SAE_VARIANT>.wgsl; BatchTopK at the evaluation batch's threshold bthr[m]);
//   monosemanticity = (1/S) sum_k max_i A[i,k] / (1e-10 + sum_i A[i,k]); dead on probes = #{k : max_i A[i,k] <= 1e-6}.
// Bindings: @0 cfg (uniform Config), @1 toy_params (read), @2 params (read, [M][P_SAE]),
//           @3 probe (rw, [M][N][S] activations A), @4 metrics (rw, [M][MET_W]), @5 bthr (read, [M]).
// Dispatch: (ceil(M / 64), 1, 1). Twin: src/reference/metrics.ts (saeProbe).
//#include "lib/common.wgsl"
//#include "lib/toy_layout.wgsl"
//#include "lib/sae_layout.wgsl"
//#include "variants/{{SAE_VARIANT}}.wgsl"

@group(0) @binding(0) var<uniform> cfg: Config;
@group(0) @binding(1) var<storage, read> toy_params: array<f32>;
@group(0) @binding(2) var<storage, read> params: array<f32>;
@group(0) @binding(3) var<storage, read_write> probe: array<f32>;
@group(0) @binding(4) var<storage, read_write> metrics: array<f32>;
@group(0) @binding(5) var<storage, read> bthr: array<f32>;

// the variant's act_f reads its thresholds, if any, through sae_param (model m's parameters)
var<private> cur_p: u32;
fn sae_param(i: u32) -> f32 {
  return params[cur_p + i];
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let m = gid.x;
  if (m >= cfg.M) { return; }
  let tp = (m % cfg.toy_count) * P_TOY;
  let p = m * P_SAE;
  let pre_bias = select(0.0, 1.0, (cfg.flags & FLAG_PRE_BIAS) != 0u);
  var mx: array<f32, S_LAT>;
  var sum: array<f32, S_LAT>;
  cur_p = p;
  for (var i = 0u; i < N_FEAT; i++) {
    var pre: array<f32, S_LAT>;
    for (var k = 0u; k < S_LAT; k++) {
      var acc = params[p + OFF_BE + k];
      for (var j = 0u; j < D_HID; j++) {
        acc += params[p + OFF_WE + k * D_HID + j] * (toy_params[tp + i * D_HID + j] - pre_bias * params[p + OFF_BD + j]);
      }
      pre[k] = acc;
    }
    let f = act_f(pre, bthr[m]);
    for (var k = 0u; k < S_LAT; k++) {
      probe[(m * N_FEAT + i) * S_LAT + k] = f[k];
      mx[k] = max(mx[k], f[k]);
      sum[k] += f[k];
    }
  }
  var mono = 0.0;
  var dead = 0.0;
  for (var k = 0u; k < S_LAT; k++) {
    mono += mx[k] / (1e-10 + sum[k]);
    if (mx[k] <= 1e-6) { dead += 1.0; }
  }
  metrics[m * MET_W + MET_MONO] = mono / f32(S_LAT);
  metrics[m * MET_W + MET_DEAD_PROBE] = dead;
}
