// The sparse mix's row lists (src/kernels/wide/synth_compact.wgsl writes them, synth_mix.wgsl reads them): each row
// keeps up to CAP (index, value) pairs of its active features; the shape uniform is the batch's B rows of n features
// in d dimensions.

const CAP: u32 = {{CAP}}u;

struct Shape {
  B: u32,
  n: u32,
  d: u32,
}

@group(0) @binding(0) var<uniform> shape: Shape;
