/**
 * Mach-O: the symbols a bundle or dylib imports (undefined external entries of LC_SYMTAB, with the leading `_`
 * of C names removed) and the libraries it loads (LC_LOAD_DYLIB and its weak, lazy and re-export forms). Thin
 * files of either byte order and 32/64 bits, and universal ("fat") files, whose architectures are read each and
 * joined. Only load commands, the symbol table and its strings are read; out-of-range offsets are errors.
 */
import { BinaryFormatError, type Imports } from './elf';

const MH_MAGIC = 0xfeedface;
const MH_MAGIC_64 = 0xfeedfacf;
const MH_CIGAM = 0xcefaedfe;
const MH_CIGAM_64 = 0xcffaedfe;
const FAT_MAGIC = 0xcafebabe;
const FAT_MAGIC_64 = 0xcafebabf;
const LC_SYMTAB = 0x2;
const DYLIB_COMMANDS = new Set([0xc, 0x80000018, 0x8000001f, 0x20, 0x80000023]);
const N_STAB = 0xe0;
const N_TYPE = 0x0e;
const N_EXT = 0x01;
const N_UNDF = 0x0;
/** A universal file holds a handful of architectures; Java class files share FAT_MAGIC with a version ≥ 45 there. */
const MAX_FAT_ARCHS = 30;

function magicOf(buf: Uint8Array, off = 0): number {
  if (off + 4 > buf.length) return 0;
  return ((buf[off] << 24) | (buf[off + 1] << 16) | (buf[off + 2] << 8) | buf[off + 3]) >>> 0;
}

export function isMachO(buf: Uint8Array): boolean {
  const m = magicOf(buf);
  if (m === MH_MAGIC || m === MH_MAGIC_64 || m === MH_CIGAM || m === MH_CIGAM_64) return true;
  if (m !== FAT_MAGIC && m !== FAT_MAGIC_64) return false;
  const n = magicOf(buf, 4);
  return n > 0 && n <= MAX_FAT_ARCHS;
}

export function readMachO(buf: Uint8Array): Imports {
  if (!isMachO(buf)) throw new BinaryFormatError('not a Mach-O file');
  const m = magicOf(buf);
  const parts: Imports[] = [];
  if (m === FAT_MAGIC || m === FAT_MAGIC_64) {
    const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    const n = dv.getUint32(4, false);
    const entry = m === FAT_MAGIC_64 ? 32 : 20;
    for (let i = 0; i < n; i++) {
      const b = 8 + i * entry;
      if (b + entry > buf.length) throw new BinaryFormatError('truncated Mach-O universal header');
      const offset = m === FAT_MAGIC_64 ? Number(dv.getBigUint64(b + 8, false)) : dv.getUint32(b + 8, false);
      const size = m === FAT_MAGIC_64 ? Number(dv.getBigUint64(b + 16, false)) : dv.getUint32(b + 12, false);
      if (offset + size > buf.length) throw new BinaryFormatError(`truncated Mach-O universal file (architecture ${i + 1} needs bytes ${offset}-${offset + size}, has ${buf.length})`);
      parts.push(readThin(buf.subarray(offset, offset + size)));
    }
  } else {
    parts.push(readThin(buf));
  }
  const symbols = [...new Set(parts.flatMap((p) => p.symbols))].sort();
  const libraries = [...new Set(parts.flatMap((p) => p.libraries))];
  return { format: 'macho', symbols, libraries };
}

function readThin(buf: Uint8Array): Imports {
  const m = magicOf(buf);
  if (m !== MH_MAGIC && m !== MH_MAGIC_64 && m !== MH_CIGAM && m !== MH_CIGAM_64) throw new BinaryFormatError('not a Mach-O file (inside a universal file)');
  const is64 = m === MH_MAGIC_64 || m === MH_CIGAM_64;
  // MH_MAGIC read big-endian means the file is big-endian; the CIGAM forms are little-endian files
  const little = m === MH_CIGAM || m === MH_CIGAM_64;
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const check = (off: number, len: number): void => {
    if (off < 0 || len < 0 || off + len > buf.length) throw new BinaryFormatError(`truncated Mach-O file (needs bytes ${off}-${off + len}, has ${buf.length})`);
  };
  const u32 = (o: number): number => (check(o, 4), dv.getUint32(o, little));
  const cstr = (start: number, end: number): string => {
    let e = start;
    while (e < end && buf[e] !== 0) e++;
    return Buffer.from(buf.buffer, buf.byteOffset + start, e - start).toString('latin1');
  };
  const ncmds = u32(16);
  let o = is64 ? 32 : 28;
  const symbols: string[] = [];
  const libraries: string[] = [];
  if (ncmds > 10_000) throw new BinaryFormatError('bad Mach-O header (too many load commands)');
  for (let i = 0; i < ncmds; i++) {
    const cmd = u32(o);
    const size = u32(o + 4);
    if (size < 8) throw new BinaryFormatError('bad Mach-O load command size');
    check(o, size);
    if (cmd === LC_SYMTAB) {
      const [symoff, nsyms, stroff, strsize] = [u32(o + 8), u32(o + 12), u32(o + 16), u32(o + 20)];
      check(stroff, strsize);
      const entry = is64 ? 16 : 12;
      check(symoff, nsyms * entry);
      for (let s = 0; s < nsyms; s++) {
        const b = symoff + s * entry;
        const strx = u32(b);
        const type = buf[b + 4];
        if (type & N_STAB || (type & N_TYPE) !== N_UNDF || !(type & N_EXT) || !strx) continue;
        if (strx >= strsize) throw new BinaryFormatError('bad Mach-O string index');
        const name = cstr(stroff + strx, stroff + strsize);
        symbols.push(name.startsWith('_') ? name.slice(1) : name);
      }
    } else if (DYLIB_COMMANDS.has(cmd)) {
      const nameOff = u32(o + 8);
      if (nameOff < size) libraries.push(cstr(o + nameOff, o + size));
    }
    o += size;
  }
  return { format: 'macho', symbols: [...new Set(symbols)].sort(), libraries };
}
