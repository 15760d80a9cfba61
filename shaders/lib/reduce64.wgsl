// Workgroup sum over 64 threads (tree reduction), shared by per-model reduction kernels.
// Call from uniform control flow with all 64 threads; every thread gets the sum.

var<workgroup> red64: array<f32, 64>;

fn reduce_sum(lid: u32, v: f32) -> f32 {
  red64[lid] = v;
  // all values in place before the tree reads them
  workgroupBarrier();
  for (var width = 32u; width > 0u; width >>= 1u) {
    if (lid < width) { red64[lid] += red64[lid + width]; }
    // the next level reads this level's sums
    workgroupBarrier();
  }
  let r = red64[0];
  // everyone has read the sum before the next call overwrites it
  workgroupBarrier();
  return r;
}
