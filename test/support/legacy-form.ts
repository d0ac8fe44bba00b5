// Builds legacy multipart bodies the way real old clients do. The Python
// client of 2.1.16 (and AnkiDroid) write the method's fields, then `c`, then
// `data` with filename="data"; so does the old Rust client (2.1.28–2.1.56,
// `Part::file_name("data")` in rslib/src/sync/http_client.rs and
// rslib/src/media/sync.rs), which sends `data` first. Options let tests
// produce the other shapes the server must accept.
import { gzipSync } from 'node:zlib';

export const ANKI_BOUNDARY = 'Anki-sync-boundary';

export interface FormPart {
  readonly name: string;
  readonly value: Buffer | string;
  /** Adds `filename="…"` and `Content-Type: application/octet-stream` (a busboy "file"). */
  readonly filename?: string;
}

export function multipartBody(parts: readonly FormPart[], boundary = ANKI_BOUNDARY): Buffer {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"`;
    if (part.filename !== undefined) head += `; filename="${part.filename}"\r\nContent-Type: application/octet-stream`;
    chunks.push(Buffer.from(head + '\r\n\r\n'), Buffer.from(part.value), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

export interface LegacyFormOptions {
  /** Form `k` (collection requests, media begin). */
  readonly k?: string;
  /** Form `sk` (media requests after begin). */
  readonly sk?: string;
  readonly s?: string;
  readonly v?: string;
  /** The payload; absent means no `data` part at all (like download). */
  readonly data?: Buffer | string;
  /** gzip `data` and send `c=1` (default); false sends `c=0` raw; 'omit' sends no `c` (raw). */
  readonly compress?: boolean | 'omit';
  /** Send `data` without a filename, as only the reference's own test legacy_session_key_works does. */
  readonly dataAsField?: boolean;
  /** Put `c` after `data`. */
  readonly cAfterData?: boolean;
}

/** The parts of a legacy request, in the Python client's order unless told otherwise. */
export function legacyFormParts(options: LegacyFormOptions): FormPart[] {
  const parts: FormPart[] = [];
  if (options.k !== undefined) parts.push({ name: 'k', value: options.k });
  if (options.sk !== undefined) parts.push({ name: 'sk', value: options.sk });
  if (options.s !== undefined) parts.push({ name: 's', value: options.s });
  if (options.v !== undefined) parts.push({ name: 'v', value: options.v });
  const compress = options.compress ?? true;
  const cPart: FormPart | null = compress === 'omit' ? null : { name: 'c', value: compress ? '1' : '0' };
  let dataPart: FormPart | null = null;
  if (options.data !== undefined) {
    const raw = Buffer.from(options.data);
    const value = compress === true ? gzipSync(raw, { level: 6 }) : raw;
    dataPart = options.dataAsField ? { name: 'data', value } : { name: 'data', value, filename: 'data' };
  }
  const tail = options.cAfterData ? [dataPart, cPart] : [cPart, dataPart];
  for (const part of tail) if (part) parts.push(part);
  return parts;
}
