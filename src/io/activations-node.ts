// Activations files on disk (Node): a file descriptor as the byte source of src/io/activations.ts, read in chunks.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { ActivationsError, type ActivationsFile, type ByteSource, openActivationsFrom } from './activations';

function fileSource(path: string): ByteSource {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw new ActivationsError(`${path}: cannot open (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return {
    name: path,
    size: fstatSync(fd).size,
    readAt(pos: number, len: number): Uint8Array {
      const buf = Buffer.alloc(len);
      let got = 0;
      while (got < len) {
        const n = readSync(fd, buf, got, len - got, pos + got);
        if (n === 0) break;
        got += n;
      }
      return got === len ? buf : buf.subarray(0, got);
    },
    close: () => closeSync(fd),
  };
}

/** Opens an activations file and checks its dtype, rank and size against the file; reads nothing else yet. */
export function openActivations(path: string, opts: { key?: string } = {}): ActivationsFile {
  const src = fileSource(path);
  try {
    return openActivationsFrom(src, opts);
  } catch (e) {
    src.close();
    throw e;
  }
}
