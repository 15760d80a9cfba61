// Node: the kernel-choice cache (src/train/choose.ts) also kept on disk, so a benchmark runs once per
// adapter and shape: $SAE_KIT_CACHE or ~/.cache/sae-kit/kernel-choice.json.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { writeJsonAtomic } from '../io/files';
import { setChoiceStore } from './choose';

export function cacheFile(): string {
  return process.env.SAE_KIT_CACHE ?? join(homedir(), '.cache', 'sae-kit', 'kernel-choice.json');
}

export function useDiskChoiceCache(file = cacheFile()): void {
  let data: Record<string, unknown> = {};
  try {
    if (existsSync(file)) data = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    data = {}; // an unreadable cache is rebuilt
  }
  setChoiceStore({
    get: (k) => data[k],
    set: (k, v) => {
      data[k] = v;
      try {
        mkdirSync(dirname(file), { recursive: true });
        writeJsonAtomic(file, data);
      } catch {
        // a read-only home only loses the cache, not the run
      }
    },
  });
}
