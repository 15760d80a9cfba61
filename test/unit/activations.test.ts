// A researcher's own activations: .npy (f32, f16) and .safetensors (F32, F16, BF16) read in chunks, named errors
// before training (dtype, rank, truncation, NaN rows, several tensors), the mean-norm scale, the shuffle buffer.
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ActivationsError, scanActivations, ShuffleBuffer } from '../../src/io/activations';
import { openActivations } from '../../src/io/activations-node';
import { encodeNpy } from '../../src/io/npy';
import { encodeSafetensors } from '../../src/io/safetensors';

const dir = mkdtempSync(join(tmpdir(), 'sae-acts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Row r = [r, -r/2, 1]: each row names itself. */
const rowsData = (n: number) => Float32Array.from({ length: n * 3 }, (_, i) => [Math.floor(i / 3), -Math.floor(i / 3) / 2, 1][i % 3]);

function npyF16(shape: number[], halfBits: number[]): Uint8Array {
  let header = `{'descr': '<f2', 'fortran_order': False, 'shape': (${shape.join(', ')}), }`;
  while ((10 + header.length + 1) % 64 !== 0) header += ' ';
  header += '\n';
  const out = new Uint8Array(10 + header.length + halfBits.length * 2);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  const dv = new DataView(out.buffer);
  dv.setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  halfBits.forEach((b, i) => dv.setUint16(10 + header.length + 2 * i, b, true));
  return out;
}

describe('reading activations in chunks', () => {
  it('.npy float32 and float16, .safetensors F32', () => {
    const p = join(dir, 'a.npy');
    writeFileSync(p, encodeNpy([10, 3], rowsData(10)));
    const f = openActivations(p);
    expect([f.rows, f.d, f.dtype]).toEqual([10, 3, 'f32']);
    expect(Array.from(f.read(7, 2))).toEqual([7, -3.5, 1, 8, -4, 1]);
    f.close();
    // 1.0 = 0x3c00, -2.0 = 0xc000, 0.5 = 0x3800, 65504 = 0x7bff
    const h = join(dir, 'h.npy');
    writeFileSync(h, npyF16([2, 2], [0x3c00, 0xc000, 0x3800, 0x7bff]));
    const g = openActivations(h);
    expect(g.dtype).toBe('f16');
    expect(Array.from(g.read(0, 2))).toEqual([1, -2, 0.5, 65504]);
    g.close();
    const s = join(dir, 'a.safetensors');
    writeFileSync(s, encodeSafetensors({ acts: { shape: [10, 3], data: rowsData(10) } }));
    const t = openActivations(s);
    expect(Array.from(t.read(9, 1))).toEqual([9, -4.5, 1]);
    t.close();
  });
  it('named errors before anything is trained: dtype, rank, truncation, extension, several tensors, NaN rows', () => {
    const bad = (name: string, bytes: Uint8Array) => {
      const p = join(dir, name);
      writeFileSync(p, bytes);
      return p;
    };
    const int32 = encodeNpy([2, 2], new Float32Array(4));
    int32.set(new TextEncoder().encode('<i4'), int32.indexOf(0x3c)); // '<f4' -> '<i4'
    expect(() => openActivations(bad('i.npy', int32))).toThrow(/dtype <i4: activations must be float32 \('<f4'\) or float16 \('<f2'\)/);
    expect(() => openActivations(bad('r.npy', encodeNpy([2, 2, 2], new Float32Array(8))))).toThrow(/shape \(2, 2, 2\): activations must be 2-D/);
    const cut = bad('t.npy', encodeNpy([100, 3], rowsData(100)));
    truncateSync(cut, 500);
    expect(() => openActivations(cut)).toThrow(/truncated: \d+ data bytes for shape \(100, 3\) f32, expected 1200/);
    expect(() => openActivations(bad('x.csv', new Uint8Array(4)))).toThrow(ActivationsError);
    expect(() => openActivations(join(dir, 'missing.npy'))).toThrow(/cannot open \(ENOENT\)/);
    const two = bad('two.safetensors', encodeSafetensors({ a: { shape: [2, 2], data: new Float32Array(4) }, b: { shape: [2, 2], data: new Float32Array(4) } }));
    expect(() => openActivations(two)).toThrow(/holds 2 tensors \(a, b\): name the activations with --activations-key/);
    expect(openActivations(two, { key: 'b' }).rows).toBe(2);
    const nan = rowsData(50);
    nan[3 * 17 + 1] = Number.NaN;
    nan[3 * 40] = Number.POSITIVE_INFINITY;
    const f = openActivations(bad('nan.npy', encodeNpy([50, 3], nan)));
    expect(() => scanActivations(f, { chunkRows: 16 })).toThrow(/2 row\(s\) hold NaN or Inf \(rows 17, 40\); nothing was trained or written/);
  });
  it('measures the mean norm for SAELens-style scaling (x sqrt(d) / E|x|)', () => {
    const p = join(dir, 'n.npy');
    // rows of norm 2 and 4 in d = 4: E|x| = 3, scale = 2 / 3
    writeFileSync(p, encodeNpy([2, 4], Float32Array.from([2, 0, 0, 0, 0, 0, 4, 0])));
    const s = scanActivations(openActivations(p), { chunkRows: 1 });
    expect(s.meanNorm).toBeCloseTo(3, 12);
    expect(s.scale).toBeCloseTo(2 / 3, 12);
    // the training rows alone (the held-out tail sets nothing): the first row, norm 2
    expect(scanActivations(openActivations(p), { normRows: 1 }).meanNorm).toBeCloseTo(2, 12);
  });
});

describe('shuffle buffer', () => {
  const p = join(dir, 's.npy');
  writeFileSync(p, encodeNpy([40, 3], rowsData(40)));
  const ids = (b: Float32Array) => Array.from({ length: b.length / 3 }, (_, i) => b[i * 3]);
  it('draws every row once per epoch on average, shuffled, the same for a seed', () => {
    const f = openActivations(p);
    const a = new ShuffleBuffer(f, 0, 30, 8, 5, 7);
    const drawn = ids(a.batch(300)); // 10 epochs of rows 0..29 (rows 30..39 held out)
    const count = new Map<number, number>();
    for (const r of drawn) count.set(r, (count.get(r) ?? 0) + 1);
    expect([...count.keys()].every((r) => r >= 0 && r < 30)).toBe(true);
    expect(count.size).toBe(30);
    // every row that entered the buffer left it once: at most the 8 held rows are a pass behind
    for (const c of count.values()) expect(c === 9 || c === 10 || c === 11).toBe(true);
    expect(drawn.slice(0, 10)).not.toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const b = new ShuffleBuffer(openActivations(p), 0, 30, 8, 5, 7);
    expect(ids(b.batch(300))).toEqual(drawn);
    const c = new ShuffleBuffer(openActivations(p), 0, 30, 8, 6, 7);
    expect(ids(c.batch(300))).not.toEqual(drawn);
  });
});
