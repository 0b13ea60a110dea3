/**
 * `--jobs N`: files checked by N worker threads, handed out one at a time as each finishes, results put back in
 * the order of the input. A worker runs the CLI's own entry file, which sees
 * that it is not the main thread and serves checks (runWorker).
 */
import * as os from 'node:os';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { BuildConfig } from '../core/buildconfig';
import { checkFile, checkOrder, type CheckOptions, type CheckOutcome } from './check';

/** Below this many files per thread, starting a worker costs more than it saves. */
const FILES_PER_WORKER = 24;

export const defaultJobs = (): number => (typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length) || 1;

interface Job {
  index: number;
  file: string;
}

/** Checks every file, in `jobs` worker threads at most (none for a few files: then here); outcomes in input
 *  order. `onDone` reports progress. */
export async function checkAll(files: string[], o: CheckOptions, jobs: number, entry: string | undefined, onDone: (n: number) => void): Promise<CheckOutcome[]> {
  const out: CheckOutcome[] = new Array(files.length);
  const queue: Job[] = checkOrder(files).map((index) => ({ index, file: files[index] }));
  const threads = Math.max(1, Math.min(jobs, Math.ceil(files.length / FILES_PER_WORKER)));
  let done = 0;
  const finish = (index: number, r: CheckOutcome): void => {
    out[index] = r;
    onDone(++done);
  };
  // with workers the main thread only hands out files and collects results (measured on 2 cores: it kept the
  // workers waiting when it checked files too); a file a failed worker gave back is checked here
  const workers = threads > 1 && entry ? Array.from({ length: threads }, () => startWorker(entry, o, queue, finish)) : [];
  await Promise.all(workers);
  const cache = new Map<string, BuildConfig | null>();
  for (let job = queue.shift(); job; job = queue.shift()) finish(job.index, await checkFile(job.file, o, cache));
  return out;
}

/** Jobs a worker holds at once: the next file is already there when one is done, so a worker never waits for a
 *  main thread busy receiving another worker's results (measured: about 100 ms idle per worker with one). */
const IN_FLIGHT = 2;

/** A worker fed from the queue until it is empty; a worker that fails hands its files back to the main thread. */
function startWorker(entry: string, o: CheckOptions, queue: Job[], finish: (index: number, r: CheckOutcome) => void): Promise<void> {
  return new Promise((resolve) => {
    const w = new Worker(entry, { workerData: { abi3lintCheck: o } });
    const held = new Map<number, Job>();
    const feed = (): void => {
      while (held.size < IN_FLIGHT) {
        const job = queue.shift();
        if (!job) break;
        held.set(job.index, job);
        w.postMessage(job);
      }
      if (!held.size) void w.terminate().then(() => resolve());
    };
    w.on('message', (m: { index: number; outcome: CheckOutcome } | 'ready') => {
      if (m !== 'ready') {
        held.delete(m.index);
        finish(m.index, m.outcome);
      }
      feed();
    });
    w.on('error', () => {
      queue.unshift(...held.values()); // (the main thread checks them)
      held.clear();
      resolve();
    });
    w.on('exit', () => resolve());
  });
}

/** In a worker started by checkAll: serve checks until terminated. True when this thread is such a worker. */
export function runWorker(): boolean {
  const o = (workerData as { abi3lintCheck?: CheckOptions } | null)?.abi3lintCheck;
  if (isMainThread || !parentPort || !o) return false;
  const port = parentPort;
  const cache = new Map<string, BuildConfig | null>();
  port.on('message', (job: Job) => {
    void checkFile(job.file, o, cache)
      .catch((e: unknown): CheckOutcome => ({ result: null, fixed: 0, messages: [`abi3lint: ${job.file}: ${e instanceof Error ? e.message : String(e)}`] }))
      .then((outcome) => port.postMessage({ index: job.index, outcome }));
  });
  port.postMessage('ready');
  return true;
}
