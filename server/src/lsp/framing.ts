/**
 * The LSP base protocol on stdin, checked before the JSON-RPC reader sees it: header lines ending in CRLF,
 * each `Name: value`, a Content-Length that is a whole number of bytes within MAX_MESSAGE_BYTES. The reader
 * of vscode-jsonrpc waits forever on a malformed header (no CRLF, garbage, a negative length): here a framing
 * error ends the server with a message on stderr, so the editor sees it exit and can restart it.
 */
import { Transform, type TransformCallback } from 'node:stream';

/** Larger messages are refused (a whole 8 MB document, JSON-escaped, stays well below). */
export const MAX_MESSAGE_BYTES = 256 * 1024 * 1024;
/** A header block longer than this is not a header. */
const MAX_HEADER_BYTES = 8192;

export class FramingChecker extends Transform {
  private header: Buffer = Buffer.alloc(0);
  /** Body bytes still to pass through; -1 while reading a header. */
  private remaining = -1;
  private failed = false;

  constructor(private readonly onError: (reason: string) => void) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    if (this.failed) return done();
    let at = 0;
    while (at < chunk.length && !this.failed) {
      if (this.remaining > 0) {
        const take = Math.min(this.remaining, chunk.length - at);
        this.remaining -= take;
        at += take;
        continue;
      }
      at = this.readHeader(chunk, at);
    }
    // (what was checked passes through whole; after a failure nothing more reaches the reader)
    if (!this.failed) this.push(chunk);
    done();
  }

  /** Consumes header bytes from `chunk` at `at`; returns where the body starts (or the chunk's end). */
  private readHeader(chunk: Buffer, at: number): number {
    const joined = Buffer.concat([this.header, chunk.subarray(at)]);
    const stop = joined.indexOf('\r\n\r\n');
    if (stop < 0) {
      if (joined.length > MAX_HEADER_BYTES) return this.fail(`no end of header within ${MAX_HEADER_BYTES} bytes`);
      const bare = joined.indexOf('\n');
      if (bare >= 0 && joined[bare - 1] !== 13) return this.fail('a header line ends with LF alone (the base protocol requires CRLF)');
      this.header = joined;
      return chunk.length;
    }
    const text = joined.subarray(0, stop).toString('latin1');
    const length = this.contentLength(text);
    if (length < 0) return chunk.length;
    const consumedFromChunk = stop + 4 - this.header.length;
    this.header = Buffer.alloc(0);
    this.remaining = length;
    return at + consumedFromChunk;
  }

  private contentLength(block: string): number {
    let length = -1;
    for (const line of block.split('\r\n')) {
      const m = /^([A-Za-z][A-Za-z0-9-]*):[ \t]*(.*)$/.exec(line);
      if (!m) {
        this.fail(`not a header line: ${JSON.stringify(line.slice(0, 60))}`);
        return -1;
      }
      if (m[1].toLowerCase() !== 'content-length') continue;
      if (!/^\d{1,10}$/.test(m[2].trim()) || Number(m[2]) > MAX_MESSAGE_BYTES) {
        this.fail(`invalid Content-Length: ${JSON.stringify(m[2].slice(0, 40))}`);
        return -1;
      }
      length = Number(m[2]);
    }
    if (length < 0) this.fail('a header without Content-Length');
    return length;
  }

  private fail(reason: string): number {
    this.failed = true;
    this.onError(reason);
    return Number.MAX_SAFE_INTEGER;
  }
}
