/**
 * PE (Windows .pyd/.dll): the functions and data a module imports, by DLL, from its import directory. PE32 and
 * PE32+; imports by ordinal are skipped (CPython's DLLs are imported by name). Every read is bounds-checked.
 */
import { BinaryFormatError, type Imports } from './elf';

export function isPe(buf: Uint8Array): boolean {
  return buf.length >= 64 && buf[0] === 0x4d && buf[1] === 0x5a;
}

export function readPe(buf: Uint8Array): Imports {
  if (!isPe(buf)) throw new BinaryFormatError('not a PE file');
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const check = (off: number, len: number): void => {
    if (off < 0 || off + len > buf.length) throw new BinaryFormatError(`truncated PE file (needs bytes ${off}-${off + len}, has ${buf.length})`);
  };
  const u16 = (o: number): number => (check(o, 2), dv.getUint16(o, true));
  const u32 = (o: number): number => (check(o, 4), dv.getUint32(o, true));
  const pe = u32(0x3c);
  if (u32(pe) !== 0x00004550) throw new BinaryFormatError('no PE signature');
  const nsections = u16(pe + 6);
  const optSize = u16(pe + 20);
  const opt = pe + 24;
  const magic = u16(opt);
  const plus = magic === 0x20b;
  if (!plus && magic !== 0x10b) throw new BinaryFormatError('unknown PE optional header');
  const dirs = opt + (plus ? 112 : 96);
  const importRva = u32(dirs + 8);
  const sectionTable = opt + optSize;
  const sections = Array.from({ length: nsections }, (_, i) => {
    const s = sectionTable + i * 40;
    return { va: u32(s + 12), vsize: u32(s + 8), raw: u32(s + 20), rawSize: u32(s + 16) };
  });
  const offsetOf = (rva: number): number => {
    for (const s of sections) if (rva >= s.va && rva < s.va + Math.max(s.vsize, s.rawSize)) return s.raw + (rva - s.va);
    throw new BinaryFormatError(`PE address ${rva.toString(16)} is in no section`);
  };
  const cstr = (rva: number): string => {
    const o = offsetOf(rva);
    let e = o;
    while (e < buf.length && buf[e] !== 0 && e - o < 4096) e++;
    check(o, e - o);
    return Buffer.from(buf.buffer, buf.byteOffset + o, e - o).toString('latin1');
  };
  const symbols: string[] = [];
  const libraries: string[] = [];
  const symbolLibrary = new Map<string, string>();
  if (importRva) {
    for (let d = offsetOf(importRva), n = 0; n < 4096; d += 20, n++) {
      const lookup = u32(d) || u32(d + 16);
      const nameRva = u32(d + 12);
      if (!lookup && !nameRva) break;
      const dll = cstr(nameRva);
      libraries.push(dll);
      for (let t = offsetOf(lookup), k = 0; k < 100_000; t += plus ? 8 : 4, k++) {
        const lo = u32(t);
        const hi = plus ? u32(t + 4) : 0;
        if (!lo && !hi) break;
        const byOrdinal = plus ? (hi & 0x80000000) !== 0 : (lo & 0x80000000) !== 0;
        if (byOrdinal) continue;
        const name = cstr((lo & 0x7fffffff) + 2);
        symbols.push(name);
        symbolLibrary.set(name, dll);
      }
    }
  }
  return { format: 'pe', symbols: [...new Set(symbols)].sort(), libraries, symbolLibrary };
}
