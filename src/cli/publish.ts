// `npm start -- publish --from RUN_DIR --to DIR`: copy what a reader needs from a finished run into a
// folder fit to commit (report.md, summary.json/md, compare.md, every SVG and PNG, each experiment's
// config.json and weights — toy.safetensors and saes.safetensors, a few KB for the study's shapes — and
// results.json gzipped, so every claim can be checked from what is published).
// `npm start -- compare RUN_A RUN_B`: two runs of the same study with different seeds: writes
// RUN_A/compare.md and rewrites RUN_A/report.md and summary.* so each claim states the seed-to-seed spread.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { dirname, join, relative } from 'node:path';
import { parseCli } from './args';
import { claimsAcrossSeeds, renderReport, seedSection, seedsSection, selectionSection } from '../experiments/report';
import { readResults, type ResultsFile } from '../experiments/results';
import { parseExperiment } from '../config/schema';
import { nodeDocument } from '../plots/dom-node';
import { phaseBudgetCheck, phaseFigure, phasePoints, phaseTable } from '../plots/phase';
import { writeSummary } from '../experiments/study';
import { fixesSection, fixRows } from '../experiments/fixes';
import { fixesFigure } from '../plots/fixes';
import { writeFutureWork } from '../experiments/future-work-report';

export const PUBLISH_HELP = `       npm start -- publish --from RUN_DIR --to DIR   copy report.md, summary.*, compare.md, configs and every
                                                   figure (SVG, PNG) of a finished run into DIR (e.g. docs/results/study-quick)
       npm start -- compare RUN_A RUN_B [RUN_C ...]   the same study at other seeds (e.g. study-quick-seed2, -seed3):
                                                   writes RUN_A/compare.md (every seed, the range), and RUN_A/report.md
                                                   with the claims pooled over every seed
       npm start -- phase-check --quick RUN,RUN,... --long RUN,RUN,... [--longer RUN,RUN,...] --to DIR
                                                   the phase diagram at two or three budgets, each pooled over its
                                                   seeds: DIR/phase.md (does each budget agree with the next longer
                                                   one?), phase.svg (the longest), <preset>.svg for the others`;

const TOP_FILES = ['report.md', 'summary.json', 'summary.md', 'compare.md', 'fixes.md', 'future-work.md'];

function figuresUnder(dir: string): string[] {
  const out: string[] = [];
  for (const d of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, d.name);
    if (d.isDirectory()) out.push(...figuresUnder(p));
    else if (/\.(svg|png|safetensors)$/.test(d.name) || d.name === 'config.json') out.push(p);
  }
  return out;
}

function finished(dir: string): ResultsFile {
  const res = readResults(dir, { published: true });
  if (!res) throw new Error(`${dir} has no results.json or results.json.gz (not a run folder)`);
  if (!existsSync(join(dir, 'report.md'))) throw new Error(`${dir} has no report.md: the run is not finished (resume it with the same --out)`);
  return res;
}

/** Copy a finished run's report, summaries and figures into `to`; returns the copied paths relative to `to`. */
export function publishRun(from: string, to: string): string[] {
  const r = finished(from);
  if (!existsSync(join(from, 'summary.json'))) throw new Error(`${from} has no summary.json (made by an older kit); rerun or resume it to write one`);
  const files = [...TOP_FILES.map((f) => join(from, f)).filter(existsSync), ...figuresUnder(from)];
  const copied: string[] = [];
  for (const f of files) {
    const rel = relative(from, f);
    mkdirSync(dirname(join(to, rel)), { recursive: true });
    copyFileSync(f, join(to, rel));
    copied.push(rel);
  }
  // results.json (every SAE's metrics, decoders and curves) is several MB: gzipped beside the rest
  writeFileSync(join(to, 'results.json.gz'), gzipSync(readFileSync(join(from, 'results.json')), { level: 9 }));
  copied.push('results.json.gz');
  // a fixes run not yet compared across seeds: its own fixes table and figure (one seed; compare pools more)
  const fixes = existsSync(join(from, 'fixes.md')) ? '' : fixesSection([r]);
  if (fixes) {
    writeFileSync(join(to, 'fixes.md'), fixes);
    writeFileSync(join(to, 'fixes.svg'), fixesFigure(fixRows([r]), nodeDocument()));
    copied.push('fixes.md', 'fixes.svg');
  }
  return copied.sort();
}

