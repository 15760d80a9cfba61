// A progress bar on stderr: redrawn in place on a terminal, one line every 10 % (or 30 s) otherwise.
// SAE stages show two figures, each named: the robust one first, "batch-FVU (fresh samples)" (the median over
// SAEs of the batch-FVU selection loss at the latest training-curve evaluation), then "train loss (last
// batches)": the training objective on the latest batches, median over SAEs and over the last LOSS_WINDOW
// reports. With the study's per-sample FVU that one is heavy-tailed (a batch holding a sample with |h| near 0
// raises it by orders of magnitude; the study's SAEs share their batches, so the median over SAEs does not
// help): issue 31 saw 0.3, then 6.46, 20.75, 23.51 in one run, printed as "loss ... (median)", which alarmed.
import type { StageProgress } from '../experiments/runner';
import type { RunProgress } from '../experiments/progress';
import { median } from '../metrics/analysis';
import type { CompileEvent, CompileRecord, GpuContext } from '../gpu/context';

export const LOSS_WINDOW = 10;
/** seconds of SAE training before the run's ETA is shown */
export const ETA_AFTER_S = 5;

export class ProgressBar {
  private started = new Map<string, number>();
  private lastLine = 0;
  private lastPct = new Map<string, number>();
  private losses = new Map<string, number[]>();
  /** the adapter, named on every progress line */
  tag = '';
  /** the whole run's work (src/experiments/progress.ts): each line then ends with the run's share done and its ETA */
  plan: RunProgress | null = null;
  private runStart: { t: number; f: number } | null = null;
  private estimated = false;
  private readonly created = Date.now();
  constructor(private readonly out: NodeJS.WriteStream = process.stderr) {}

  private batch = new Map<string, number>();

  update(p: StageProgress): void {
    const key = `${p.experiment}/${p.stage}`;
    // a training-curve evaluation: remember its batch-FVU loss for the next line
    if (p.batch_loss !== undefined) {
      if (Number.isFinite(p.batch_loss)) this.batch.set(key, p.batch_loss);
      return;
    }
    const now = Date.now();
    if (!this.started.has(key)) this.started.set(key, now);
    const frac = p.total > 0 ? p.step / p.total : 0;
    const elapsed = (now - this.started.get(key)!) / 1000;
    const eta = frac > 0 && frac < 1 ? (elapsed / frac) * (1 - frac) : 0;
    const width = 24,
      filled = Math.round(frac * width);
    const bar = '#'.repeat(filled) + '-'.repeat(width - filled);
    const recent = this.losses.get(key) ?? [];
    if (Number.isFinite(p.loss)) {
      recent.push(p.loss);
      if (recent.length > LOSS_WINDOW) recent.shift();
      this.losses.set(key, recent);
    }
    const b = this.batch.get(key);
    const loss =
      p.stage === 'toy' || p.stage === 'eval'
        ? recent.length
          ? ` loss ${median(recent).toPrecision(4)} (median)`
          : ''
        : (b !== undefined ? ` batch-FVU ${b.toPrecision(3)} (fresh samples)` : '') +
          (recent.length ? ` train loss ${median(recent).toPrecision(4)} (last batches)` : '');
    const div = p.diverged ? ` diverged ${p.diverged}` : '';
    let run = '';
    if (this.plan) {
      const f = this.plan.update(p);
      // the run's rate is measured from its first SAE chunk on (the toy stage and the kernels' compiles
      // before it are a small, slow share of the work: an ETA from them read 700 min for a 16 min run)
      if (p.stage === 'sae' && p.step > 0) this.runStart ??= { t: now, f };
      const span = this.runStart ? (now - this.runStart.t) / 1000 : 0;
      const rate = this.runStart && span >= ETA_AFTER_S ? (f - this.runStart.f) / span : 0;
      const left = rate > 0 && f < 1 ? (1 - f) / rate : 0;
      run = ` | run ${(f * 100).toFixed(0)}% ETA ${fmt(left)}`;
      if (left > 0 && !this.estimated) {
        this.estimated = true;
        const total = (now - this.created) / 1000 + left;
        this.note(`run estimate: about ${fmt(total)} in all on this adapter (${fmt(left)} left; from ${span.toFixed(0)} s of SAE training)`);
      }
    }
    const line = `[${p.experiment}${this.tag ? ` @ ${this.tag}` : ''}] ${p.stage.padEnd(4)} [${bar}] ${String(p.step).padStart(6)}/${p.total} ${(frac * 100).toFixed(0).padStart(3)}% ${p.models} models${loss}${div} ETA ${fmt(eta)}${run}`;
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

/** Says when a run compiles (issue: "the run says when it compiles"): a kernel still compiling after `afterS`
 * seconds gets a line, one that took `afterS` or more its time (lavapipe compiles a new kernel shape in seconds to
 * a minute on a cold Mesa cache; each kernel compiles once per process, and Mesa keeps lavapipe's for later runs).
 * Returns the run's total: "compiled 14 kernels in 63.2 s (the slowest: sae_steps/cpu.wgsl, 41.0 s)". */
export function sayCompiles(ctx: GpuContext, note: (line: string) => void, afterS = 2): () => string {
  const pending = new Map<number, ReturnType<typeof setTimeout>>();
  const perFile = new Map<string, number>();
  const name = new Map<number, string>();
  ctx.compileListener = (e: CompileEvent) => {
    if (!e.done) {
      // the same file at other defines (another variant, the reference SAEs' fixed decoder) is another kernel
      const n = (perFile.get(e.label) ?? 0) + 1;
      perFile.set(e.label, n);
      name.set(e.id, n > 1 ? `${e.label} (its ${ordinal(n)} specialisation in this run)` : e.label);
      const t = setTimeout(() => note(`compiling ${name.get(e.id)}: a new kernel shape, compiled once`), afterS * 1000);
      t.unref?.();
      pending.set(e.id, t);
      return;
    }
    clearTimeout(pending.get(e.id));
    pending.delete(e.id);
    if (e.seconds >= afterS) note(`compiled ${name.get(e.id) ?? e.label} in ${e.seconds.toFixed(1)} s`);
    name.delete(e.id);
  };
  return () => compileSummary(ctx.compiles);
}

function ordinal(n: number): string {
  const s = n % 100 >= 11 && n % 100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${s}`;
}

/** "compiled 14 kernels in 63.2 s (the slowest: X, 41.0 s)": the seconds of wall time with any compile under way
 * (compiles started together overlap) */
export function compileSummary(compiles: readonly CompileRecord[]): string {
  if (compiles.length === 0) return 'compiled no kernels';
  let total = 0;
  let reach = -Infinity;
  for (const c of [...compiles].sort((a, b) => a.start - b.start)) {
    const end = c.start + c.seconds;
    if (end > reach) total += end - Math.max(c.start, reach);
    reach = Math.max(reach, end);
  }
  const slowest = compiles.reduce((a, c) => (c.seconds > a.seconds ? c : a));
  return `compiled ${compiles.length} kernel${compiles.length === 1 ? '' : 's'} in ${total.toFixed(1)} s (the slowest: ${slowest.label}, ${slowest.seconds.toFixed(1)} s)`;
}
