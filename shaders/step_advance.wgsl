// step_advance: state[0] <- min(state[0] + {{AMOUNT}}, state[1]) (advances the schedule; ends every training
// step, or a chunk of AMOUNT steps of a fused multi-step kernel; state[1] is the host's stop step).
// Bindings: @0 state (rw, u32). Dispatch: (1, 1, 1). Twin: src/core/wire.ts (the trainers' step counter).

@group(0) @binding(0) var<storage, read_write> state: array<u32>;

@compute @workgroup_size(1)
fn main() {
  state[0] = min(state[0] + {{AMOUNT}}u, state[1]);
}
