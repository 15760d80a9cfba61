// Shader sources and the tiny include mechanism (WGSL has no #include).
// A line `//#include "lib/x.wgsl"` is replaced by that file (once per kernel); a line map
// keeps every output line's origin so compiler messages name the real file and line. An include path may
// name a define, `//#include "variants/{{SAE_VARIANT}}.wgsl"`: the file is chosen at compile time
// (one WGSL file per SAE variant, src/variants/).

export type ShaderSources = Readonly<Record<string, string>>;

export interface ResolvedShader {
  file: string;
  code: string;
  /** origin[i] = file and 1-based line of output line i+1 */
  origin: { file: string; line: number }[];
}

/** One sources map from (key, text) pairs; two files with one key (one below shaders/, one below src/) are an error. */
export function shaderKeys(entries: [string, string][]): ShaderSources {
  const out: Record<string, string> = {};
  for (const [k, v] of entries) {
    if (k in out) throw new Error(`two shader files named ${k} (below shaders/ and below src/)`);
    out[k] = v;
  }
  return out;
}

const INCLUDE = /^\s*\/\/#include\s+"([^"]+)"\s*$/;

export function resolveShader(file: string, sources: ShaderSources, defines: Readonly<Record<string, string | number>> = {}): ResolvedShader {
  const lines: string[] = [];
  const origin: { file: string; line: number }[] = [];
  const seen = new Set<string>();
  const visit = (name: string, from: string[]) => {
    const src = sources[name];
    if (src === undefined) {
      const via = from.length ? ` (included from ${from[from.length - 1]})` : '';
      throw new Error(`shader file not found: ${name}${via}; known: ${Object.keys(sources).sort().join(', ')}`);
    }
    seen.add(name);
    src.split('\n').forEach((text, i) => {
      const m = INCLUDE.exec(text);
      if (m) {
        const path = m[1].replace(/\{\{(\w+)\}\}/g, (_, d: string) => {
          if (defines[d] === undefined) throw new Error(`shader ${name} includes "${m[1]}": the define ${d} has no value`);
          return String(defines[d]);
        });
        if ([...from, name].includes(path)) throw new Error(`shader include cycle: ${[...from, name, path].join(' -> ')}`);
        if (!seen.has(path)) visit(path, [...from, name]);
        return;
      }
      lines.push(text);
      origin.push({ file: name, line: i + 1 });
    });
  };
  visit(file, []);
  return { file, code: lines.join('\n'), origin };
}

/**
 * The text a kernel compiles: `file` with its includes resolved and every {{NAME}} placeholder replaced by
 * its define (a placeholder without a value is an error naming it). Kernel.create compiles this; the fit
 * rules reflect it (src/gpu/shader-facts.ts) before anything is compiled.
 */
export function expandShader(
  file: string,
  sources: ShaderSources,
  defines: Readonly<Record<string, string | number>> = {},
  label = file,
): { resolved: ResolvedShader; code: string } {
  const resolved = resolveShader(file, sources, defines);
  let code = resolved.code;
  for (const [k, v] of Object.entries(defines)) code = code.split(`{{${k}}}`).join(String(v));
  const missing = /\{\{(\w+)\}\}/.exec(code);
  if (missing) throw new Error(`kernel ${label}: placeholder {{${missing[1]}}} has no value in options.defines`);
  return { resolved, code };
}

/** Map a 1-based line of resolved code back to its source file and line. */
export function originOf(shader: ResolvedShader, line: number): { file: string; line: number } {
  return shader.origin[line - 1] ?? { file: shader.file, line };
}

/** The header comment block a shader file opens with (its documented math, bindings, dispatch). */
export function shaderHeader(source: string): string {
  const out: string[] = [];
  for (const l of source.split('\n')) {
    if (!l.startsWith('//')) break;
    if (l.startsWith('//#include')) continue;
    out.push(l.replace(/^\/\/ ?/, ''));
  }
  return out.join('\n');
}
