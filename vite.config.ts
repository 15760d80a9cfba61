import { defineConfig } from 'vitest/config';

// One config for the app, the harness pages and the tests.
// (wgsl_reflect is imported as 'wgsl_reflect/wgsl_reflect.module.js' in the code: its package entry
// breaks under ESM, and the explicit path works in Node, tsx, Vitest and Vite alike.)

export default defineConfig({
  // relative asset paths: the built site works from any static host and any sub-path
  base: './',
  build: { chunkSizeWarningLimit: 1500 },
  server: { host: '127.0.0.1', strictPort: false },
  preview: { host: '127.0.0.1' },
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // GPU tests share one software adapter; running files in parallel only thrashes 2 cores.
    fileParallelism: false,
    // every GPU test on one adapter, SwiftShader (Chromium's, the browser tests' too); test/lavapipe.test.ts
    // runs the CPU-shaped kernels on the project's lavapipe (scripts/setup.sh) on its own
    env: { SAE_KIT_NO_LAVAPIPE: '1' },
    reporters: ['default'],
  },
});
