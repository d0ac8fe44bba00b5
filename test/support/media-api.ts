// The five /msync methods as a client calls them, over whatever transport carries
// the bytes (v11 zstd or legacy multipart). Parses answers as strictly as the
// Rust client: `{"data": …, "err": ""}` with `err` present, `data` of the exact shape.

/** POSTs one media method and returns the decoded answer body; throws MediaHttpError on a non-200. */
export interface MediaTransport {
  call(method: MediaMethod, payload: Buffer): Promise<Buffer>;
}

export type MediaMethod = 'begin' | 'mediaChanges' | 'uploadChanges' | 'downloadFiles' | 'mediaSanity';

export class MediaHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`HTTP ${status}`);
  }
}

export type MediaChangeRecord = [fname: string, usn: number, sha1: string];

export class MediaApi {
  constructor(readonly transport: MediaTransport) {}

  async begin(clientVersion = 'anki,26.08.1 (test),linux'): Promise<{ usn: number; sk: string }> {
    const data = await this.json('begin', { v: clientVersion });
    const { usn, sk } = data as { usn: unknown; sk: unknown };
    if (!Number.isInteger(usn) || typeof sk !== 'string') throw new Error(`begin: bad data ${JSON.stringify(data)}`);
    return { usn: usn as number, sk };
  }

  async mediaChanges(lastUsn: number): Promise<MediaChangeRecord[]> {
    const data = await this.json('mediaChanges', { lastUsn });
    if (!Array.isArray(data)) throw new Error('mediaChanges: data is not an array');
    for (const record of data) {
      if (
        !Array.isArray(record) ||
        record.length !== 3 ||
        typeof record[0] !== 'string' ||
        !Number.isInteger(record[1]) ||
        typeof record[2] !== 'string'
      ) {
        throw new Error(`mediaChanges: bad record ${JSON.stringify(record)}`);
      }
    }
    return data as MediaChangeRecord[];
  }

  async uploadChanges(zip: Buffer): Promise<{ processed: number; currentUsn: number }> {
    const data = await envelopeData(await this.transport.call('uploadChanges', zip));
    if (!Array.isArray(data) || data.length !== 2 || !data.every((n) => Number.isInteger(n))) {
      throw new Error(`uploadChanges: bad data ${JSON.stringify(data)}`);
    }
    return { processed: data[0] as number, currentUsn: data[1] as number };
  }

  /** The raw zip. */
  downloadFiles(files: readonly string[]): Promise<Buffer> {
    return this.transport.call('downloadFiles', Buffer.from(JSON.stringify({ files })));
  }

  async mediaSanity(local: number): Promise<'OK' | 'mediaSanity'> {
    const data = await this.json('mediaSanity', { local });
    if (data !== 'OK' && data !== 'mediaSanity') throw new Error(`mediaSanity: bad data ${JSON.stringify(data)}`);
    return data;
  }

  private async json(method: MediaMethod, body: unknown): Promise<unknown> {
    return envelopeData(await this.transport.call(method, Buffer.from(JSON.stringify(body))));
  }
}

/** Unwraps `{"data": …, "err": ""}`; `err` must be present (Python and the old Rust client need it). */
export function envelopeData(body: Buffer): unknown {
  const parsed = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
  if (typeof parsed.err !== 'string') throw new Error(`media answer without err: ${body.toString('utf8')}`);
  if (parsed.err !== '') throw new Error(`server message: ${parsed.err}`);
  if (!('data' in parsed)) throw new Error('media answer without data');
  return parsed.data;
}
