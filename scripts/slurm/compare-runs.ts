// Does a merged sharded run equal the unsharded run of the same preset? Usage:
//   npx tsx scripts/slurm/compare-runs.ts UNSHARDED_DIR MERGED_DIR
// Compares, per experiment, toy.safetensors and saes.safetensors byte for byte (and, where the bytes differ,
// tensor by tensor: how many values differ, the largest difference, which SAEs), and results.json and each
// <experiment>/result.json value for value, leaving out what differs by design: timings, adapters, start and
// update times and the command line; and each experiment's SVG figures byte for byte. (report.md and
// summary.md are not compared: they state the command, the times and the wall time.) Prints every difference (the first 30 paths of each file) and PASS or
// FAIL; exits 0 on PASS, 1 on FAIL, 2 on a usage error.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeSafetensors } from '../../src/io/safetensors';

/** keys left out of the comparison: top level of results.json, and in each experiment */
const IGNORE_TOP = new Set(['timing', 'adapters', 'adapter', 'shard_adapters', 'started', 'updated', 'command']);
const IGNORE_EXPERIMENT = new Set(['timing']);
const MAX_PATHS = 30;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function diff(a: Json, b: Json, path: string, out: string[], ignore: (path: string, key: string) => boolean): void {
  if (Object.is(a, b)) return;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) out.push(`${path}: length ${a.length} vs ${b.length}`);
    for (let i = 0; i < Math.min(a.length, b.length); i++) diff(a[i], b[i], `${path}[${i}]`, out, ignore);
    return;
  }
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      if (ignore(path, k)) continue;
      if (!(k in a)) out.push(`${path}.${k}: only in the merged run`);
      else if (!(k in b)) out.push(`${path}.${k}: only in the unsharded run`);
      else diff(a[k], b[k], `${path}.${k}`, out, ignore);
    }
    return;
  }
  const show = (x: Json) => {
    const s = JSON.stringify(x);
    return s.length > 80 ? `${s.slice(0, 77)}...` : s;
  };
  out.push(`${path}: ${show(a)} vs ${show(b)}`);
}

const readJson = (f: string) => JSON.parse(readFileSync(f, 'utf8')) as Json;
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex').slice(0, 16);

/** where the bytes differ: per tensor, the values that differ, the largest |difference|, the SAEs (first axis) concerned */
function tensorDiff(a: Uint8Array, b: Uint8Array, what: string): string[] {
  const ta = decodeSafetensors(a, what).tensors,
    tb = decodeSafetensors(b, what).tensors;
  const lines: string[] = [];
  for (const name of new Set([...Object.keys(ta), ...Object.keys(tb)])) {
    const x = ta[name],
      y = tb[name];
    if (!x || !y) {
      lines.push(`  tensor ${name}: only in the ${x ? 'unsharded' : 'merged'} run`);
      continue;
    }
    if (JSON.stringify(x.shape) !== JSON.stringify(y.shape)) {
      lines.push(`  tensor ${name}: shape [${x.shape}] vs [${y.shape}]`);
      continue;
    }
    const per = x.shape.length > 1 ? x.data.length / x.shape[0] : x.data.length;
    let n = 0,
      max = 0;
    const rows = new Set<number>();
    for (let i = 0; i < x.data.length; i++) {
      if (Object.is(x.data[i], y.data[i])) continue;
      n++;
      max = Math.max(max, Math.abs(x.data[i] - y.data[i]));
      rows.add(Math.floor(i / per));
    }
    if (n) {
      const r = [...rows];
      lines.push(
        `  tensor ${name} [${x.shape}]: ${n} of ${x.data.length} values differ, max |diff| ${max.toExponential(3)}, in ${r.length} of ${x.shape[0]} rows (${r.slice(0, 12).join(', ')}${r.length > 12 ? ', ...' : ''})`,
      );
    }
  }
  if (!lines.length) lines.push('  the tensors are equal; only the header (names, shapes or metadata) differs');
  return lines;
}

