// `npm start`: the kit's main job. For now: the GPU-vs-reference checks on both runtimes.
import { runAllChecks } from './checks';

runAllChecks().then((ok) => process.exit(ok ? 0 : 1), (e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
