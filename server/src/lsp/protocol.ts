/** Messages abi3lint's server and client exchange beyond LSP (types only; shared by both sides). */

/** `abi3lint/status`: the current file's target and the server's health, for the status bar item. */
export interface ServerStatus {
  uri: string;
  target: string | null;
  source: string | null;
  minimum: string | null;
  health: 'ok' | 'error';
  message?: string;
}
