// A compute kernel built from one WGSL file: compiled with diagnostics, bind group layouts from
// wgsl_reflect reflection (the shader is the single source of truth for its bindings), and host
// bindings checked by name, kind and size before anything is dispatched.
import { type ArrayInfo, type MemberInfo, type StructInfo, type TypeInfo, type VariableInfo, WgslReflect } from 'wgsl_reflect/wgsl_reflect.module.js';
import { BindingError, GpuValidationError, ShaderCompileError } from './errors';
import { specializeFields, unrollLoops } from './unroll';
import { expandShader, originOf, type ShaderSources } from './shaders';

export type BindingKind = 'uniform' | 'storage' | 'read-only-storage';

export interface BindingInfo {
  name: string;
  group: number;
  binding: number;
  kind: BindingKind;
  /** smallest legal size in bytes (a runtime-sized array needs at least one element) */
  minBytes: number;
  type: TypeInfo;
}

/** Invocations (one per item, 1-D or per axis), or explicit workgroup counts (e.g. one workgroup per model). */
export type Grid = { threads: number | [number, number, number] } | { groups: [number, number, number] };

export type BufferBinding = GPUBuffer | { buffer: GPUBuffer; offset?: number; size?: number };

export interface KernelOptions {
  entryPoint?: string;
  /** pipeline-overridable constants */
  constants?: Record<string, number>;
  /** a label for messages (defaults to the file name) */
  label?: string;
  /** text substituted for `{{NAME}}` placeholders before compiling (compile-time specialisation) */
  defines?: Record<string, string | number>;
}

function bindingKind(v: VariableInfo): BindingKind {
  // ResourceType: 0 uniform, 1 storage
  if (v.resourceType === 0) return 'uniform';
  if (v.resourceType === 1) return v.access === 'read' ? 'read-only-storage' : 'storage';
  throw new Error(`binding '${v.name}': only buffer bindings are supported (got resource type ${v.resourceType})`);
}

const isArrayInfo = (t: TypeInfo): t is ArrayInfo => t.isArray;
const isStructInfo = (t: TypeInfo): t is StructInfo => t.isStruct;

function minBytesOf(v: VariableInfo): number {
  const t = v.type;
  if (isArrayInfo(t) && t.count === 0) return t.stride; // runtime-sized: one element
  return v.size;
}

/** lavapipe (llvmpipe) compiles a pipeline's machine code at its first dispatch, not at creation: an indirect dispatch
 * of zero workgroups (no invocation runs; a direct one of zero draws a Dawn warning) on zeroed buffers makes the compile
 * happen here, so a kernel's creation time is its compile time and the run can say when it compiles. */
async function compileNow(
  device: GPUDevice,
  pipeline: GPUComputePipeline,
  layouts: GPUBindGroupLayout[],
  bindings: BindingInfo[],
  label: string,
): Promise<void> {
  const made: GPUBuffer[] = [];
  const buffer = (size: number, usage: number) => {
    const b = device.createBuffer({ label: `${label} compile`, size: Math.max(16, Math.ceil(size / 16) * 16), usage });
    made.push(b);
    return b;
  };
  device.pushErrorScope('validation');
  let thrown: unknown = null;
  try {
    const groups = layouts.map((layout, g) =>
      device.createBindGroup({
        layout,
        entries: bindings
          .filter((b) => b.group === g)
          .map((b) => ({
            binding: b.binding,
            resource: { buffer: buffer(b.minBytes, b.kind === 'uniform' ? GPUBufferUsage.UNIFORM : GPUBufferUsage.STORAGE) },
          })),
      }),
    );
    const zero = buffer(16, GPUBufferUsage.INDIRECT); // created zeroed: (0, 0, 0) workgroups
    const encoder = device.createCommandEncoder({ label: `${label} compile` });
    const pass = encoder.beginComputePass();
    pass.setPipeline(pipeline);
    groups.forEach((g, i) => pass.setBindGroup(i, g));
    pass.dispatchWorkgroupsIndirect(zero, 0);
    pass.end();
    device.queue.submit([encoder.finish()]);
    await device.queue.onSubmittedWorkDone();
  } catch (e) {
    thrown = e;
  }
  const err = await device.popErrorScope();
  for (const b of made) b.destroy();
  if (thrown) throw thrown;
  if (err) throw new GpuValidationError(`compiling ${label} (its first, empty dispatch)`, err.message);
}

