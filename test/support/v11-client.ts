// A sync client for tests, doing what the reference client does around each
// call: login, meta, full upload, full download. Other helpers extend it with
// normal sync and media calls through `json()` and `raw()`.
import { rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { openDatabase } from '../../src-main/server/storage/sqlite.js';
import { newSessionKey, TEST_CLIENT_VERSION, v11Request, v11RequestToFile, type Payload } from './v11-transport.js';

export interface SyncMeta {
  mod: number;
  scm: number;
  usn: number;
  ts: number;
  msg: string;
  cont: boolean;
  hostNum: number;
  empty: boolean;
  media_usn: number;
}

/** The client's EmptyInput: `{"_pad":null}`. */
export const EMPTY_INPUT = '{"_pad":null}';

export class V11Client {
  hostKey: string;
  sessionKey: string;
  clientVersion = TEST_CLIENT_VERSION;

  /** `baseUrl` ends in `/`, as the client makes it (`http://127.0.0.1:port/`). */
  constructor(
    readonly baseUrl: string,
    options: { hostKey?: string; sessionKey?: string } = {},
  ) {
    this.hostKey = options.hostKey ?? '';
    this.sessionKey = options.sessionKey ?? newSessionKey();
  }

  private fields(): { k: string; s: string; c: string } {
    return { k: this.hostKey, s: this.sessionKey, c: this.clientVersion };
  }

  url(area: 'sync' | 'msync', method: string): string {
    return new URL(`${area}/${method}`, this.baseUrl).toString();
  }

  /** A method with a JSON payload and a JSON reply. */
  async json<T = unknown>(area: 'sync' | 'msync', method: string, payload: unknown): Promise<T> {
    const body = await this.raw(area, method, typeof payload === 'string' ? payload : JSON.stringify(payload));
    return JSON.parse(body.toString('utf8')) as T;
  }

  /** A method with any payload; the decoded reply bytes. */
  raw(area: 'sync' | 'msync', method: string, payload: Payload): Promise<Buffer> {
    return v11Request(this.url(area, method), this.fields(), payload);
  }

  /** Logs in and keeps the key, as the client stores it. */
  async login(username: string, password: string): Promise<string> {
    const saved = this.hostKey;
    this.hostKey = '';
    try {
      const { key } = await this.json<{ key: string }>('sync', 'hostKey', { u: username, p: password });
      this.hostKey = key;
      return key;
    } catch (error) {
      this.hostKey = saved;
      throw error;
    }
  }

  meta(version = 11): Promise<SyncMeta> {
    return this.json<SyncMeta>('sync', 'meta', { v: version, cv: 'anki,25.02 (1a2b3c4d),linux' });
  }

  abort(): Promise<null> {
    return this.json<null>('sync', 'abort', EMPTY_INPUT);
  }

  /** Sends a collection file; the server's text answer (`OK` or a sentence for the user). */
  async fullUpload(collectionPath: string): Promise<string> {
    return (await this.raw('sync', 'upload', { file: collectionPath })).toString('utf8');
  }

  /**
   * Downloads the server's collection and installs it at `collectionPath` as the
   * client does: into a temp file beside it, opened with integrity_check, then
   * `update col set ls = mod`, closed, and renamed over the old file.
   */
  async fullDownload(collectionPath: string): Promise<void> {
    const temp = join(dirname(collectionPath), `download-${randomBytes(6).toString('hex')}.tmp`);
    try {
      await v11RequestToFile(this.url('sync', 'download'), this.fields(), EMPTY_INPUT, temp);
      const db = openDatabase(temp, { fileMustExist: true });
      try {
        const check = db.prepare('PRAGMA integrity_check').pluck().all();
        if (check.length !== 1 || check[0] !== 'ok') throw new Error(`downloaded collection fails integrity_check: ${check.join('; ')}`);
        db.exec('UPDATE col SET ls = mod');
      } finally {
        db.close();
      }
      await rename(temp, collectionPath);
    } finally {
      for (const suffix of ['', '-wal', '-shm']) await rm(`${temp}${suffix}`, { force: true });
    }
  }
}
