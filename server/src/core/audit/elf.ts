/**
 * ELF: the symbols a shared object imports (undefined entries of .dynsym) and the libraries it names
 * (DT_NEEDED). 32- and 64-bit, either byte order. Reads only the section headers, .dynsym, its string table and
 * .dynamic: a malformed file gives an error, never an exception from out-of-range reads.
 */

export interface Imports {
  format: 'elf' | 'pe' | 'macho';
  /** Imported (undefined) symbol names. */
  symbols: string[];
  /** Libraries the binary names (DT_NEEDED; PE: the DLLs imported from). */
  libraries: string[];
  /** For PE: the DLL each symbol comes from. */
  symbolLibrary?: Map<string, string>;
}

export class BinaryFormatError extends Error {}

const SHT_DYNSYM = 11;
const SHT_DYNAMIC = 6;
const DT_NEEDED = 1;

export function isElf(buf: Uint8Array): boolean {
  return buf.length >= 16 && buf[0] === 0x7f && buf[1] === 0x45 && buf[2] === 0x4c && buf[3] === 0x46;
}

export function readElf(buf: Uint8Array): Imports {
  if (!isElf(buf)) throw new BinaryFormatError('not an ELF file');
  const is64 = buf[4] === 2;
  const little = buf[5] === 1;
  if ((buf[4] !== 1 && buf[4] !== 2) || (buf[5] !== 1 && buf[5] !== 2)) throw new BinaryFormatError('unknown ELF class or byte order');
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const check = (off: number, len: number): void => {
    if (off < 0 || len < 0 || off + len > buf.length) throw new BinaryFormatError(`truncated ELF file (needs bytes ${off}-${off + len}, has ${buf.length})`);
  };
  const u16 = (o: number): number => (check(o, 2), dv.getUint16(o, little));
  const u32 = (o: number): number => (check(o, 4), dv.getUint32(o, little));
  const addr = (o: number): number => (is64 ? (check(o, 8), Number(dv.getBigUint64(o, little))) : u32(o));
  const shoff = addr(is64 ? 0x28 : 0x20);
  const shentsize = u16(is64 ? 0x3a : 0x2e);
  const shnum = u16(is64 ? 0x3c : 0x30);
  if (shnum > 65535 || shentsize < (is64 ? 64 : 40)) throw new BinaryFormatError('bad ELF section header table');
  const sections = Array.from({ length: shnum }, (_, i) => {
    const b = shoff + i * shentsize;
    return { type: u32(b + 4), offset: addr(b + (is64 ? 0x18 : 0x10)), size: addr(b + (is64 ? 0x20 : 0x14)), link: u32(b + (is64 ? 0x28 : 0x18)), entsize: addr(b + (is64 ? 0x38 : 0x24)) };
  });
  const str = (table: { offset: number; size: number }, i: number): string => {
    if (i >= table.size) throw new BinaryFormatError('bad ELF string index');
    let e = table.offset + i;
    const end = Math.min(buf.length, table.offset + table.size);
    while (e < end && buf[e] !== 0) e++;
    return Buffer.from(buf.buffer, buf.byteOffset + table.offset + i, e - table.offset - i).toString('latin1');
  };
  const symbols: string[] = [];
  const libraries: string[] = [];
  for (const s of sections) {
    if (s.type === SHT_DYNSYM) {
      const strtab = sections[s.link];
      if (!strtab) throw new BinaryFormatError('bad ELF .dynsym link');
      const size = s.entsize || (is64 ? 24 : 16);
      for (let o = s.offset + size; o + size <= s.offset + s.size; o += size) {
        const name = u32(o);
        const shndx = u16(o + (is64 ? 6 : 14));
        const bind = buf[o + (is64 ? 4 : 12)] >> 4;
        // undefined (SHN_UNDEF), global or weak: imported
        if (shndx === 0 && (bind === 1 || bind === 2) && name) symbols.push(str(strtab, name));
      }
    } else if (s.type === SHT_DYNAMIC) {
      const strtab = sections[s.link];
      const size = s.entsize || (is64 ? 16 : 8);
      for (let o = s.offset; o + size <= s.offset + s.size; o += size) {
        const tag = addr(o);
        if (tag === 0) break;
        if (tag === DT_NEEDED && strtab) libraries.push(str(strtab, addr(o + (is64 ? 8 : 4))));
      }
    }
  }
  return { format: 'elf', symbols: [...new Set(symbols)].sort(), libraries };
}
