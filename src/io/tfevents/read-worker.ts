// A worker thread of a first read (read-threads.ts): reads whole runs and transfers them back.
import { parentPort, workerData } from 'node:worker_threads';
import { LogdirWatcher } from './logdir';
import { transferables, type ThreadReadRequest } from './read-threads';

const request = workerData as ThreadReadRequest;
const port = parentPort!;
const watcher = new LogdirWatcher(request.root, { ...request.options, threads: 0, useFsWatch: false, blockingReads: true });
void watcher
  .readForThread(request.runs, request.claim, (piece) => port.postMessage({ kind: 'run', piece }, transferables(piece)))
  .then(() => port.postMessage({ kind: 'done' }));
