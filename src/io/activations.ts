// A researcher's own activations, read in chunks and never whole (N up to 1e8 rows): `.npy` (float32 or
// float16, C order, shape [N, d]) or `.safetensors` (one F32/F16/BF16 tensor of shape [N, d], or the one named),
// from any byte source: a file on disk (activations-node.ts) or the bytes of a file dropped on the browser page.
// Every problem is a named error before training: wrong dtype, wrong rank, a truncated file, NaN or infinite
// rows (scanActivations walks the whole file once and also measures the mean norm for SAELens-style scaling).
// Rows reach training through a seeded shuffle buffer (ShuffleBuffer); the last rows are held out for evaluation.
import { rngU32 } from '../core/rng';
import { bf16, f16 } from './floats';

export class ActivationsError extends Error {}

type Dtype = 'f32' | 'f16' | 'bf16';
const WIDTH: Record<Dtype, number> = { f32: 4, f16: 2, bf16: 2 };

export interface ActivationsFile {
  path: string;
  rows: number;
  d: number;
  dtype: Dtype;
  /** byte offset of row 0 */
  offset: number;
  /** rows [start, start + count) as float32, row-major */
  read(start: number, count: number): Float32Array;
  close(): void;
}

/** Where the bytes come from: a file on disk, or a file's bytes in memory (the browser). */
export interface ByteSource {
  /** the name errors give (a path, or a dropped file's name) */
  name: string;
  size: number;
  /** up to `len` bytes from `pos` (fewer at the end) */
  readAt(pos: number, len: number): Uint8Array;
  close(): void;
}

/** A file's bytes in memory as a source (a file dropped on the browser page). */
export function bytesSource(name: string, bytes: Uint8Array): ByteSource {
  return { name, size: bytes.length, readAt: (pos, len) => bytes.subarray(pos, Math.min(pos + len, bytes.length)), close: () => {} };
}

const view = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);

/** The .npy header: dtype, order and shape (format 1.0-3.0). */
function npyHeader(src: ByteSource): { dtype: Dtype; shape: number[]; offset: number } {
  const fail = (why: string): never => {
    throw new ActivationsError(`${src.name}: ${why}`);
  };
  const head = src.readAt(0, 12);
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
  if (head.length < 10 || magic.some((m, i) => head[i] !== m)) fail('not a .npy file (bad magic)');
  const major = head[6];
  const [hlen, hstart] = major === 1 ? [view(head).getUint16(8, true), 10] : [view(head).getUint32(8, true), 12];
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(src.readAt(hstart, hlen));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) fail(`unreadable .npy header ${header.trim()}`);
  const dtypes: Record<string, Dtype> = { '<f4': 'f32', '<f2': 'f16' };
  const dtype = dtypes[descr!];
  if (!dtype) fail(`dtype ${descr}: activations must be float32 ('<f4') or float16 ('<f2')`);
  if (fortran === 'True') fail('Fortran-ordered array: save a C-ordered one (np.ascontiguousarray)');
  const shape = shapeText!
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean)
    .map(Number);
  return { dtype, shape, offset: hstart + hlen };
}

/** The safetensors header's activation tensor: the only one, or `key`. */
function safetensorsHeader(src: ByteSource, key?: string): { dtype: Dtype; shape: number[]; offset: number; bytes: number } {
  const fail = (why: string): never => {
    throw new ActivationsError(`${src.name}: ${why}`);
  };
  const lenBuf = src.readAt(0, 8);
  if (lenBuf.length < 8) fail('too short to be a safetensors file');
  const n = Number(view(lenBuf).getBigUint64(0, true));
  if (n > 100_000_000) fail(`header length ${n} is not plausible (not a safetensors file?)`);
  let header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }> = {};
  try {
    header = JSON.parse(new TextDecoder().decode(src.readAt(8, n)));
  } catch (e) {
    fail(`header is not valid JSON (${(e as Error).message})`);
  }
  const names = Object.keys(header).filter((k) => k !== '__metadata__');
  const name = key ?? (names.length === 1 ? names[0] : undefined);
  if (!name) fail(`holds ${names.length} tensors (${names.join(', ')}): name the activations with --activations-key`);
  const t = header[name!];
  if (!t) fail(`has no tensor '${name}' (has: ${names.join(', ')})`);
  const dtypes: Record<string, Dtype> = { F32: 'f32', F16: 'f16', BF16: 'bf16' };
  const dtype = dtypes[t.dtype];
  if (!dtype) fail(`tensor '${name}' has dtype ${t.dtype}: activations must be F32, F16 or BF16`);
  return { dtype, shape: t.shape, offset: 8 + n + t.data_offsets[0], bytes: t.data_offsets[1] - t.data_offsets[0] };
}

