// Workgroup sums, parametrised by size: the includer defines RED_WG (threads of the workgroup, a power
// of two) and RED_ROWS (values per thread reduced together by reduce_rows). Call from uniform control
// flow with all RED_WG threads.
//   reduce_rows: in-place tree over red[r * RED_WG + i] (value r of thread i); each level's additions
//     are spread over all threads (r, i pairs), so a wide reduction costs log2(RED_WG) short levels.
//     Afterwards red[r * RED_WG] holds the sum of value r. The addition order is the same as one thread
//     per column adding its rows, so results do not depend on RED_ROWS or on which thread adds.
//   reduce_sum: one value per thread, every thread gets the sum.

var<workgroup> red: array<f32, RED_ROWS * RED_WG>;
var<workgroup> red_one: array<f32, RED_WG>;

fn reduce_rows(lid: u32) {
  // all partial sums in place before the tree reads them
  workgroupBarrier();
  for (var width = RED_WG / 2u; width > 0u; width >>= 1u) {
    for (var idx = lid; idx < RED_ROWS * width; idx += RED_WG) {
      let i = (idx / width) * RED_WG + idx % width;
      red[i] += red[i + width];
    }
    // the next level reads this level's sums
    workgroupBarrier();
  }
}

fn reduce_sum(lid: u32, v: f32) -> f32 {
  red_one[lid] = v;
  // all values in place before the tree reads them
  workgroupBarrier();
  for (var width = RED_WG / 2u; width > 0u; width >>= 1u) {
    if (lid < width) { red_one[lid] += red_one[lid + width]; }
    // the next level reads this level's sums
    workgroupBarrier();
  }
  let r = red_one[0];
  // everyone has read the sum before the next call overwrites it
  workgroupBarrier();
  return r;
}
