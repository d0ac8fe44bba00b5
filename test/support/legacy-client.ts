// A legacy (sync version 9 or 10) collection client for tests: what the Python
// client of 2.1.16 and the Rust client of 2.1.28–2.1.56 send for login, meta,
// the normal-sync methods and full sync, over the multipart + gzip transport.
// Full sync moves schema-11 files, as those clients can only read schema 11.
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { parseJson, stringifyJson, type JsonValue } from '../../src-main/server/json.js';
import { legacyRequest, pythonSessionKey, type LegacyStyle } from './legacy-transport.js';

export interface LegacyClientOptions {
  readonly hostKey?: string;
  /** The version meta's JSON announces: 9 (2.1.16) or 10 (2.1.22+, AnkiDroid ≤ 2.15). */
  readonly syncVersion?: number;
  readonly style?: LegacyStyle;
  readonly sessionKey?: string;
}

export class LegacyClient {
  hostKey: string;
  readonly sessionKey: string;
  readonly syncVersion: number;
  readonly style: LegacyStyle;

  constructor(
    readonly baseUrl: string,
    options: LegacyClientOptions = {},
  ) {
    this.hostKey = options.hostKey ?? '';
    this.syncVersion = options.syncVersion ?? 10;
    this.style = options.style ?? 'python';
    this.sessionKey = options.sessionKey ?? (this.style === 'python' ? pythonSessionKey() : randomUUID());
  }

  get clientVersion(): string {
    return this.style === 'python' ? 'ankidesktop,2.1.16,lin:debian:12' : 'ankidesktop,2.1.50,lin:debian:12';
  }

  /** A collection method with `k` and `s`; the raw reply. */
  raw(method: string, data: Buffer | undefined, extraFields: ReadonlyArray<readonly [string, string]> = []): Promise<Buffer> {
    const fields: (readonly [string, string])[] = [];
    if (this.hostKey !== '') fields.push(['k', this.hostKey]);
    if (method !== 'upload' && method !== 'download' && this.hostKey !== '') fields.push(['s', this.sessionKey]);
    fields.push(...extraFields);
    return legacyRequest(this.baseUrl, 'sync', method, { fields, style: this.style, ...(data === undefined ? {} : { data }) });
  }

  /** A collection method with a JSON payload and a JSON reply (i64 values kept exact). */
  async call(method: string, body: unknown): Promise<unknown> {
    const reply = await this.raw(method, Buffer.from(stringifyJson(body as JsonValue)));
    return parseJson(reply.toString('utf8'));
  }

  async login(username: string, password: string): Promise<string> {
    const reply = await legacyRequest(this.baseUrl, 'sync', 'hostKey', {
      fields: [],
      style: this.style,
      data: Buffer.from(JSON.stringify({ u: username, p: password })),
    });
    const { key } = JSON.parse(reply.toString('utf8')) as { key: string };
    this.hostKey = key;
    return key;
  }

  meta(): Promise<unknown> {
    return this.call('meta', { v: this.syncVersion, cv: `${this.clientVersion.replace(/,lin.*$/, '')} (4bc33e2f),lin:debian:12` });
  }

  /** `upload` of a schema-11 file's bytes, with `k` and `v` as the Python FullSyncer sends them. */
  async fullUpload(schema11Path: string): Promise<string> {
    return (await this.raw('upload', readFileSync(schema11Path), [['v', this.clientVersion]])).toString('utf8');
  }

  /** `download` with no `data` part (as 2.1.16 and AnkiDroid send it); the file's bytes written to `path`. */
  async fullDownload(path: string): Promise<Buffer> {
    const bytes = await this.raw('download', this.style === 'python' ? undefined : Buffer.from('{}'), [['v', this.clientVersion]]);
    writeFileSync(path, bytes);
    return bytes;
  }
}