/** Opens activations from a byte source and checks dtype, rank and size against it; reads nothing else yet. */
export function openActivationsFrom(src: ByteSource, opts: { key?: string } = {}): ActivationsFile {
  const path = src.name;
  const kind = path.endsWith('.npy') ? 'npy' : path.endsWith('.safetensors') ? 'safetensors' : null;
  if (!kind) throw new ActivationsError(`${path}: activations must be a .npy or .safetensors file`);
  const h = kind === 'npy' ? npyHeader(src) : safetensorsHeader(src, opts.key);
  if (h.shape.length !== 2) throw new ActivationsError(`${path}: shape (${h.shape.join(', ')}): activations must be 2-D, [N rows, d]`);
  const [rows, d] = h.shape;
  if (!(rows >= 1 && d >= 1)) throw new ActivationsError(`${path}: shape (${rows}, ${d}) has no data`);
  const w = WIDTH[h.dtype];
  const need = rows * d * w;
  const size = src.size;
  if ('bytes' in h && h.bytes !== need) throw new ActivationsError(`${path}: the tensor's offsets hold ${h.bytes} bytes, shape (${rows}, ${d}) needs ${need}`);
  if (size < h.offset + need)
    throw new ActivationsError(`${path}: truncated: ${size - h.offset} data bytes for shape (${rows}, ${d}) ${h.dtype}, expected ${need}`);
  if (kind === 'npy' && size > h.offset + need) throw new ActivationsError(`${path}: ${size - h.offset - need} bytes past the data of shape (${rows}, ${d})`);
  const dtype = h.dtype;
  const offset = h.offset;
  return {
    path,
    rows,
    d,
    dtype,
    offset,
    read(start: number, count: number): Float32Array {
      if (start < 0 || count < 0 || start + count > rows) throw new ActivationsError(`${path}: rows [${start}, ${start + count}) outside [0, ${rows})`);
      const buf = src.readAt(offset + start * d * w, count * d * w);
      if (buf.length < count * d * w) throw new ActivationsError(`${path}: truncated while reading rows ${start}..${start + count}`);
      const v = view(buf);
      const out = new Float32Array(count * d);
      if (dtype === 'f32') {
        for (let i = 0; i < out.length; i++) out[i] = v.getFloat32(i * 4, true);
      } else if (dtype === 'f16') {
        for (let i = 0; i < out.length; i++) out[i] = f16(v.getUint16(i * 2, true));
      } else {
        for (let i = 0; i < out.length; i++) out[i] = bf16(v.getUint16(i * 2, true));
      }
      return out;
    },
    close: () => src.close(),
  };
}

export interface ActivationsScan {
  rows: number;
  d: number;
  /** mean |x| over the rows scanned */
  meanNorm: number;
  /** SAELens's `normalize_activations: expected_average_only_in`: x * sqrt(d) / E|x| */
  scale: number;
}

/** Walks every row once, in chunks: fails naming the first rows that hold NaN or Inf; measures the mean norm over the
 * first `normRows` rows (the training rows: the held-out tail does not set the scaling; default all). */
export function scanActivations(f: ActivationsFile, opts: { chunkRows?: number; normRows?: number } = {}): ActivationsScan {
  const chunkRows = opts.chunkRows ?? 65536;
  const normRows = Math.min(opts.normRows ?? f.rows, f.rows);
  let norms = 0;
  const bad: number[] = [];
  let badCount = 0;
  for (let start = 0; start < f.rows; start += chunkRows) {
    const count = Math.min(chunkRows, f.rows - start);
    const x = f.read(start, count);
    for (let r = 0; r < count; r++) {
      let sq = 0,
        finite = true;
      for (let j = 0; j < f.d; j++) {
        const v = x[r * f.d + j];
        if (!Number.isFinite(v)) finite = false;
        sq += v * v;
      }
      if (!finite) {
        badCount++;
        if (bad.length < 5) bad.push(start + r);
      } else if (start + r < normRows) norms += Math.sqrt(sq);
    }
  }
  if (badCount)
    throw new ActivationsError(
      `${f.path}: ${badCount} row(s) hold NaN or Inf (rows ${bad.join(', ')}${badCount > bad.length ? ', ...' : ''}); nothing was trained or written`,
    );
  const meanNorm = norms / normRows;
  return { rows: f.rows, d: f.d, meanNorm, scale: meanNorm > 0 ? Math.sqrt(f.d) / meanNorm : 1 };
}

/**
 * A seeded shuffle buffer over rows [from, to) of a file (SAELens-style streaming): `capacity` rows are held;
 * each draw takes a random held row and refills its slot with the next row of the stream, read in chunks of
 * `chunkRows`; at the end of the range the stream starts again (the next epoch). Every row that enters the
 * buffer leaves it exactly once, so over many epochs each row is drawn once per epoch; only `capacity` rows
 * and one chunk are in memory.
 */
export class ShuffleBuffer {
  private readonly buf: Float32Array;
  private held = 0;
  private next: number;
  private chunk: Float32Array = new Float32Array(0);
  private chunkStart = 0;
  private draws = 0;
  epoch = 0;
  constructor(
    private readonly f: ActivationsFile,
    private readonly from: number,
    private readonly to: number,
    readonly capacity: number,
    private readonly seed: number,
    private readonly chunkRows = 65536,
  ) {
    if (!(to > from)) throw new ActivationsError(`${f.path}: no rows to train on ([${from}, ${to}))`);
    this.buf = new Float32Array(Math.min(capacity, to - from) * f.d);
    this.next = from;
    while (this.held * f.d < this.buf.length) this.push(this.held++);
  }
  /** Puts the stream's next row into slot `slot` (wrapping to the next epoch at the end of the range). */
  private push(slot: number): void {
    const d = this.f.d;
    if (this.next >= this.to) {
      this.next = this.from;
      this.epoch++;
    }
    const at = this.next - this.chunkStart;
    if (this.next < this.chunkStart || at * d >= this.chunk.length) {
      this.chunkStart = this.next;
      this.chunk = this.f.read(this.next, Math.min(this.chunkRows, this.to - this.next));
    }
    const o = (this.next - this.chunkStart) * d;
    this.buf.set(this.chunk.subarray(o, o + d), slot * d);
    this.next++;
  }
  /** `count` rows, shuffled, as one [count, d] batch. */
  batch(count: number): Float32Array {
    const d = this.f.d;
    const out = new Float32Array(count * d);
    for (let i = 0; i < count; i++) {
      const slot = rngU32(this.seed, 0x5b0f, this.draws++, 0, 0) % this.held;
      out.set(this.buf.subarray(slot * d, slot * d + d), i * d);
      this.push(slot);
    }
    return out;
  }
}
