// Layouts of the toy-model buffers (twin: src/core/wire.ts, toyLayout).
// Parameters of toy model m at params[m*P_TOY ...]: W [N][D] (row i = feature i's direction), b [N].
// Per-sample record at work[(m*B + b)*REC_T ...]: h [D], xhat [N], delta [N] (dL/du), g [D] (dL/dh), loss [1].

const P_TOY: u32 = N_FEAT * D_HID + N_FEAT;
const T_OFF_B: u32 = N_FEAT * D_HID;
const T_H: u32 = 0u;
const T_XHAT: u32 = D_HID;
const T_DELTA: u32 = D_HID + N_FEAT;
const T_G: u32 = D_HID + 2u * N_FEAT;
const T_LOSS: u32 = 2u * D_HID + 2u * N_FEAT;
const REC_T: u32 = 2u * D_HID + 2u * N_FEAT + 1u;
