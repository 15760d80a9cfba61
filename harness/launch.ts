// Headless Chromium harness: serve the kit's pages from an in-process Vite server on 127.0.0.1
// (WebGPU needs a secure context), launch Debian's Chromium through puppeteer-core with the flags
// that give WebGPU on SwiftShader, and run code in the page. Always closes browser and server.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { createServer, type ViteDevServer } from 'vite';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CANDIDATES = ['/usr/lib/chromium/chromium', '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

export function findChromium(): string {
  const env = process.env.PUPPETEER_EXECUTABLE_PATH || process.env.CHROMIUM_PATH;
  if (env) {
    if (!existsSync(env)) throw new Error(`Chromium not found at PUPPETEER_EXECUTABLE_PATH=${env}`);
    return env;
  }
  const found = CANDIDATES.find(existsSync);
  if (!found) {
    throw new Error(
      "No Chromium found for the headless harness. Install Debian's: `apt-get install -y chromium` (puppeteer cannot download a browser here), or set PUPPETEER_EXECUTABLE_PATH.",
    );
  }
  return found;
}

export interface HarnessOptions {
  /** launch without --enable-unsafe-webgpu (to test the no-WebGPU path) */
  webgpu?: boolean;
  /** page path under the served root */
  page?: string;
  /** forward page console messages to this function */
  onConsole?: (text: string) => void;
}

export interface Harness {
  browser: Browser;
  page: Page;
  url: string;
  close(): Promise<void>;
  /** SIGKILL Chromium's whole process group (puppeteer starts it detached): for signals, where close() may wait on a busy page */
  kill(): void;
}

let shared: Promise<ViteDevServer> | null = null;
async function server(): Promise<ViteDevServer> {
  shared ??= createServer({
    root: ROOT,
    configFile: join(ROOT, 'vite.config.ts'),
    logLevel: 'error',
    server: { host: '127.0.0.1', port: 0, hmr: false, watch: null },
  }).then((s) => s.listen());
  return shared;
}

export async function closeServer(): Promise<void> {
  if (shared) {
    const s = await shared;
    shared = null;
    await s.close();
  }
}

export async function openHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const srv = await server();
  const addr = srv.httpServer?.address();
  if (!addr || typeof addr === 'string') throw new Error('harness: Vite server has no TCP address');
  const url = `http://127.0.0.1:${addr.port}/${opts.page ?? 'harness/index.html'}`;
  const userDataDir = mkdtempSync(join(tmpdir(), 'sae-kit-chromium-'));
  const args = [
    '--headless=new',
    '--no-sandbox',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--disable-dev-shm-usage',
    `--user-data-dir=${userDataDir}`,
  ];
  if (opts.webgpu !== false) args.push('--enable-unsafe-webgpu', '--enable-features=Vulkan');
  const browser = await puppeteer.launch({ executablePath: findChromium(), args, headless: true, protocolTimeout: 600_000 });
  const kill = () => {
    const proc = browser.process(),
      pid = proc?.pid;
    if (pid && proc.exitCode === null && proc.signalCode === null) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
    rmSync(userDataDir, { recursive: true, force: true });
  };
  const close = async () => {
    // a page stuck in a long evaluate can keep close() waiting: give it 5 s, then kill the process group
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      browser.close().catch(() => undefined),
      new Promise((r) => {
        timer = setTimeout(r, 5000);
      }),
    ]);
    clearTimeout(timer);
    kill();
  };
  try {
    const page = await browser.newPage();
    page.setDefaultTimeout(600_000);
    if (opts.onConsole) page.on('console', (m) => opts.onConsole!(m.text()));
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String((e as Error).message ?? e)));
    await page.goto(url, { waitUntil: 'load' });
    if ((opts.page ?? 'harness/index.html') === 'harness/index.html') {
      await page.waitForFunction('window.kitReady === true || window.kitError', { timeout: 60_000 }).catch(() => {
        throw new Error(`harness page did not become ready at ${url}${errors.length ? `: ${errors.join('; ')}` : ''}`);
      });
    }
    return { browser, page, url, close, kill };
  } catch (e) {
    await close();
    throw e;
  }
}

/** Open the harness, run fn with the page, always clean up. */
export async function withHarness<T>(fn: (h: Harness) => Promise<T>, opts: HarnessOptions = {}): Promise<T> {
  const h = await openHarness(opts);
  try {
    return await fn(h);
  } finally {
    await h.close();
  }
}