/** The compute entry point's bindings, reflected from the shader text (wgsl_reflect; no device). */
function reflectEntry(code: string, entryName: string, label: string) {
  const reflect = new WgslReflect(code);
  const entry = reflect.entry.compute.find((f) => f.name === entryName);
  if (!entry) {
    throw new Error(`kernel ${label}: no @compute entry point '${entryName}' (found: ${reflect.entry.compute.map((f) => f.name).join(', ') || 'none'})`);
  }
  const bindings: BindingInfo[] = entry.resources.map((v) => ({
    name: v.name,
    group: v.group,
    binding: v.binding,
    kind: bindingKind(v),
    minBytes: minBytesOf(v),
    type: v.type,
  }));
  return { entry, bindings };
}

/**
 * A shader's bindings and how to pack its structs, reflected without compiling it: a job that only packs a
 * kernel's Config and Hyper (the fused path's trainers, the CPU-shaped evaluation) need not pay for a pipeline
 * (a modular kernel took 12-50 s to compile on lavapipe for nothing but its struct layout).
 */
export class ShaderLayout {
  constructor(
    readonly name: string,
    readonly bindings: BindingInfo[],
  ) {}

  static reflect(file: string, sources: ShaderSources, opts: KernelOptions = {}): ShaderLayout {
    const label = opts.label ?? file;
    const { code } = expandShader(file, sources, opts.defines, label);
    return new ShaderLayout(label, reflectEntry(code, opts.entryPoint ?? 'main', label).bindings);
  }

  binding(name: string): BindingInfo {
    const b = this.bindings.find((x) => x.name === name);
    if (!b) throw new BindingError(this.name, name, `is not declared by the shader (declared: ${this.bindings.map((x) => x.name).join(', ')})`);
    return b;
  }

  /** Members of a struct-typed binding, with offsets as the shader lays them out. */
  structMembers(name: string): MemberInfo[] {
    const b = this.binding(name);
    const members = isStructInfo(b.type) ? b.type.members : null;
    if (!members) throw new BindingError(this.name, name, 'is not a struct');
    return members;
  }

  /** Pack a uniform struct from named scalar values using the reflected member offsets and types. */
  packStruct(name: string, values: Record<string, number>): ArrayBuffer {
    const b = this.binding(name);
    const buf = new ArrayBuffer(Math.ceil(b.minBytes / 16) * 16);
    packMembers(this.name, name, this.structMembers(name), values, new DataView(buf), 0);
    return buf;
  }

  /** Pack an array-of-struct binding (e.g. the per-model Hyper table) from one object per element. */
  packArray(name: string, rows: readonly object[]): ArrayBuffer {
    const b = this.binding(name);
    const t = b.type;
    if (!isArrayInfo(t) || !isStructInfo(t.format)) throw new BindingError(this.name, name, 'is not an array of structs');
    const members = t.format.members;
    const buf = new ArrayBuffer(Math.max(16, rows.length * t.stride));
    const view = new DataView(buf);
    rows.forEach((r, i) => packMembers(this.name, `${name}[${i}]`, members, r as Record<string, number>, view, i * t.stride));
    return buf;
  }
}

export class Kernel extends ShaderLayout {
  private constructor(
    name: string,
    readonly device: GPUDevice,
    readonly pipeline: GPUComputePipeline,
    bindings: BindingInfo[],
    readonly layouts: GPUBindGroupLayout[],
    readonly workgroupSize: [number, number, number],
    readonly source: string,
  ) {
    super(name, bindings);
  }

