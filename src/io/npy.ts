// NumPy .npy (format 1.0-3.0) reader and writer for little-endian float32 C-order arrays.

export function decodeNpy(bytes: Uint8Array, what = 'npy file'): { shape: number[]; data: Float32Array } {
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
  if (bytes.length < 10 || magic.some((m, i) => bytes[i] !== m)) throw new Error(`${what}: not a .npy file (bad magic)`);
  const major = bytes[6];
  const dv = new DataView(bytes.buffer, bytes.byteOffset);
  const [hlen, hstart] = major === 1 ? [dv.getUint16(8, true), 10] : [dv.getUint32(8, true), 12];
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(hstart, hstart + hlen));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) throw new Error(`${what}: unreadable header ${header.trim()}`);
  if (descr !== '<f4') throw new Error(`${what}: dtype ${descr}, expected float32 ('<f4')`);
  if (fortran === 'True') throw new Error(`${what}: Fortran-ordered arrays are not supported; save a C-ordered array`);
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  const start = hstart + hlen;
  if (bytes.length - start !== count * 4) throw new Error(`${what}: ${bytes.length - start} data bytes for shape (${shape.join(', ')}), expected ${count * 4}`);
  const copy = bytes.slice(start);
  return { shape, data: new Float32Array(copy.buffer, copy.byteOffset, count) };
}

export function encodeNpy(shape: number[], data: Float32Array): Uint8Array {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  while ((10 + header.length + 1) % 64 !== 0) header += ' ';
  header += '\n';
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + header.length);
  return out;
}
