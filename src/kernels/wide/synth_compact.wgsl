// wide synth_compact: each synthetic row's active features as a list, for the sparse mix (synth_mix): one invocation
// walks its row of a [B][n] in index order and keeps the (index, value) of every a_bi != 0, up to CAP of them
// (src/data/synth-source.ts sizes CAP far above the data's L0). A row with more sets flag[0] = 1: the trainer reads
// the flag and fails by name rather than train on rows that lost features.
// Bindings: @0 shape (uniform {B, n, d}), @1 a (read, [B][n]), @2 idx (rw, [B][CAP] u32), @3 val (rw, [B][CAP]),
//           @4 count (rw, [B] u32), @5 flag (rw, [1] u32).
// Dispatch: threads B, 64 per workgroup. Twin: src/data/synth-source.ts (synthRows).

//#include "lib/synth_list.wgsl"
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read_write> idx: array<u32>;
@group(0) @binding(3) var<storage, read_write> val: array<f32>;
@group(0) @binding(4) var<storage, read_write> count: array<u32>;
@group(0) @binding(5) var<storage, read_write> flag: array<u32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let b = gid.x;
  if (b >= shape.B) { return; }
  var c = 0u;
  for (var i = 0u; i < shape.n; i++) {
    let v = a[b * shape.n + i];
    if (v != 0.0) {
      if (c < CAP) {
        idx[b * CAP + c] = i;
        val[b * CAP + c] = v;
      }
      c++;
    }
  }
  count[b] = min(c, CAP);
  if (c > CAP) { flag[0] = 1u; }
}
