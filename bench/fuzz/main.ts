// `npm run fuzz`: one bundle is both the runner (main thread) and its workers (worker threads).
import { isMainThread, workerData } from 'node:worker_threads';
import type { WorkerJob } from './protocol';
import { runFuzzCli } from './runner';
import { runJob } from './worker';

if (isMainThread) {
  runFuzzCli(__filename, process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (e: unknown) => {
      process.stderr.write(`fuzz: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 2;
    },
  );
} else {
  void runJob(workerData as WorkerJob);
}
