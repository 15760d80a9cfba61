// step_advance: state[0] <- state[0] + 1 (advances the schedule; ends every training step).
// Bindings: @0 state (rw, u32). Dispatch: (1, 1, 1). Twin: src/reference/common.ts (stepAdvance).

@group(0) @binding(0) var<storage, read_write> state: array<u32>;

@compute @workgroup_size(1)
fn main() {
  state[0] = state[0] + 1u;
}