/** An experiment's config without its seed: what two independent seeds of the same study must share. */
const withoutSeed = (c: ResultsFile['experiments'][number]['config']) => {
  // defaults of options added since a run was written are filled in, so an older run compares with a newer one
  let full: unknown = c;
  try {
    full = parseExperiment(c);
  } catch {}
  return JSON.stringify({ ...(full as object), seed: null });
};

/**
 * Throws unless `rb` is an independent seed of the study `ra` ran: another folder, neither a shard, the
 * same budget, every shared experiment with the same config apart from its seed, and a different seed
 * in each. A run compared with itself (or with a copy at the same seed) would report a spread of 0.
 */
export function checkIndependentSeeds(a: string, ra: ResultsFile, b: string, rb: ResultsFile): string[] {
  const refuse = (why: string) => {
    throw new Error(`compare: ${a} and ${b} ${why}; nothing was written`);
  };
  if (realpathSync(a) === realpathSync(b)) refuse('are the same run (a run compared with itself has no seed-to-seed spread)');
  if (ra.shard || rb.shard) refuse(`include a shard (${ra.shard ? a : b}); merge the shards first (npm start -- merge)`);
  const shared = ra.experiments.filter((e) => rb.experiments.some((f) => f.name === e.name)).map((e) => e.name);
  if (!shared.length) refuse(`share no experiment (${ra.experiments.map((e) => e.name).join(', ')} vs ${rb.experiments.map((e) => e.name).join(', ')})`);
  const budget = (r: ResultsFile) => JSON.stringify([r.budget.kind, ...shared.map((n) => [r.budget.sae_steps[n], r.budget.sae_batch[n]])]);
  if (budget(ra) !== budget(rb)) refuse(`were run at different budgets (${ra.budget.kind} vs ${rb.budget.kind}, or other SAE steps or batch)`);
  for (const name of shared) {
    const ea = ra.experiments.find((e) => e.name === name)!.config,
      eb = rb.experiments.find((e) => e.name === name)!.config;
    if (withoutSeed(ea) !== withoutSeed(eb))
      refuse(`ran experiment '${name}' with different configs (not only the seed differs), so their difference is not a seed-to-seed spread`);
    if (ea.seed === eb.seed)
      refuse(`both ran experiment '${name}' at seed ${ea.seed}: they are not independent seeds (run the -seed2 preset for a second seed)`);
    const sa = ra.experiments.find((e) => e.name === name)!.evaluation?.samples,
      sb = rb.experiments.find((e) => e.name === name)!.evaluation?.samples;
    if (sa !== sb) refuse(`evaluated experiment '${name}' on different numbers of fresh samples (${sa} vs ${sb}: a hardware and a software adapter?)`);
  }
  return shared;
}

