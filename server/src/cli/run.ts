/** Process entry of the CLI: exit codes, and no stack traces for the user. */
import { main } from './main';
import { runWorker } from './parallel';

// (a worker thread of --jobs runs this same file: it serves checks instead)
if (!runWorker()) {
  // (workers start from the program the user ran, bin/abi3lint.js, which loads the bundle with its code cache)
  main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd(), entry: require.main?.filename ?? __filename })
    .then((code) => {
      process.exitCode = code;
    })
    .catch((e: unknown) => {
      process.stderr.write(`abi3lint: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
      if (process.env.ABI3LINT_DEBUG) process.stderr.write(`${e instanceof Error ? e.stack : ''}\n`);
      process.exitCode = 2;
    });
}
