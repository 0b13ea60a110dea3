/** Process entry of the CLI: exit codes, and no stack traces for the user. */
import { main } from './main';

main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() })
  .then((code) => {
    process.exitCode = code;
  })
  .catch((e: unknown) => {
    process.stderr.write(`abi3lint: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
    if (process.env.ABI3LINT_DEBUG) process.stderr.write(`${e instanceof Error ? e.stack : ''}\n`);
    process.exitCode = 2;
  });
