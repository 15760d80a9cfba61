// Errors the kit raises on the GPU path. Each names what went wrong so a researcher can act on it.

export class WebGPUUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebGPUUnavailableError';
  }
}

export class ShaderCompileError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    readonly compilerMessage: string,
    readonly allMessages: string[],
  ) {
    super(`WGSL compile error in ${file}:${line}:${column}: ${compilerMessage}` + (allMessages.length > 1 ? `\n${allMessages.join('\n')}` : ''));
    this.name = 'ShaderCompileError';
  }
}

export class BindingError extends Error {
  constructor(
    readonly kernel: string,
    readonly binding: string,
    detail: string,
  ) {
    super(`kernel ${kernel}: binding '${binding}' ${detail}`);
    this.name = 'BindingError';
  }
}

export class GpuValidationError extends Error {
  constructor(
    readonly where: string,
    message: string,
  ) {
    super(`WebGPU validation error during ${where}: ${message}`);
    this.name = 'GpuValidationError';
  }
}

export class DeviceLostError extends Error {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(`WebGPU device lost (${reason}): ${message || 'no message'}`);
    this.name = 'DeviceLostError';
  }
}
