/** Messages abi3lint's server and client exchange beyond LSP (types only; shared by both sides). */

/** What a client may tell the server in `initialize`. */
export interface InitializationOptions {
  logLevel?: 'off' | 'error' | 'warn' | 'info' | 'debug';
  /**
   * 'notification': the client greys inactive #if regions itself from `abi3lint/inactiveRegions` (as the VS Code
   * extension does), so they are not sent as hint diagnostics too. Default: as diagnostics.
   */
  inactiveRegions?: 'diagnostics' | 'notification';
  /** Commands the client runs itself and that code actions may name ('abi3lint.setTarget': a version picker
   *  that sets abi3lint.target for the workspace; the argument is the suggested version). */
  clientCommands?: string[];
}

/** `abi3lint/inactiveRegions`: the lines of a document that are inactive at its target (end exclusive). */
export interface InactiveRegions {
  uri: string;
  version: number;
  regions: { startLine: number; endLine: number; reason: string }[];
}

/** `abi3lint/status`: the current file's target and the server's health, for the status bar item. */
export interface ServerStatus {
  uri: string;
  /** The document version this analysis was of (diagnostics are republished only when they changed). */
  version?: number;
  target: string | null;
  source: string | null;
  minimum: string | null;
  health: 'ok' | 'error';
  message?: string;
}

/**
 * Node flags the language server runs with (the VS Code client's execArgv, the `abi3lint-lsp` shebang and the
 * benchmark): a small young generation and V8's memory-saving mode keep a server editing a 16k-line file near
 * 125 MB instead of 210 MB (docs/benchmarks.md), at no measured cost in latency.
 */
export const SERVER_NODE_FLAGS = ['--max-semi-space-size=1', '--optimize-for-size'];
