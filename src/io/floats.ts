// Half-precision floats to f32 (the dtypes activation and SAE files come in): IEEE binary16 and bfloat16.

const bf16Buf = new DataView(new ArrayBuffer(4));
/** bfloat16 bits -> number (the upper half of an f32). */
export function bf16(bits: number): number {
  bf16Buf.setUint32(0, bits << 16);
  return bf16Buf.getFloat32(0);
}

/** IEEE binary16 bits -> number (subnormals, infinities and NaN included). */
export function f16(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1,
    exp = (bits >> 10) & 0x1f,
    frac = bits & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}
