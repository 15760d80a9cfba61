// GpuContext: one device plus everything the kit does with it — kernels (cached), buffers,
// batched submission and readback — with every WebGPU error turned into a thrown, named error.
import { DeviceLostError, GpuValidationError } from './errors';
import { Kernel, type KernelOptions, ShaderLayout } from './kernel';
import type { ShaderSources } from './shaders';

export interface AdapterReport {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  isFallbackAdapter: boolean;
  features: string[];
  limits: Record<string, number>;
  /** where the device came from: 'browser' or 'node' */
  runtime: string;
}

/** A fallback or software adapter (SwiftShader, llvmpipe/lavapipe: the CPU): shaped kernels and budgets differ there. */
export function isSoftwareAdapter(a: Pick<AdapterReport, 'isFallbackAdapter' | 'vendor' | 'architecture' | 'description'> | null | undefined): boolean {
  if (!a) return true;
  return a.isFallbackAdapter || /swiftshader|llvmpipe|lavapipe|software/i.test(`${a.vendor} ${a.architecture} ${a.description}`);
}

export interface CompileRecord {
  label: string;
  start: number;
  seconds: number;
}

/** A kernel compile starting (done false) or ending (done true; seconds -1 when it failed). */
export interface CompileEvent {
  id: number;
  label: string;
  done: boolean;
  seconds: number;
}

export type TypedArray = Float32Array | Uint32Array | Int32Array;

export class GpuContext {
  private lostError: DeviceLostError | null = null;
  private uncaptured: GpuValidationError[] = [];
  private kernels = new Map<string, Promise<Kernel>>();
  private layouts = new Map<string, ShaderLayout>();
  private compileCount = 0;
  /** every kernel this context compiled (a cached kernel compiles nothing): its label, start (s, performance.now()) and
   * seconds, pipeline creation included */
  readonly compiles: CompileRecord[] = [];
  /** told when a compile starts and when it ends: a run says when it compiles (a cold lavapipe compile takes up to a minute) */
  compileListener: ((e: CompileEvent) => void) | null = null;
  private destroyed = false;
  /** rejects when the device is lost: every wait on the GPU races it, so a lost device never hangs a run */
  private readonly lostSignal: Promise<never>;

  constructor(
    readonly device: GPUDevice,
    readonly adapter: AdapterReport,
    public sources: ShaderSources,
  ) {
    this.lostSignal = device.lost.then((info) => {
      const e = new DeviceLostError(info.reason, info.message);
      if (!this.destroyed) this.lostError = e;
      throw e;
    });
    this.lostSignal.catch(() => undefined);
    device.addEventListener('uncapturederror', (ev) => {
      this.uncaptured.push(new GpuValidationError('an unscoped GPU call', (ev as GPUUncapturedErrorEvent).error.message));
    });
  }

  /** Throws if the device was lost or an uncaptured error happened since the last check. */
  checkHealthy(): void {
    if (this.lostError) throw this.lostError;
    const e = this.uncaptured.shift();
    if (e) {
      this.uncaptured.length = 0;
      throw e;
    }
  }

  /** `p`, or a DeviceLostError as soon as the device is lost (whichever comes first). */
  guard<T>(p: Promise<T>): Promise<T> {
    return Promise.race([p, this.lostSignal]);
  }

  /** What the kernel fit rules read (src/kernels/sae_steps FitTarget): the device's limits and features and the shader sources. */
  get caps(): { limits: GPUSupportedLimits; features: GPUSupportedFeatures; sources: ShaderSources } {
    return { limits: this.device.limits, features: this.device.features, sources: this.sources };
  }

  get hasTimestamps(): boolean {
    return this.device.features.has('timestamp-query');
  }

  /** Replace the shader sources (e.g. after an edit, via Vite HMR) and drop every cached kernel. */
  setSources(sources: ShaderSources): void {
    this.sources = sources;
    this.kernels.clear();
    this.layouts.clear();
  }

  /** A shader's bindings and struct packing without compiling it (ShaderLayout), cached like kernels. */
  layout(file: string, opts: KernelOptions = {}): ShaderLayout {
    const key = JSON.stringify([file, opts]);
    let l = this.layouts.get(key);
    if (!l) {
      l = ShaderLayout.reflect(file, this.sources, opts);
      this.layouts.set(key, l);
    }
    return l;
  }

  kernel(file: string, opts: KernelOptions = {}): Promise<Kernel> {
    const key = JSON.stringify([file, opts]);
    let k = this.kernels.get(key);
    if (!k) {
      const id = ++this.compileCount;
      const label = opts.label ?? file;
      const t0 = performance.now();
      this.compileListener?.({ id, label, done: false, seconds: 0 });
      k = Kernel.create(this.device, file, this.sources, opts);
      k.then(
        () => {
          const seconds = (performance.now() - t0) / 1000;
          this.compiles.push({ label, start: t0 / 1000, seconds });
          this.compileListener?.({ id, label, done: true, seconds });
        },
        () => {
          this.kernels.delete(key);
          this.compileListener?.({ id, label, done: true, seconds: -1 });
        },
      );
      this.kernels.set(key, k);
    }
    return k;
  }

