// safetensors read/write (the format SAE tools use): u64 little-endian header length, a JSON header
// {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {...}}, then the raw data.
// Written by hand: no maintained npm package implements it (the `safetensors` package is a 0.0.1 stub).

export interface Tensor {
  dtype: 'F32';
  shape: number[];
  data: Float32Array;
}

export function encodeSafetensors(tensors: Record<string, { shape: number[]; data: Float32Array }>, metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  let offset = 0;
  const names = Object.keys(tensors).sort();
  for (const name of names) {
    const t = tensors[name];
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (count !== t.data.length) throw new Error(`safetensors: tensor '${name}' has ${t.data.length} values for shape [${t.shape.join(', ')}]`);
    header[name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + count * 4] };
    offset += count * 4;
  }
  let json = JSON.stringify(header);
  while ((8 + json.length) % 8 !== 0) json += ' '; // align the data start to 8 bytes
  const head = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + head.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  let at = 8 + head.length;
  for (const name of names) {
    const d = tensors[name].data;
    out.set(new Uint8Array(d.buffer, d.byteOffset, d.byteLength), at);
    at += d.byteLength;
  }
  return out;
}

export function decodeSafetensors(bytes: Uint8Array, what = 'safetensors file'): { tensors: Record<string, Tensor>; metadata: Record<string, string> } {
  if (bytes.length < 8) throw new Error(`${what}: too short to be a safetensors file (${bytes.length} bytes)`);
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  if (8 + n > bytes.length) throw new Error(`${what}: header length ${n} exceeds the file size ${bytes.length}`);
  let header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  } catch (e) {
    throw new Error(`${what}: header is not valid JSON (${(e as Error).message})`);
  }
  const base = 8 + n;
  const tensors: Record<string, Tensor> = {};
  let metadata: Record<string, string> = {};
  for (const [name, t] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = (header as { __metadata__?: Record<string, string> }).__metadata__ ?? {};
      continue;
    }
    if (t.dtype !== 'F32') throw new Error(`${what}: tensor '${name}' has dtype ${t.dtype}; only F32 (float32) is supported`);
    const [b, e] = t.data_offsets;
    const count = t.shape.reduce((a, c) => a * c, 1);
    if (e - b !== count * 4 || base + e > bytes.length)
      throw new Error(`${what}: tensor '${name}' offsets [${b}, ${e}] do not fit shape [${t.shape.join(', ')}] or the file`);
    const copy = bytes.slice(base + b, base + e);
    tensors[name] = { dtype: 'F32', shape: t.shape, data: new Float32Array(copy.buffer, copy.byteOffset, count) };
  }
  return { tensors, metadata };
}
