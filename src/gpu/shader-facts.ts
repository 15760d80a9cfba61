// What the fit rules need to know of a kernel before it is compiled, read from its WGSL rather than
// re-derived in TypeScript: the workgroup memory its `var<workgroup>` declarations take (sizes from
// wgsl_reflect's type layout, array counts evaluated from the shader's own constants) and the values of
// its scalar `const`s (e.g. RV, the values a fused step reduces). The text is the one Kernel.create
// compiles (expandShader: includes resolved, defines substituted); results are cached per text.
import { WgslParser, WgslReflect } from 'wgsl_reflect/wgsl_reflect.module.js';
import { expandShader, type ShaderSources } from './shaders';

export interface ShaderFacts {
  /** bytes of workgroup memory, the sum over `vars` */
  workgroupBytes: number;
  /** each `var<workgroup>` and its size in bytes, in declaration order */
  vars: { name: string; bytes: number }[];
  /** module-scope scalar constants (u32, i32, f32, bool as 0/1) */
  consts: ReadonlyMap<string, number>;
}

// the parser's node shapes this module reads (wgsl_reflect 1.6 exports its AST classes without these fields typed)
interface Node {
  astNodeType: string;
  name: string;
  storage?: string;
  type?: unknown;
  attributes?: unknown;
  value?: { constEvaluate?(context: unknown): { data?: ArrayLike<number> } | undefined };
}

const cache = new Map<string, ShaderFacts>();

/**
 * The module-scope declarations the facts depend on (constants, aliases, structs, workgroup variables), as
 * WGSL text: parsing only these takes milliseconds where the whole fused kernel takes ~80 ms.
 */
export function moduleDeclarations(code: string): string {
  const text = code.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/[^\n]*/g, '');
  const keep: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '{') depth++;
    else if (c === '}') depth--;
    if (depth === 0 && (c === ';' || c === '}')) {
      const item = text.slice(start, i + 1).trim();
      start = i + 1;
      if (/^(const|alias|struct|override)\s/.test(item) || /^var\s*<\s*workgroup\s*>/.test(item)) keep.push(item);
    }
  }
  return keep.join('\n');
}

/** The facts of WGSL text (already expanded). */
export function factsOfCode(code: string): ShaderFacts {
  const hit = cache.get(code);
  if (hit) return hit;
  const decls = moduleDeclarations(code);
  const parser = new WgslParser();
  const ast = parser.parse(decls) as unknown as Node[];
  const reflect = new WgslReflect(decls);
  const context = (parser as unknown as { _context: unknown })._context;
  const vars: { name: string; bytes: number }[] = [];
  const consts = new Map<string, number>();
  for (const n of ast) {
    if (n.astNodeType === 'var' && n.storage === 'workgroup') {
      const info = reflect.getTypeInfo(n.type as Parameters<WgslReflect['getTypeInfo']>[0], null);
      if (!info || !(info.size > 0)) throw new Error(`shader facts: cannot size var<workgroup> ${n.name}`);
      vars.push({ name: n.name, bytes: info.size });
    } else if (n.astNodeType === 'const' && n.value?.constEvaluate) {
      let v: { data?: ArrayLike<number> } | undefined;
      try {
        v = n.value.constEvaluate(context);
      } catch {
        continue; // not a value the parser evaluates (an array, a struct): no fit rule reads those
      }
      if (v?.data && v.data.length === 1) consts.set(n.name, Number(v.data[0]));
    }
  }
  const facts = { workgroupBytes: vars.reduce((s, v) => s + v.bytes, 0), vars, consts };
  cache.set(code, facts);
  return facts;
}

/** The facts of a kernel file compiled with `defines`. */
export function shaderFacts(file: string, sources: ShaderSources, defines: Readonly<Record<string, string | number>>): ShaderFacts {
  let bySources = byJob.get(sources);
  if (!bySources) byJob.set(sources, (bySources = new Map()));
  const key = `${file} ${JSON.stringify(Object.entries(defines).sort(([a], [b]) => (a < b ? -1 : 1)))}`;
  let f = bySources.get(key);
  if (!f) bySources.set(key, (f = factsOfCode(expandShader(file, sources, defines).code)));
  return f;
}
const byJob = new WeakMap<ShaderSources, Map<string, ShaderFacts>>();