  static async create(device: GPUDevice, file: string, sources: ShaderSources, opts: KernelOptions = {}): Promise<Kernel> {
    const label = opts.label ?? file;
    const { resolved, code: plain } = expandShader(file, sources, opts.defines, label);
    let code = plain;
    // CPU-shaped kernels: uniform fields fixed for a job baked in as literals (SPECIALIZE = "flags=6 topk=0"),
    // so the compiler drops the branches of other variants, then constant-bound loops unrolled (src/gpu/unroll.ts)
    if (opts.defines?.SPECIALIZE) code = specializeFields(code, String(opts.defines.SPECIALIZE));
    if (opts.defines?.UNROLL) code = unrollLoops(code);

    const compile = async (text: string) => {
      device.pushErrorScope('validation');
      const module = device.createShaderModule({ code: text, label });
      const info = await module.getCompilationInfo();
      return { module, errors: info.messages.filter((m) => m.type === 'error'), scopeErr: await device.popErrorScope() };
    };
    let { module, errors, scopeErr } = await compile(code);
    if (errors.length > 0 && code !== plain) {
      // messages name lines of the unrolled text: the plain source gives them file and line (or the unroller is at fault)
      const again = await compile(plain);
      if (again.errors.length === 0) throw new Error(`kernel ${label}: the unrolled source does not compile (src/gpu/unroll.ts): ${errors[0].message}`);
      ({ module, errors, scopeErr } = again);
    }
    if (errors.length > 0) {
      const fmt = (m: GPUCompilationMessage) => {
        const o = originOf(resolved, m.lineNum);
        return { o, text: `${o.file}:${o.line}:${m.linePos}: ${m.message}` };
      };
      const first = fmt(errors[0]);
      throw new ShaderCompileError(
        first.o.file,
        first.o.line,
        errors[0].linePos,
        errors[0].message,
        errors.map((m) => fmt(m).text),
      );
    }
    if (scopeErr) throw new GpuValidationError(`compiling ${label}`, scopeErr.message);

    const entryName = opts.entryPoint ?? 'main';
    const { entry, bindings } = reflectEntry(code, entryName, label);
    const groupCount = bindings.reduce((n, b) => Math.max(n, b.group + 1), 0);
    const layouts: GPUBindGroupLayout[] = [];
    for (let g = 0; g < groupCount; g++) {
      layouts.push(
        device.createBindGroupLayout({
          label: `${label} group ${g}`,
          entries: bindings
            .filter((b) => b.group === g)
            .map((b) => ({
              binding: b.binding,
              visibility: GPUShaderStage.COMPUTE,
              buffer: { type: b.kind },
            })),
        }),
      );
    }
    device.pushErrorScope('validation');
    const pipeline = await device
      .createComputePipelineAsync({
        label,
        layout: device.createPipelineLayout({ bindGroupLayouts: layouts }),
        compute: { module, entryPoint: entryName, constants: opts.constants },
      })
      .catch((e: unknown) => {
        throw new GpuValidationError(`creating pipeline ${label}`, String((e as Error).message ?? e));
      });
    const pipeErr = await device.popErrorScope();
    if (pipeErr) throw new GpuValidationError(`creating pipeline ${label}`, pipeErr.message);
    await compileNow(device, pipeline, layouts, bindings, label);
    const wg = entry.workgroupSize ?? [1, 1, 1];
    return new Kernel(label, device, pipeline, bindings, layouts, [wg[0] ?? 1, wg[1] ?? 1, wg[2] ?? 1], code);
  }

  /**
   * Build bind groups from named buffers. Checks, before anything is dispatched: every shader
   * binding is given, no unknown name is given, each buffer has the usage its kind needs, and each
   * is at least as large as the shader's type (and as `needBytes[name]`, what the dispatch will touch).
   */
  bind(resources: Record<string, BufferBinding>, needBytes: Record<string, number> = {}): GPUBindGroup[] {
    for (const name of Object.keys(resources)) this.binding(name);
    for (const name of Object.keys(needBytes)) this.binding(name);
    const groups: GPUBindGroupEntry[][] = this.layouts.map(() => []);
    for (const b of this.bindings) {
      const r = resources[b.name];
      const where = `(group ${b.group}, binding ${b.binding}, ${b.kind})`;
      if (r === undefined) throw new BindingError(this.name, b.name, `${where} was not provided`);
      const buffer = 'buffer' in r ? r.buffer : r;
      const offset = 'buffer' in r ? (r.offset ?? 0) : 0;
      const size = 'buffer' in r && r.size !== undefined ? r.size : buffer.size - offset;
      const needUsage = b.kind === 'uniform' ? GPUBufferUsage.UNIFORM : GPUBufferUsage.STORAGE;
      if ((buffer.usage & needUsage) === 0) {
        throw new BindingError(
          this.name,
          b.name,
          `${where} needs a buffer with ${b.kind === 'uniform' ? 'UNIFORM' : 'STORAGE'} usage (buffer '${buffer.label}' lacks it)`,
        );
      }
      const need = Math.max(b.minBytes, needBytes[b.name] ?? 0);
      if (size < need) {
        throw new BindingError(this.name, b.name, `${where} is too small: ${size} bytes bound, ${need} needed`);
      }
      groups[b.group].push({ binding: b.binding, resource: { buffer, offset, size } });
    }
    return groups.map((entries, g) => this.device.createBindGroup({ label: `${this.name} group ${g}`, layout: this.layouts[g], entries }));
  }

