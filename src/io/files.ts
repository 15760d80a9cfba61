// Crash-safe file writes: write to a temporary name in the same directory, then rename. Every failure
// names the file. Folders are made one level at a time: Node 20's mkdirSync(recursive) loops forever
// under /proc (the hang seen with --out /proc/...).
import { mkdirSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, parse, resolve, sep } from 'node:path';

export class OutputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutputError';
  }
}

const why = (e: unknown) => {
  const err = e as NodeJS.ErrnoException;
  return err.code ? `${err.code}: ${err.message.replace(/^[A-Z]+: /, '')}` : String(err.message ?? e);
};

/** mkdir -p without the recursive flag; a component that exists but is not a folder is a named error. */
export function ensureDir(path: string): void {
  const abs = resolve(path);
  const root = parse(abs).root;
  let cur = root;
  for (const part of abs.slice(root.length).split(sep).filter(Boolean)) {
    cur = cur === root ? root + part : cur + sep + part;
    let st: ReturnType<typeof statSync> | null;
    try {
      st = statSync(cur);
    } catch {
      st = null;
    }
    if (st) {
      if (!st.isDirectory()) throw new OutputError(`cannot create folder ${path}: ${cur} exists and is not a folder`);
      continue;
    }
    try {
      mkdirSync(cur);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST' && statSync(cur).isDirectory()) continue; // made concurrently
      throw new OutputError(`cannot create folder ${path}${cur === abs ? '' : ` (at ${cur})`}: ${why(e)}`);
    }
  }
}

/** Create the output folder and write + delete a probe file there: fails in milliseconds, before any work. */
export function probeOutputDir(dir: string): void {
  ensureDir(dir);
  const probe = resolve(dir, `.write-probe-${process.pid}`);
  try {
    writeFileSync(probe, 'probe');
    unlinkSync(probe);
  } catch (e) {
    throw new OutputError(`output folder ${dir} is not writable (${why(e)})`);
  }
}

export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  ensureDir(dirname(path));
  const tmp = `${path}.tmp-${process.pid}-${Date.now()}`;
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    try {
      rmSync(tmp, { force: true });
    } catch {
      /* the write error is the one to report */
    }
    throw new OutputError(`cannot write ${path}: ${why(e)}`);
  }
}

export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, JSON.stringify(value, null, 2) + '\n');
}