function main(): number {
  const [fullDir, mergedDir] = process.argv.slice(2);
  if (!fullDir || !mergedDir) {
    console.error('usage: npx tsx scripts/slurm/compare-runs.ts UNSHARDED_DIR MERGED_DIR');
    return 2;
  }
  for (const d of [fullDir, mergedDir])
    if (!existsSync(join(d, 'results.json'))) {
      console.error(`compare-runs: ${d} has no results.json (not a run folder)`);
      return 2;
    }
  const full = readJson(join(fullDir, 'results.json')) as { [k: string]: Json; experiments: { name: string; saes: { verdict: string }[] }[] };
  const merged = readJson(join(mergedDir, 'results.json')) as typeof full;
  let failed = false;
  const report = (what: string, diffs: string[]) => {
    if (!diffs.length) {
      console.log(`same     ${what}`);
      return;
    }
    failed = true;
    console.log(`DIFFERS  ${what}: ${diffs.length} difference(s)`);
    for (const d of diffs.slice(0, MAX_PATHS)) console.log(`  ${d}`);
    if (diffs.length > MAX_PATHS) console.log(`  ... and ${diffs.length - MAX_PATHS} more`);
  };

  // results.json, less timings and adapters (the experiments inside it included)
  const ignoreResults = (path: string, key: string) =>
    (path === '' && IGNORE_TOP.has(key)) || (/^\.experiments\[\d+\]$/.test(path) && IGNORE_EXPERIMENT.has(key));
  const d0: string[] = [];
  diff(full as Json, merged as Json, '', d0, ignoreResults);
  report(`results.json (less ${[...IGNORE_TOP].join(', ')}; experiments less ${[...IGNORE_EXPERIMENT].join(', ')})`, d0);

  for (const e of full.experiments) {
    const m = merged.experiments.find((x) => x.name === e.name);
    if (!m) {
      report(`experiment ${e.name}`, ['missing from the merged run']);
      continue;
    }
    // the verdicts, said on their own
    const vd = e.saes.flatMap((s, i) => (m.saes[i]?.verdict === s.verdict ? [] : [`SAE ${i}: ${s.verdict} vs ${m.saes[i]?.verdict}`]));
    if (m.saes.length !== e.saes.length) vd.unshift(`${e.saes.length} vs ${m.saes.length} SAEs`);
    const counts = (xs: { verdict: string }[]) => {
      const c: Record<string, number> = {};
      for (const s of xs) c[s.verdict] = (c[s.verdict] ?? 0) + 1;
      return Object.entries(c)
        .sort()
        .map(([k, n]) => `${k} ${n}`)
        .join(', ');
    };
    report(`${e.name}: verdicts of ${e.saes.length} SAEs (${counts(e.saes)})`, vd);
    const rd: string[] = [];
    diff(
      readJson(join(fullDir, e.name, 'result.json')),
      readJson(join(mergedDir, e.name, 'result.json')),
      '',
      rd,
      (p, k) => p === '' && IGNORE_EXPERIMENT.has(k),
    );
    report(`${e.name}/result.json (less timing)`, rd);
    // the figures, drawn from the results: byte for byte
    const svgs = (d: string) => (existsSync(d) ? readdirSync(d).filter((f) => f.endsWith('.svg')) : []).sort();
    const fa = svgs(join(fullDir, e.name)),
      fb = svgs(join(mergedDir, e.name));
    const fd = [...new Set([...fa, ...fb])].flatMap((f) =>
      !fa.includes(f) || !fb.includes(f)
        ? [`${f}: only in the ${fa.includes(f) ? 'unsharded' : 'merged'} run`]
        : Buffer.compare(readFileSync(join(fullDir, e.name, f)), readFileSync(join(mergedDir, e.name, f))) === 0
          ? []
          : [`${f}: the bytes differ`],
    );
    report(`${e.name}: ${fa.length} figures (${fa.join(', ')}) byte for byte`, fd);
    for (const f of ['toy.safetensors', 'saes.safetensors']) {
      const a = new Uint8Array(readFileSync(join(fullDir, e.name, f))),
        b = new Uint8Array(readFileSync(join(mergedDir, e.name, f)));
      if (Buffer.compare(a, b) === 0) console.log(`same     ${e.name}/${f} (${a.length} bytes, sha256 ${sha(a)})`);
      else {
        failed = true;
        console.log(`DIFFERS  ${e.name}/${f}: ${a.length} vs ${b.length} bytes, sha256 ${sha(a)} vs ${sha(b)}`);
        for (const l of tensorDiff(a, b, `${e.name}/${f}`)) console.log(l);
      }
    }
  }
  for (const m of merged.experiments) if (!full.experiments.some((e) => e.name === m.name)) report(`experiment ${m.name}`, ['only in the merged run']);
  console.log(
    failed
      ? `FAIL: ${mergedDir} differs from ${fullDir} (above)`
      : `PASS: ${mergedDir} equals ${fullDir}: same weights, same verdicts, same results.json less timings and adapters, same figures`,
  );
  return failed ? 1 : 0;
}

process.exitCode = main();
