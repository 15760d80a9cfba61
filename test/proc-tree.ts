// Process-tree helpers for the CLI tests (Linux /proc): descendants of a pid, and which are still alive.
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcId {
  pid: number;
  start: string;
  cmd: string;
}

function stat(pid: number): { ppid: number; state: string; start: string } | null {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = s.slice(s.lastIndexOf(')') + 2).split(' '); // fields after "pid (comm)"
    return { state: rest[0], ppid: Number(rest[1]), start: rest[19] };
  } catch {
    return null;
  }
}

/** Every process below `root` (children, grandchildren, ...), with its start time to rule out pid reuse. */
export function descendants(root: number): ProcId[] {
  const kids = new Map<number, number[]>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const st = stat(Number(d));
    if (st) kids.set(st.ppid, [...(kids.get(st.ppid) ?? []), Number(d)]);
  }
  const out: ProcId[] = [];
  const todo = [...(kids.get(root) ?? [])];
  while (todo.length) {
    const pid = todo.pop()!;
    const st = stat(pid);
    if (!st) continue;
    let cmd = '';
    try {
      cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').slice(0, 120);
    } catch {
      /* gone */
    }
    out.push({ pid, start: st.start, cmd });
    todo.push(...(kids.get(pid) ?? []));
  }
  return out;
}

/** The processes of `procs` that still run (same pid and start time, not a zombie). */
export function stillAlive(procs: ProcId[]): ProcId[] {
  return procs.filter((p) => {
    const st = stat(p.pid);
    return st !== null && st.start === p.start && st.state !== 'Z';
  });
}
