// A progress bar on stderr: redrawn in place on a terminal, one line every 10 % (or 30 s) otherwise.
import type { StageProgress } from '../experiments/runner';

export class ProgressBar {
  private started = new Map<string, number>();
  private lastLine = 0;
  private lastPct = new Map<string, number>();
  /** the adapter, named on every progress line */
  tag = '';
  constructor(private readonly out: NodeJS.WriteStream = process.stderr) {}

  update(p: StageProgress): void {
    const key = `${p.experiment}/${p.stage}`;
    const now = Date.now();
    if (!this.started.has(key)) this.started.set(key, now);
    const frac = p.total > 0 ? p.step / p.total : 0;
    const elapsed = (now - this.started.get(key)!) / 1000;
    const eta = frac > 0 && frac < 1 ? elapsed / frac * (1 - frac) : 0;
    const width = 24, filled = Math.round(frac * width);
    const bar = '#'.repeat(filled) + '-'.repeat(width - filled);
    const loss = Number.isFinite(p.loss) ? ` loss ${p.loss.toPrecision(4)}` : '';
    const div = p.diverged ? ` diverged ${p.diverged}` : '';
    const line = `[${p.experiment}${this.tag ? ` @ ${this.tag}` : ''}] ${p.stage.padEnd(4)} [${bar}] ${String(p.step).padStart(6)}/${p.total} ${(frac * 100).toFixed(0).padStart(3)}% ${p.models} models${loss}${div} ETA ${fmt(eta)}`;
    if (this.out.isTTY) {
      this.out.write(`\r${line.slice(0, (this.out.columns ?? 120) - 1).padEnd((this.out.columns ?? 120) - 1)}`);
      if (frac >= 1) this.out.write('\n');
    } else {
      const pct = Math.floor(frac * 10);
      if (pct !== this.lastPct.get(key) || now - this.lastLine > 30000) {
        this.lastPct.set(key, pct);
        this.lastLine = now;
        this.out.write(line + '\n');
      }
    }
  }

  note(text: string): void {
    this.out.write(`${this.out.isTTY ? '\r' : ''}${text}\n`);
  }
}

function fmt(s: number): string {
  if (!Number.isFinite(s) || s <= 0) return '--';
  if (s < 90) return `${s.toFixed(0)}s`;
  return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
}