/** Compare run `a` with run `b` (same experiments, another seed): compare.md, and a's report and summary with the spread. */
export function compareRuns(a: string, b: string, more: string[] = []): string {
  const ra = finished(a),
    rb = finished(b);
  const rest = more.map((d) => ({ d, r: finished(d) }));
  // before anything is written: every pair must be independent seeds of the same study
  const all = [{ d: a, r: ra }, { d: b, r: rb }, ...rest];
  for (let i = 0; i < all.length; i++) for (let j = i + 1; j < all.length; j++) checkIndependentSeeds(all[i].d, all[i].r, all[j].d, all[j].r);
  const seeds = (r: ResultsFile) => [...new Set(r.experiments.map((e) => e.config.seed))].join(', ');
  const md = [
    `# Compare: ${all.map((x) => `${x.r.preset} (seed ${seeds(x.r)})`).join(' vs ')}\n`,
    `${all.map((x) => x.d).join(' vs ')}\n`,
    claimsAcrossSeeds(all.map((x) => x.r)),
    seedsSection(all.map((x) => x.r)),
    seedSection(ra, rb),
    `### Selection rules, ${ra.preset}\n`,
    selectionSection(ra),
    `### Selection rules, ${rb.preset}\n`,
    selectionSection(rb),
  ].join('\n');
  writeFileSync(join(a, 'compare.md'), md);
  writeFileSync(join(a, 'report.md'), renderReport(ra, [rb, ...rest.map((x) => x.r)]));
  // a phase diagram pooled over the seeds replaces the run's own
  const phase = phasePoints(...all.map((x) => x.r.experiments));
  if (phase.length) writeFileSync(join(a, 'phase.svg'), phaseFigure(phase, nodeDocument()));
  // the fixes presets: every variant in the seed's setting, pooled over the seeds
  const fixes = fixesSection(all.map((x) => x.r));
  if (fixes) {
    writeFileSync(join(a, 'fixes.md'), fixes);
    writeFileSync(join(a, 'fixes.svg'), fixesFigure(fixRows(all.map((x) => x.r)), nodeDocument()));
  }
  // the future-work bench: the leaderboard pooled over the seeds
  writeFutureWork(
    a,
    all.map((x) => x.r),
    nodeDocument(),
  );
  writeSummary(a, ra, undefined, rb);
  return md;
}

/**
 * The phase diagram at two or three budgets, each pooled over its seeds: `budgets` lists, shortest first, the run
 * folders of each (independent seeds of phase-quick, phase-long, phase-longer). Each budget is checked against the
 * next longer one point by point. Writes DIR/phase.md (every table, the agreement per point), DIR/phase.svg (the
 * longest budget) and DIR/<preset>.svg for the others; returns the markdown.
 */
export function phaseCheck(budgets: string[][], to: string): string {
  const load = (dirs: string[]) => {
    const runs = dirs.map((d) => ({ d, r: finished(d) }));
    for (let i = 0; i < runs.length; i++) for (let j = i + 1; j < runs.length; j++) checkIndependentSeeds(runs[i].d, runs[i].r, runs[j].d, runs[j].r);
    const pts = phasePoints(...runs.map((x) => x.r.experiments));
    if (!pts.length) throw new Error(`phase-check: ${dirs.join(', ')} hold no phase-diagram experiments (phase-* presets)`);
    return { runs, pts, preset: runs[0].r.preset.replace(/-seed\d+$/, '') };
  };
  if (budgets.length < 2) throw new Error('phase-check: give at least two budgets (--quick and --long)');
  const bs = budgets.map(load);
  const budget = (x: (typeof bs)[number]) =>
    `${x.runs[0].r.preset}: ${x.runs[0].r.budget.note} Seeds ${x.runs.map((y) => [...new Set(y.r.experiments.map((e) => e.config.seed))].join('/')).join(', ')}.`;
  const check = (a: (typeof bs)[number], b: (typeof bs)[number]) => {
    const c = phaseBudgetCheck(a.pts, b.pts);
    const off = c.rows.filter((r) => !r.overlap);
    return `**${a.preset} against ${b.preset}:** their intervals overlap at ${c.agree} of ${c.rows.length} points (${c.notMeasured} more not measured: every seed's toy model failed the guards); the largest difference of the means is ${c.maxDiff.toFixed(3)}.${
      off.length
        ? ` Points where they do not overlap: ${off
            .map(
              (r) =>
                `${r.a.variant} k ${r.a.k} p ${r.a.p}: ${r.a.recovered.toFixed(2)} [${r.a.lo.toFixed(2)}, ${r.a.hi.toFixed(2)}] vs ${r.b.recovered.toFixed(2)} [${r.b.lo.toFixed(2)}, ${r.b.hi.toFixed(2)}]`,
            )
            .join('; ')}.`
        : ''
    }\n`;
  };
  const longest = bs[bs.length - 1];
  const md = [
    '# Phase diagram: when do SAEs learn true features?\n',
    'Two sets of k features (uncorrelated amplitudes), a fraction p of one-hot draws, toy model with d = k hidden dims, SAEs with s = 2k latents (ReLU with L1, and TopK with k = 2). Each cell: the share of true feature directions an SAE recovers (matched recovery: one-to-one Hungarian matching, covered at cos >= 0.95), mean over the SAEs of every seed with a 95 % cluster-bootstrap interval (seeds, then SAEs), then the share of live latents on composed directions. Toy models that fail the guards are left out and counted. The dashed lines of phase.svg are the analytic crossings of the expected L1 costs for two sets of two features (p = 0.22 with uncorrelated amplitudes, as here; 0.59 with correlated ones): above them the true dictionary is the cheaper code.\n',
    `## Budget check\n`,
    'A budget has settled where the next longer one (the same toy models, more SAE samples) agrees with it: their intervals overlap.\n',
    ...bs.slice(0, -1).map((b, i) => check(b, bs[i + 1])),
    ...[...bs].reverse().flatMap((b) => [`## ${b.preset} (${b === longest ? 'phase.svg' : `${b.preset}.svg`})\n`, budget(b) + '\n', phaseTable(b.pts)]),
  ].join('\n');
  mkdirSync(to, { recursive: true });
  writeFileSync(join(to, 'phase.md'), md);
  writeFileSync(join(to, 'phase.svg'), phaseFigure(longest.pts, nodeDocument()));
  for (const b of bs.slice(0, -1)) writeFileSync(join(to, `${b.preset}.svg`), phaseFigure(b.pts, nodeDocument()));
  return md;
}

