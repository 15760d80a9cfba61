// `npm run dev`: the Vite dev server, stopped with its launcher. Under `npm run dev` node runs below npm
// and `sh -c`; a signal to npm kills npm and sh but not the server, which would run on re-parented to
// PID 1 holding its port. This entry closes the server on SIGINT/SIGTERM/SIGHUP and when a launcher of
// its chain exits (src/cli/launcher.ts). Options: --port N, --host H (default 127.0.0.1, vite.config.ts).
import { createServer } from 'vite';
import { parseCli } from './args';
import { watchLaunchers } from './launcher';

const { values } = parseCli({ args: process.argv.slice(2), options: { port: { type: 'string' }, host: { type: 'string' } } });
if (values.port !== undefined && !(Number(values.port) > 0)) throw new Error(`--port must be a port number, got '${values.port}'`);
const server = await createServer({ server: { ...(values.host ? { host: values.host } : {}), ...(values.port ? { port: Number(values.port) } : {}) } });
await server.listen();
server.printUrls();
let closing = false;
const stop = (why: string) => {
  if (closing) return;
  closing = true;
  process.stderr.write(`\nstopping the dev server (${why})\n`);
  setTimeout(() => process.exit(0), 2000).unref();
  server.close().finally(() => process.exit(0));
};
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => stop(sig));
watchLaunchers((p) => stop(`its launcher pid ${p.pid} exited`));
