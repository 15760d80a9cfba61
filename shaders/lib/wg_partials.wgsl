// Partial sums of RV values per thread across a workgroup of WG threads, for kernels that then let
// each consumer add a few partials itself (no second tree pass, one barrier). The includer defines WG,
// RV and these text defines (src/kernels/sae_steps/index.ts, subgroupDefines):
//   {{USE_SG}}  true when the device has the `subgroups` feature (the kernel then opens with `enable subgroups;`)
//   {{SG_ADD}}  subgroupAdd, or sg_none when there are no subgroups (never called then)
//   {{SG_EXCL}} subgroupExclusiveAdd, or sg_none_excl
// With subgroups: part_write sums each value over the subgroup (subgroupAdd) and lane 0 stores it at
//   part[r * NP_MAX + subgroup]; subgroups are taken to be consecutive runs of local_invocation_index
//   (true on Vulkan drivers seen: SwiftShader, NVIDIA); a driver that broke this would fail the checks.
// Without: every thread stores its values in red_fb, then NP_FB threads per value add WG / NP_FB each.
// Each thread sums its values into acc (private, declared here), then calls part_write.
// Afterwards part_total(r) = the workgroup sum of value r (any thread; NP partials in a fixed order).
// Call part_write from uniform control flow with all WG threads; it ends with a barrier.

const USE_SG: bool = {{USE_SG}};
const NP_MAX: u32 = WG / 4u;           // subgroups have at least 4 invocations
const NP_FB: u32 = min(16u, WG);       // partials per value without subgroups
const FB_LEN: u32 = select(1u, RV * WG, !USE_SG);

var<workgroup> part: array<f32, RV * NP_MAX>;
var<workgroup> red_fb: array<f32, FB_LEN>;
var<private> n_part: u32;
var<private> acc: array<f32, RV>;  // this thread's values

fn sg_none(v: f32) -> f32 { return v; }
fn sg_none_excl(v: f32) -> f32 { return 0.0 * v; }

fn part_write(lid: u32) {
  if (USE_SG) {
    let sg_size = u32({{SG_ADD}}(1.0));
    let lane = u32({{SG_EXCL}}(1.0));
    let sg = lid / sg_size;
    n_part = WG / sg_size;
    for (var r = 0u; r < RV; r++) {
      let s = {{SG_ADD}}(acc[r]);
      if (lane == 0u) { part[r * NP_MAX + sg] = s; }
    }
    // the subgroup sums are complete before anyone adds them
    workgroupBarrier();
  } else {
    n_part = NP_FB;
    for (var r = 0u; r < RV; r++) { red_fb[r * WG + lid] = acc[r]; }
    // every thread's values in place before the partial sums read them
    workgroupBarrier();
    let per = WG / NP_FB;
    for (var idx = lid; idx < RV * NP_FB; idx += WG) {
      let r = idx / NP_FB;
      let c = idx % NP_FB;
      var s = 0.0;
      for (var i = 0u; i < per; i++) { s += red_fb[r * WG + c * per + i]; }
      part[r * NP_MAX + c] = s;
    }
    // the partial sums are complete before anyone adds them
    workgroupBarrier();
  }
}

fn part_total(r: u32) -> f32 {
  var s = 0.0;
  for (var i = 0u; i < n_part; i++) { s += part[r * NP_MAX + i]; }
  return s;
}
