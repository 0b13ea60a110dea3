/**
 * `--jobs N`: files checked by N worker threads, handed out one at a time as each finishes, results put back in
 * the order of the input. A worker runs the CLI's own entry file, which sees
 * that it is not the main thread and serves checks (runWorker).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { BuildConfig } from '../core/buildconfig';
import { loadCatalog } from '../core/catalog';
import { initParser } from '../core/parser';
import { checkFile, checkOrder, type CheckOptions, type CheckOutcome } from './check';

/** Below this many files per thread, starting a worker costs more than it saves. */
const FILES_PER_WORKER = 24;

/**
 * `--jobs auto`: a thread for each this many bytes of C files. A worker thread costs about a quarter of a second
 * of CPU to start (Node's thread, the bundle, the data, the parser) and runs cold at first, and on two cores it
 * shares them with both threads' garbage collection and compilation. Measured on 2 cores (docs/benchmarks.md):
 * 400 generated files (6 MB) and psutil four and eight times over (4 and 8 MB) finish no sooner with a worker
 * than without; 1,600 generated files (25 MB) in 0.78x the time.
 */
const AUTO_BYTES_PER_THREAD = 16 * 1024 * 1024;

/** The threads to check these files in: at most `jobs`, a worker only for enough files (and bytes, with auto). */
export function threadsFor(files: string[], jobs: number | 'auto'): number {
  const cap = jobs === 'auto' ? defaultJobs() : jobs;
  let threads = Math.max(1, Math.min(cap, Math.ceil(files.length / FILES_PER_WORKER)));
  if (jobs === 'auto' && threads > 1) {
    let bytes = 0;
    for (const f of files) {
      try {
        bytes += fs.statSync(f).size;
      } catch {
        /* (a file that went away is told when it is checked) */
      }
    }
    threads = Math.min(threads, Math.max(1, Math.floor(bytes / AUTO_BYTES_PER_THREAD) + 1));
  }
  return threads;
}

export const defaultJobs = (): number => (typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length) || 1;

/** ABI3LINT_DEBUG_JOBS=1: when each thread starts and ends, and what it checked, on stderr. */
function debugJobs(line: string): void {
  if (process.env.ABI3LINT_DEBUG_JOBS) process.stderr.write(`abi3lint: ${line}\n`);
}

interface Job {
  index: number;
  file: string;
}

/**
 * Checks every file, in `jobs` worker threads at most (none for a few files: then here). `onDone` reports
 * progress; `onReady` is given each outcome in input order as soon as it and those before it are done (the
 * output can be written while later files are checked), and the outcome is not kept after that.
 */
export async function checkAll(files: string[], o: CheckOptions, jobs: number | 'auto', entry: string | undefined, onDone: (n: number) => void, onReady: (r: CheckOutcome) => void): Promise<void> {
  // an outcome until it is handed on (then null)
  const out: (CheckOutcome | null | undefined)[] = new Array(files.length);
  const queue: Job[] = checkOrder(files).map((index) => ({ index, file: files[index] }));
  const threads = threadsFor(files, jobs);
  let done = 0;
  let ready = 0;
  const finish = (index: number, r: CheckOutcome): void => {
    out[index] = r;
    onDone(++done);
    for (let r = out[ready]; r; r = out[++ready]) {
      out[ready] = null;
      onReady(r);
    }
  };
  // The main thread is one of the threads: it checks files too, between them letting the workers' messages in
  // (each worker holds its next file already, so it does not wait for that). A worker costs a start-up of its
  // own (the bundle, the data, the parser: about a quarter of a second of CPU), which one thread fewer saves.
  // A file a failed worker gave back is checked here.
  const early = takePrestarted();
  const wanted = threads > 1 && entry ? threads - 1 : 0;
  for (const w of early.splice(wanted)) void w.terminate();
  const workers = Array.from({ length: wanted }, (_, i) => startWorker(early[i] ?? new Worker(entry!, { workerData: { abi3lintPrestart: true } }), o, queue, finish));
  const cache = new Map<string, BuildConfig | null>();
  let mine = 0;
  debugJobs(`${files.length} files, ${wanted} workers (${early.length} started early), at ${performance.now().toFixed(0)} ms`);
  for (let job = queue.shift(); job; job = queue.shift(), mine++) {
    finish(job.index, await checkFile(job.file, o, cache));
    if (workers.length) await new Promise<void>((resolve) => setImmediate(resolve));
  }
  debugJobs(`this thread checked ${mine} files, done at ${performance.now().toFixed(0)} ms`);
  await Promise.all(workers);
  for (let job = queue.shift(); job; job = queue.shift()) finish(job.index, await checkFile(job.file, o, cache));
}

/** Jobs a worker holds at once: the next file is already there when one is done, so a worker never waits for a
 *  main thread busy receiving another worker's results (measured: about 100 ms idle per worker with one). */
const IN_FLIGHT = 2;

/** Workers bin/entry.js started before the bundle loaded (each waits for its options), taken once. */
function takePrestarted(): Worker[] {
  const key = Symbol.for('abi3lint.prestarted');
  const g = globalThis as Record<symbol, unknown>;
  const ws = Array.isArray(g[key]) ? (g[key] as Worker[]) : [];
  g[key] = [];
  return ws;
}

/** A worker fed from the queue until it is empty; a worker that fails hands its files back to the main thread. */
function startWorker(w: Worker, o: CheckOptions, queue: Job[], finish: (index: number, r: CheckOutcome) => void): Promise<void> {
  return new Promise((resolve) => {
    w.ref();
    w.postMessage({ options: o });
    const held = new Map<number, Job>();
    let checked = 0;
    const feed = (): void => {
      while (held.size < IN_FLIGHT) {
        const job = queue.shift();
        if (!job) break;
        held.set(job.index, job);
        w.postMessage(job);
      }
      if (!held.size) {
        debugJobs(`a worker checked ${checked} files, done at ${performance.now().toFixed(0)} ms`);
        void w.terminate().then(() => resolve());
      }
    };
    w.on('message', (m: { index: number; outcome: CheckOutcome } | 'ready') => {
      if (m === 'ready') debugJobs(`a worker ready at ${performance.now().toFixed(0)} ms`);
      if (m !== 'ready') {
        checked++;
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
  if (isMainThread || !parentPort || !(workerData as { abi3lintPrestart?: boolean } | null)?.abi3lintPrestart) return false;
  const port = parentPort;
  const cache = new Map<string, BuildConfig | null>();
  let o: CheckOptions | null = null;
  // the data and the parser made while the options come (a worker started early has the time: the main thread
  // is loading the same)
  void initParser().catch(() => undefined);
  try {
    loadCatalog();
  } catch {
    /* (the first check reports it) */
  }
  // the first message gives the options (the worker may have started before the main thread knew them)
  port.on('message', (m: Job | { options: CheckOptions }) => {
    if ('options' in m) {
      o = m.options;
      port.postMessage('ready');
      return;
    }
    const job = m;
    void checkFile(job.file, o!, cache)
      .catch((e: unknown): CheckOutcome => ({ result: null, fixed: 0, messages: [`abi3lint: ${job.file}: ${e instanceof Error ? e.message : String(e)}`] }))
      .then((outcome) => port.postMessage({ index: job.index, outcome }));
  });
  return true;
}
