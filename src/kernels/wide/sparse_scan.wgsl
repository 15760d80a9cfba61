// wide sparse_scan: the counts of sparse_count.wgsl as offsets (exclusive prefix sums, in place: ptr[0] = 0,
// ptr[i + 1] = count_0 + ... + count_i) for the R rows and the s columns; state[0] = the entries (nnz), state[1] set to 1
// (and kept) when they pass the capacity wide.cap (sparse_fill keeps the first cap; the host reads the flag and fails by name).
// Each of the 64 invocations sums a contiguous chunk, one invocation scans the 64 chunk sums, then each writes its
// chunk's offsets: three barriers per array, whatever its length.
// Bindings: @0 wide (uniform, lib/wide.wgsl), @1 rowptr (rw, [R + 1] u32), @2 colptr (rw, [s + 1] u32),
//           @3 state (rw, [4] u32).
// Dispatch: one workgroup of 64. Twin: src/reference/wide.ts (wideStep: the step's outputs).
//#include "lib/wide.wgsl"

@group(0) @binding(1) var<storage, read_write> rowptr: array<u32>;
@group(0) @binding(2) var<storage, read_write> colptr: array<u32>;
@group(0) @binding(3) var<storage, read_write> state: array<u32>;

var<workgroup> part: array<u32, 64>;

@compute @workgroup_size(64)
fn main(@builtin(local_invocation_index) t: u32) {
  let R = wide.nb * wide.B;
  for (var which = 0u; which < 2u; which++) {
    let n = select(wide.s, R, which == 0u);
    let chunk = (n + 63u) / 64u;
    let lo = min(t * chunk, n);
    let hi = min(lo + chunk, n);
    var acc = 0u;
    for (var i = lo; i < hi; i++) { acc += select(colptr[i + 1u], rowptr[i + 1u], which == 0u); }
    part[t] = acc;
    workgroupBarrier();
    if (t == 0u) {
      var run = 0u;
      for (var c = 0u; c < 64u; c++) {
        let v = part[c];
        part[c] = run;
        run += v;
      }
      if (which == 0u) {
        rowptr[0] = 0u;
        state[0] = run;
        // sticky: a step that overflowed stays reported
        if (run > wide.cap) { state[1] = 1u; }
      } else {
        colptr[0] = 0u;
      }
    }
    workgroupBarrier();
    var off = part[t];
    for (var i = lo; i < hi; i++) {
      if (which == 0u) {
        off += rowptr[i + 1u];
        rowptr[i + 1u] = off;
      } else {
        off += colptr[i + 1u];
        colptr[i + 1u] = off;
      }
    }
    workgroupBarrier();
  }
}
