// `npm start -- publish --from RUN_DIR --to DIR`: copy what a reader needs from a finished run into a
// folder fit to commit (report.md, summary.json/md, compare.md, every SVG and PNG, each experiment's
// config.json; no weights, no results.json).
// `npm start -- compare RUN_A RUN_B`: two runs of the same study with different seeds: writes
// RUN_A/compare.md and rewrites RUN_A/report.md and summary.* so each claim states the seed-to-seed spread.
import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { renderReport, seedSection, selectionSection } from '../experiments/report';
import { readResults, type ResultsFile } from '../experiments/results';
import { writeSummary } from '../experiments/study';

export const PUBLISH_HELP = `       npm start -- publish --from RUN_DIR --to DIR   copy report.md, summary.*, compare.md, configs and every
                                                   figure (SVG, PNG) of a finished run into DIR (e.g. docs/results/study-quick)
       npm start -- compare RUN_A RUN_B               RUN_B is the same study at another seed (e.g. study-quick-seed2):
                                                   writes RUN_A/compare.md, and RUN_A/report.md with the seed spread`;

const TOP_FILES = ['report.md', 'summary.json', 'summary.md', 'compare.md'];

function figuresUnder(dir: string): string[] {
  const out: string[] = [];
  for (const d of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, d.name);
    if (d.isDirectory()) out.push(...figuresUnder(p));
    else if (/\.(svg|png)$/.test(d.name) || d.name === 'config.json') out.push(p);
  }
  return out;
}

function finished(dir: string): ResultsFile {
  const res = readResults(dir);
  if (!res) throw new Error(`${dir} has no results.json (not a run folder)`);
  if (!existsSync(join(dir, 'report.md'))) throw new Error(`${dir} has no report.md: the run is not finished (resume it with the same --out)`);
  return res;
}

/** Copy a finished run's report, summaries and figures into `to`; returns the copied paths relative to `to`. */
export function publishRun(from: string, to: string): string[] {
  finished(from);
  if (!existsSync(join(from, 'summary.json'))) throw new Error(`${from} has no summary.json (made by an older kit); rerun or resume it to write one`);
  const files = [...TOP_FILES.map((f) => join(from, f)).filter(existsSync), ...figuresUnder(from)];
  const copied: string[] = [];
  for (const f of files) {
    const rel = relative(from, f);
    mkdirSync(dirname(join(to, rel)), { recursive: true });
    copyFileSync(f, join(to, rel));
    copied.push(rel);
  }
  return copied.sort();
}

/** Compare run `a` with run `b` (same experiments, another seed): compare.md, and a's report and summary with the spread. */
export function compareRuns(a: string, b: string): string {
  const ra = finished(a),
    rb = finished(b);
  const shared = ra.experiments.filter((e) => rb.experiments.some((f) => f.name === e.name)).map((e) => e.name);
  if (!shared.length)
    throw new Error(
      `compare: ${a} (${ra.experiments.map((e) => e.name).join(', ')}) and ${b} (${rb.experiments.map((e) => e.name).join(', ')}) share no experiment`,
    );
  const seeds = (r: ResultsFile) => [...new Set(r.experiments.map((e) => e.config.seed))].join(', ');
  const md = [
    `# Compare: ${ra.preset} (seed ${seeds(ra)}) vs ${rb.preset} (seed ${seeds(rb)})\n`,
    `${a} vs ${b}\n`,
    seedSection(ra, rb),
    `### Selection rules, ${ra.preset}\n`,
    selectionSection(ra),
    `### Selection rules, ${rb.preset}\n`,
    selectionSection(rb),
  ].join('\n');
  writeFileSync(join(a, 'compare.md'), md);
  writeFileSync(join(a, 'report.md'), renderReport(ra, rb));
  writeSummary(a, ra, undefined, rb);
  return md;
}

/** The publish / compare subcommands; argv starts with the subcommand's name. */
export function publishCommand(argv: string[]): number {
  const [cmd, ...rest] = argv;
  if (cmd === 'publish') {
    const { values } = parseArgs({ args: rest, options: { from: { type: 'string' }, to: { type: 'string' } } });
    if (!values.from || !values.to) throw new Error('usage: npm start -- publish --from RUN_DIR --to DIR');
    const copied = publishRun(values.from, values.to);
    console.log(`copied ${copied.length} file(s) to ${values.to}:\n  ${copied.join('\n  ')}`);
    return 0;
  }
  if (cmd === 'compare') {
    const { positionals } = parseArgs({ args: rest, allowPositionals: true, options: {} });
    if (positionals.length !== 2) throw new Error('usage: npm start -- compare RUN_A RUN_B');
    console.log(compareRuns(positionals[0], positionals[1]));
    console.log(`wrote ${join(positionals[0], 'compare.md')}; ${join(positionals[0], 'report.md')} now states the seed-to-seed spread`);
    return 0;
  }
  throw new Error(`unknown subcommand '${cmd}'`);
}

export const isPublishCommand = (a: string | undefined) => a === 'publish' || a === 'compare';