  /** Bind the shader's declared bindings by name from a pool of named buffers (extra names ignored). */
  bindPool(pool: Record<string, BufferBinding>, needBytes: Record<string, number> = {}): GPUBindGroup[] {
    const picked: Record<string, BufferBinding> = {};
    for (const b of this.bindings) {
      if (pool[b.name] === undefined)
        throw new BindingError(
          this.name,
          b.name,
          `(group ${b.group}, binding ${b.binding}, ${b.kind}) was not provided: no buffer of that name in the pool (${Object.keys(pool).join(', ')})`,
        );
      picked[b.name] = pool[b.name];
    }
    const need: Record<string, number> = {};
    for (const [k, v] of Object.entries(needBytes)) if (picked[k] !== undefined) need[k] = v;
    return this.bind(picked, need);
  }

  /** Workgroups for a 1-D dispatch of `threads` invocations, from the reflected workgroup size. */
  groupsFor(threads: number): number {
    const [x, y, z] = this.workgroupSize;
    return Math.ceil(threads / (x * y * z));
  }

  /** Workgroup counts of a grid: invocations (1-D or per axis) divided by the reflected workgroup size, or explicit counts. */
  grid(g: Grid): [number, number, number] {
    if ('groups' in g) return g.groups;
    if (typeof g.threads === 'number') return [this.groupsFor(g.threads), 1, 1];
    const [x, y, z] = g.threads,
      [wx, wy, wz] = this.workgroupSize;
    return [Math.ceil(x / wx), Math.ceil(y / wy), Math.ceil(z / wz)];
  }

  dispatch(pass: GPUComputePassEncoder, groups: GPUBindGroup[], x: number, y = 1, z = 1): void {
    const max = this.device.limits.maxComputeWorkgroupsPerDimension;
    for (const [axis, n] of [
      ['x', x],
      ['y', y],
      ['z', z],
    ] as const) {
      if (!Number.isInteger(n) || n < 0 || n > max) {
        throw new Error(`kernel ${this.name}: ${n} workgroups along ${axis} (limit ${max})`);
      }
    }
    if (x * y * z === 0) return;
    pass.setPipeline(this.pipeline);
    groups.forEach((g, i) => pass.setBindGroup(i, g));
    pass.dispatchWorkgroups(x, y, z);
  }
}

/**
 * `npm run bench:ab` only: another checkout's structs may lack members this checkout added (Config's p-annealing
 * fields); with this set, values for members a struct lacks are left out instead of failing.
 */
let lenientPacking = false;
export function setLenientPacking(on: boolean): void {
  lenientPacking = on;
}

function packMembers(kernel: string, name: string, members: MemberInfo[], values: Record<string, number>, view: DataView, base: number): void {
  for (const k of Object.keys(values)) {
    if (!members.some((m) => m.name === k)) {
      if (lenientPacking) continue;
      throw new BindingError(kernel, name, `has no member '${k}'`);
    }
  }
  for (const m of members) {
    const v = values[m.name];
    if (v === undefined) throw new BindingError(kernel, name, `member '${m.name}' was not given a value`);
    const t = m.type.name;
    const at = base + m.offset;
    if (t === 'u32') {
      if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new BindingError(kernel, `${name}.${m.name}`, `must be a u32, got ${v}`);
      view.setUint32(at, v, true);
    } else if (t === 'i32') {
      if (!Number.isInteger(v)) throw new BindingError(kernel, `${name}.${m.name}`, `must be an i32, got ${v}`);
      view.setInt32(at, v, true);
    } else if (t === 'f32') view.setFloat32(at, v, true);
    else throw new BindingError(kernel, `${name}.${m.name}`, `has type ${t}; only u32/i32/f32 members can be packed`);
  }
}
