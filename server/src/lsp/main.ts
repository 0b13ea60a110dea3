/**
 * Entry of the language server bundle (dist/server.js). The transport comes from the command line:
 * `--stdio` (any LSP editor, through `abi3lint-lsp --stdio`) or `--node-ipc` (VS Code).
 */
import { createConnection, ProposedFeatures, StreamMessageReader, StreamMessageWriter } from 'vscode-languageserver/node';
import { FramingChecker } from './framing';
import { startServer } from './server';

const argv = process.argv.slice(2);
if (argv.includes('--version') || argv.includes('-V')) {
  process.stdout.write('abi3lint-lsp 0.1.0\n');
  process.exit(0);
}
if (argv.includes('--help') || argv.includes('-h') || !argv.some((a) => /^--(stdio|node-ipc|socket|pipe|clientProcessId)/.test(a))) {
  process.stderr.write('Usage: abi3lint-lsp --stdio\n\nThe abi3lint language server, speaking LSP over standard input and output.\n');
  process.exit(argv.includes('--help') || argv.includes('-h') ? 0 : 2);
}
process.on('uncaughtException', (e) => {
  process.stderr.write(`abi3lint-lsp: uncaught: ${e instanceof Error ? e.stack : String(e)}\n`);
});
process.on('unhandledRejection', (e) => {
  process.stderr.write(`abi3lint-lsp: unhandled rejection: ${e instanceof Error ? e.stack : String(e)}\n`);
});
/** A broken stream is fatal: said on stderr, and the process exits so that the editor can restart it. */
function fatal(what: string): never {
  process.stderr.write(`abi3lint-lsp: ${what}; exiting\n`);
  process.exit(1);
}

if (argv.includes('--stdio')) {
  // stdio: the framing is checked before the JSON-RPC reader sees it (it would wait forever on a bad header)
  const input = process.stdin.pipe(new FramingChecker((reason) => fatal(`invalid LSP framing on stdin: ${reason}`)));
  const reader = new StreamMessageReader(input);
  reader.onError((e) => fatal(`unreadable message on stdin: ${e instanceof Error ? e.message : String(e)}`));
  startServer(createConnection(ProposedFeatures.all, reader, new StreamMessageWriter(process.stdout)));
} else {
  startServer(createConnection(ProposedFeatures.all));
}
