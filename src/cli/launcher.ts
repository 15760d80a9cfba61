// `npm start` runs node under npm -> sh -c -> tsx; a signal sent to npm (what `timeout` and schedulers
// do) kills npm and sh but is not passed on, so node and its Chromium would run on, re-parented to
// PID 1. The CLI watches its launcher chain and stops as if signalled when any of them is gone.
import { readFileSync } from 'node:fs';

interface Proc {
  pid: number;
  start: string;
  cmd: string;
}

function proc(pid: number): (Proc & { ppid: number; state: string }) | null {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
    return { pid, state: f[0], ppid: Number(f[1]), start: f[19], cmd };
  } catch {
    return null;
  }
}

/** Wrapper processes that started us: npm, npx, tsx, and the `sh -c` between them. */
export const isLauncher = (cmd: string): boolean => /(^|[\s/])(npm|npx|tsx)(\s|$|-cli|\.c?js|\.mjs)|(^|\/)(ba|da)?sh -c /.test(cmd);

/** The chain of launcher processes above this one (nearest first); empty off Linux. */
export function launcherChain(): Proc[] {
  const out: Proc[] = [];
  let pid = process.ppid;
  for (let i = 0; i < 6 && pid > 1; i++) {
    const p = proc(pid);
    if (!p || !isLauncher(p.cmd)) break;
    out.push({ pid: p.pid, start: p.start, cmd: p.cmd });
    pid = p.ppid;
  }
  return out;
}

/** Call `onGone` (once) when a launcher of the chain exits; polls 4 times a second, never keeps Node alive. */
export function watchLaunchers(onGone: (p: Proc) => void): void {
  const chain = launcherChain();
  if (!chain.length) return;
  const timer = setInterval(() => {
    for (const c of chain) {
      const p = proc(c.pid);
      if (!p || p.start !== c.start || p.state === 'Z') {
        clearInterval(timer);
        onGone(c);
        return;
      }
    }
  }, 250);
  timer.unref();
}