  createBuffer(label: string, size: number, usage: number = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST): GPUBuffer {
    const bytes = Math.max(16, Math.ceil(size / 16) * 16);
    const max = this.device.limits.maxBufferSize;
    if (bytes > max) throw new Error(`buffer '${label}' needs ${bytes} bytes; the adapter allows at most ${max}`);
    return this.device.createBuffer({ label, size: bytes, usage });
  }

  /** A storage buffer initialised with data. */
  upload(label: string, data: TypedArray | ArrayBuffer, usage?: number): GPUBuffer {
    const bytes = data instanceof ArrayBuffer ? data.byteLength : data.byteLength;
    const buf = this.createBuffer(label, bytes, usage);
    this.device.queue.writeBuffer(buf, 0, data instanceof ArrayBuffer ? data : data.buffer, data instanceof ArrayBuffer ? 0 : data.byteOffset, bytes);
    return buf;
  }

  uniform(label: string, data: ArrayBuffer): GPUBuffer {
    return this.upload(label, data, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST);
  }

  write(buffer: GPUBuffer, data: TypedArray | ArrayBuffer, offset = 0): void {
    if (data instanceof ArrayBuffer) this.device.queue.writeBuffer(buffer, offset, data);
    else this.device.queue.writeBuffer(buffer, offset, data.buffer, data.byteOffset, data.byteLength);
  }

  /**
   * Record many dispatches into one command encoder (one compute pass) and submit once.
   * Validation errors raised while recording or submitting become a GpuValidationError naming `where`.
   */
  async run(where: string, record: (pass: GPUComputePassEncoder, encoder: GPUCommandEncoder) => void): Promise<void> {
    this.checkHealthy();
    this.device.pushErrorScope('validation');
    this.device.pushErrorScope('out-of-memory');
    const encoder = this.device.createCommandEncoder({ label: where });
    const pass = encoder.beginComputePass({ label: where });
    let thrown: unknown = null;
    try {
      record(pass, encoder);
    } catch (e) {
      thrown = e;
    }
    pass.end();
    if (!thrown) this.device.queue.submit([encoder.finish()]);
    const oom = await this.guard(this.device.popErrorScope());
    const val = await this.guard(this.device.popErrorScope());
    if (thrown) throw thrown;
    if (oom) throw new GpuValidationError(where, `out of memory: ${oom.message}`);
    if (val) throw new GpuValidationError(where, val.message);
    this.checkHealthy();
  }

  /** Wait for all submitted work. */
  async finish(): Promise<void> {
    await this.guard(this.device.queue.onSubmittedWorkDone());
    this.checkHealthy();
  }

  /** Copy buffers back to the host in one submit. Byte lengths default to each buffer's size. */
  async readback(buffers: GPUBuffer[], bytes?: number[]): Promise<ArrayBuffer[]> {
    this.checkHealthy();
    this.device.pushErrorScope('validation');
    const encoder = this.device.createCommandEncoder({ label: 'readback' });
    const staging = buffers.map((b, i) => {
      const n = Math.ceil((bytes?.[i] ?? b.size) / 4) * 4;
      const s = this.device.createBuffer({ label: `readback ${b.label}`, size: n, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
      encoder.copyBufferToBuffer(b, 0, s, 0, n);
      return s;
    });
    this.device.queue.submit([encoder.finish()]);
    const err = await this.guard(this.device.popErrorScope());
    if (err) {
      staging.forEach((s) => s.destroy());
      throw new GpuValidationError(`reading back ${buffers.map((b) => b.label).join(', ')}`, err.message);
    }
    const out = await Promise.all(
      staging.map(async (s) => {
        await this.guard(s.mapAsync(GPUMapMode.READ));
        const copy = s.getMappedRange().slice(0);
        s.unmap();
        s.destroy();
        return copy;
      }),
    );
    this.checkHealthy();
    return out;
  }

  async readF32(buffer: GPUBuffer, length?: number): Promise<Float32Array> {
    const [b] = await this.readback([buffer], length === undefined ? undefined : [length * 4]);
    return new Float32Array(b, 0, length ?? b.byteLength / 4);
  }

  async readU32(buffer: GPUBuffer, length?: number): Promise<Uint32Array> {
    const [b] = await this.readback([buffer], length === undefined ? undefined : [length * 4]);
    return new Uint32Array(b, 0, length ?? b.byteLength / 4);
  }

  destroy(): void {
    this.destroyed = true;
    this.device.destroy();
  }
}
