/** A real JSON-RPC client for the language server over stdio: requests, and awaited notifications (the tests, the fuzzer and the benchmark drive the server through it). */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
/** The repository (this file compiles to out/scripts/). */
const ROOT = path.resolve(__dirname, '..', '..');

export interface PublishedDiagnostics {
  uri: string;
  version?: number;
  diagnostics: { range: { start: { line: number; character: number }; end: { line: number; character: number } }; code?: string; message: string; severity?: number; tags?: number[]; data?: unknown; codeDescription?: { href: string } }[];
}

export class LspClient {
  readonly proc: ChildProcess;
  readonly conn: MessageConnection;
  private waiters: { method: string; pred: (p: any) => boolean; resolve: (p: any) => void }[] = [];
  readonly received: { method: string; params: any }[] = [];
  settings: Record<string, unknown> = {};
  stderr = '';

  constructor(serverPath = path.join(ROOT, 'dist', 'server.js'), env: NodeJS.ProcessEnv = process.env) {
    this.proc = spawn(process.execPath, [serverPath, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'], env });
    this.proc.stderr!.on('data', (d) => (this.stderr += String(d)));
    this.conn = createMessageConnection(new StreamMessageReader(this.proc.stdout!), new StreamMessageWriter(this.proc.stdin!));
    this.conn.onNotification((method: string, params: any) => {
      this.received.push({ method, params });
      for (const w of [...this.waiters]) {
        if (w.method === method && w.pred(params)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(params);
        }
      }
    });
    this.conn.onRequest('workspace/configuration', (p: { items: { section?: string }[] }) => p.items.map(() => this.settings));
    this.conn.onRequest('client/registerCapability', () => null);
    this.conn.onRequest('window/workDoneProgress/create', () => null);
    this.conn.onRequest('window/showDocument', () => ({ success: true }));
    this.conn.onRequest('window/showMessageRequest', () => null);
    this.conn.listen();
  }

  /** Resolves with the next notification of `method` matching `pred` (also one that already arrived after `since`). */
  next<T = any>(method: string, pred: (p: T) => boolean = () => true, since = 0): Promise<T> {
    const hit = this.received.slice(since).find((r) => r.method === method && pred(r.params));
    if (hit) return Promise.resolve(hit.params);
    return new Promise((resolve, reject) => {
      const onExit = (): void => reject(new Error(`server exited while waiting for ${method}; stderr:\n${this.stderr}`));
      this.proc.once('exit', onExit);
      this.waiters.push({
        method,
        pred,
        resolve: (p) => {
          this.proc.off('exit', onExit);
          resolve(p);
        },
      });
    });
  }

  /** Like next(), rejected after `ms`. */
  within<T = any>(ms: number, method: string, pred: (p: T) => boolean = () => true, since = 0): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no ${method} within ${ms} ms`)), ms)));
    return Promise.race([this.next(method, pred, since), timeout]).finally(() => clearTimeout(timer));
  }

  diagnostics(uri: string, version?: number, since = 0): Promise<PublishedDiagnostics> {
    return this.next<PublishedDiagnostics>('textDocument/publishDiagnostics', (p) => p.uri === uri && (version === undefined || p.version === version), since);
  }

  /**
   * Waits until the server has analysed `version` of a document (its `abi3lint/status`), then returns the
   * diagnostics the client holds for it: the server republishes only when they change.
   */
  async current(uri: string, version: number, since = 0): Promise<PublishedDiagnostics> {
    await this.next<{ uri: string; version?: number }>('abi3lint/status', (s) => s.uri === uri && s.version === version, since);
    const last = [...this.received].reverse().find((r) => r.method === 'textDocument/publishDiagnostics' && r.params.uri === uri);
    if (!last) throw new Error(`no diagnostics were ever published for ${uri}`);
    return last.params as PublishedDiagnostics;
  }

  /** Whether diagnostics were published for a document version. */
  publishedFor(uri: string, version: number, since = 0): boolean {
    return this.received.slice(since).some((r) => r.method === 'textDocument/publishDiagnostics' && r.params.uri === uri && r.params.version === version);
  }

  mark(): number {
    return this.received.length;
  }

  async initialize(rootUri: string | null, capabilities: Record<string, unknown> = {}, initializationOptions?: Record<string, unknown>): Promise<any> {
    const res = await this.conn.sendRequest('initialize', {
      processId: process.pid,
      rootUri,
      initializationOptions,
      workspaceFolders: rootUri ? [{ uri: rootUri, name: 'ws' }] : null,
      capabilities: { workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: true } }, window: { workDoneProgress: true }, ...capabilities },
    });
    await this.conn.sendNotification('initialized', {});
    return res;
  }

  async close(): Promise<void> {
    try {
      await this.conn.sendRequest('shutdown');
      await this.conn.sendNotification('exit');
    } catch {
      /* already gone */
    }
    this.conn.dispose();
    if (this.proc.exitCode === null) {
      await new Promise<void>((r) => {
        const t = setTimeout(() => {
          this.proc.kill();
          r();
        }, 2000);
        this.proc.once('exit', () => {
          clearTimeout(t);
          r();
        });
      });
    }
  }
}

/** Applies LSP text edits (one document) to a text. */
export function applyLspEdits(text: string, edits: { range: { start: { line: number; character: number }; end: { line: number; character: number } }; newText: string }[]): string {
  const lines = text.split('\n');
  const off = (p: { line: number; character: number }): number => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  const sorted = edits.map((e) => ({ s: off(e.range.start), e: off(e.range.end), t: e.newText })).sort((a, b) => b.s - a.s);
  let out = text;
  for (const e of sorted) out = out.slice(0, e.s) + e.t + out.slice(e.e);
  return out;
}
