// wide sparse_fill: f's nonzeros as lists, after sparse_scan.wgsl: by row (entry e of row r at rowptr[r] + its rank
// in the row: latent ent_k[e], value ent_v[e], row ent_r[e]) and by column (column k's rows in order at
// colptr[k] ..: col_r). Both in a fixed order, so every sum over them is deterministic. Entries past wide.cap are
// dropped (sparse_scan raised the flag).
// Bindings: @0 wide (uniform, lib/wide.wgsl), @1 f (read, [R][s]), @2 rowptr (read, [R + 1] u32),
//           @3 colptr (read, [s + 1] u32), @4 ent_k (rw, [cap] u32), @5 ent_v (rw, [cap]), @6 ent_r (rw, [cap] u32),
//           @7 col_r (rw, [cap] u32).
// Dispatch: threads R + s, 64 per workgroup (invocation i < R fills row i, the others column i - R).
// Twin: src/reference/wide.ts (wideStep: the step's outputs).
//#include "lib/wide.wgsl"

@group(0) @binding(1) var<storage, read> f: array<f32>;
@group(0) @binding(2) var<storage, read> rowptr: array<u32>;
@group(0) @binding(3) var<storage, read> colptr: array<u32>;
@group(0) @binding(4) var<storage, read_write> ent_k: array<u32>;
@group(0) @binding(5) var<storage, read_write> ent_v: array<f32>;
@group(0) @binding(6) var<storage, read_write> ent_r: array<u32>;
@group(0) @binding(7) var<storage, read_write> col_r: array<u32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  let R = wide.nb * wide.B;
  if (i < R) {
    var e = rowptr[i];
    for (var k = 0u; k < wide.s; k++) {
      let v = f[i * wide.s + k];
      if (v != 0.0) {
        if (e < wide.cap) {
          ent_k[e] = k;
          ent_v[e] = v;
          ent_r[e] = i;
        }
        e++;
      }
    }
  } else if (i < R + wide.s) {
    let k = i - R;
    var c = colptr[k];
    for (var r = 0u; r < R; r++) {
      if (f[r * wide.s + k] != 0.0) {
        if (c < wide.cap) { col_r[c] = r; }
        c++;
      }
    }
  }
}
