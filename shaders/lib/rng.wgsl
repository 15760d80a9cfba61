// Counter-based random numbers shared by every kernel (twin: src/reference/rng.ts).
// pcg_hash: the PCG output permutation applied to one LCG step (Jarzynski & Olano 2020, "Hash
// Functions for GPU Rendering"). A draw hashes the chain seed -> stream -> a -> b -> c, so any
// (seed, stream, a, b, c) gives an independent u32 with no state carried between invocations.
// U[0,1) floats keep the top 24 bits, so they are exact in f32 and identical to the reference.

fn pcg_hash(v: u32) -> u32 {
  let state = v * 747796405u + 2891336453u;
  let word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
  return (word >> 22u) ^ word;
}

fn rng_u32(seed: u32, stream: u32, a: u32, b: u32, c: u32) -> u32 {
  var h = pcg_hash(seed ^ 0x9e3779b9u);
  h = pcg_hash(h ^ stream);
  h = pcg_hash(h ^ a);
  h = pcg_hash(h ^ b);
  return pcg_hash(h ^ c);
}

fn rng_unit(seed: u32, stream: u32, a: u32, b: u32, c: u32) -> f32 {
  return f32(rng_u32(seed, stream, a, b, c) >> 8u) * (1.0 / 16777216.0);
}

// The chain up to b, shared by all columns c of one (seed, stream, a, b): rng_u32(seed, stream, a, b, c)
// == pcg_hash(rng_prefix(seed, stream, a, b) ^ c), so a sample's draws cost one hash each after the first.
fn rng_prefix(seed: u32, stream: u32, a: u32, b: u32) -> u32 {
  var h = pcg_hash(seed ^ 0x9e3779b9u);
  h = pcg_hash(h ^ stream);
  h = pcg_hash(h ^ a);
  return pcg_hash(h ^ b);
}

fn rng_unit_at(prefix: u32, c: u32) -> f32 {
  return f32(pcg_hash(prefix ^ c) >> 8u) * (1.0 / 16777216.0);
}
