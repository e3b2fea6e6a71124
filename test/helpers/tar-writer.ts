/**
 * A minimal ustar writer for tests, so that packages can hold exactly what a test needs —
 * including what no honest tool writes (paths with `..`, links leading outside, devices).
 */
import zlib from 'node:zlib';

export type TarEntry =
  | { path: string; type?: 'file'; content: string | Buffer; mode?: number }
  | { path: string; type: 'dir' }
  | { path: string; type: 'symlink' | 'hardlink'; target: string }
  | { path: string; type: 'fifo' };

function field(buf: Buffer, offset: number, length: number, value: string): void {
  buf.write(value.slice(0, length), offset, length, 'utf8');
}

function octal(buf: Buffer, offset: number, length: number, value: number): void {
  field(buf, offset, length, value.toString(8).padStart(length - 1, '0') + '\0');
}

function header(e: TarEntry, size: number): Buffer {
  const h = Buffer.alloc(512);
  const type = e.type ?? 'file';
  const name = type === 'dir' && !e.path.endsWith('/') ? `${e.path}/` : e.path;
  if (Buffer.byteLength(name) > 100) throw new Error(`tar-writer: path too long: ${name}`);
  field(h, 0, 100, name);
  octal(h, 100, 8, type === 'dir' ? 0o755 : ((e as { mode?: number }).mode ?? 0o644));
  octal(h, 108, 8, 0);
  octal(h, 116, 8, 0);
  octal(h, 124, 12, size);
  octal(h, 136, 12, 1_700_000_000);
  field(h, 148, 8, '        ');
  const flag = { file: '0', hardlink: '1', symlink: '2', dir: '5', fifo: '6' }[type];
  field(h, 156, 1, flag);
  if (type === 'symlink' || type === 'hardlink') field(h, 157, 100, (e as { target: string }).target);
  field(h, 257, 6, 'ustar\0');
  field(h, 263, 2, '00');
  let sum = 0;
  for (const b of h) sum += b;
  field(h, 148, 8, sum.toString(8).padStart(6, '0') + '\0 ');
  return h;
}

/** A tar archive (uncompressed) of `entries`, in order. */
export function tarOf(entries: readonly TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const content =
      (e.type ?? 'file') === 'file'
        ? Buffer.isBuffer((e as { content: unknown }).content)
          ? (e as { content: Buffer }).content
          : Buffer.from((e as { content: string }).content)
        : Buffer.alloc(0);
    parts.push(header(e, content.length), content, Buffer.alloc((512 - (content.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

/** A gzipped tar archive. */
export function tarGzOf(entries: readonly TarEntry[]): Buffer {
  return zlib.gzipSync(tarOf(entries));
}