/** The publish / compare / phase-check subcommands; argv starts with the subcommand's name. */
export function publishCommand(argv: string[]): number {
  const [cmd, ...rest] = argv;
  if (cmd === 'publish') {
    const { values } = parseCli({ args: rest, options: { from: { type: 'string' }, to: { type: 'string' } } });
    if (!values.from || !values.to) throw new Error('usage: npm start -- publish --from RUN_DIR --to DIR');
    const copied = publishRun(values.from, values.to);
    console.log(`copied ${copied.length} file(s) to ${values.to}:\n  ${copied.join('\n  ')}`);
    return 0;
  }
  if (cmd === 'compare') {
    const { positionals } = parseCli({ args: rest, allowPositionals: true, options: {} });
    if (positionals.length < 2) throw new Error('usage: npm start -- compare RUN_A RUN_B [RUN_C ...]');
    console.log(compareRuns(positionals[0], positionals[1], positionals.slice(2)));
    console.log(`wrote ${join(positionals[0], 'compare.md')}; ${join(positionals[0], 'report.md')} now judges the claims over every seed`);
    return 0;
  }
  if (cmd === 'phase-check') {
    const { values } = parseCli({
      args: rest,
      options: { quick: { type: 'string' }, long: { type: 'string' }, longer: { type: 'string' }, to: { type: 'string' } },
    });
    if (!values.quick || !values.long || !values.to)
      throw new Error('usage: npm start -- phase-check --quick RUN,RUN,... --long RUN,RUN,... [--longer RUN,RUN,...] --to DIR');
    const budgets = [values.quick, values.long, ...(values.longer ? [values.longer] : [])].map((v) => v.split(','));
    const md = phaseCheck(budgets, values.to);
    console.log(md.split('\n').slice(0, 10).join('\n'));
    console.log(`wrote ${join(values.to, 'phase.md')} and its figures`);
    return 0;
  }
  throw new Error(`unknown subcommand '${cmd}'`);
}

export const isPublishCommand = (a: string | undefined) => a === 'publish' || a === 'compare' || a === 'phase-check';
