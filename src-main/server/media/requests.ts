// The JSON bodies of the media methods, checked as strictly as the reference's
// serde types: a body of the wrong shape is a 400 `invalid json`. The bytes are
// read by the one JSON body reader (json-body.ts), as every sync method's are.
import { BadRequestError } from '../errors.js';
import { requestJsonObject as jsonObject } from '../json-body.js';
import type { SyncRequest } from '../protocol.js';

const MAX_DOWNLOAD_NAMES = 1_000;

function integerIn(value: unknown, min: number, max: number, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new BadRequestError(`invalid json: ${field} must be an integer in ${min}..${max}`);
  }
  return value;
}

/**
 * begin: `{"v": "<client version>"}`. Legacy clients send their version as a
 * form field (or GET query) instead, and, as in the reference router, that
 * value takes precedence there; one of the two must name the client.
 */
export function parseBeginRequest(request: SyncRequest): { clientVersion: string } {
  const fromJson = jsonVersion(jsonObject(request.body).v);
  const clientVersion = request.transportVersion < 11 && request.clientVersion !== '' ? request.clientVersion : fromJson;
  if (clientVersion === '') throw new BadRequestError('missing client version');
  return { clientVersion };
}

function jsonVersion(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw new BadRequestError('invalid json: v must be a string');
  return v;
}

/** mediaChanges: `{"lastUsn": <i32>}`. */
export function parseMediaChangesRequest(request: SyncRequest): { lastUsn: number } {
  return { lastUsn: integerIn(jsonObject(request.body).lastUsn, -(2 ** 31), 2 ** 31 - 1, 'lastUsn') };
}

/** downloadFiles: `{"files": [name, …]}`. */
export function parseDownloadFilesRequest(request: SyncRequest): { files: string[] } {
  const { files } = jsonObject(request.body);
  // Clients ask for at most 25 names at a time (MAX_MEDIA_FILES_IN_ZIP); far more is not a client.
  if (Array.isArray(files) && files.length > MAX_DOWNLOAD_NAMES)
    throw new BadRequestError(`invalid json: more than ${MAX_DOWNLOAD_NAMES} files`);
  if (!Array.isArray(files) || !files.every((name) => typeof name === 'string')) {
    throw new BadRequestError('invalid json: files must be an array of strings');
  }
  return { files: files };
}

/** mediaSanity: `{"local": <u32>}`, the client's count of files it holds. */
export function parseMediaSanityRequest(request: SyncRequest): { local: number } {
  return { local: integerIn(jsonObject(request.body).local, 0, 2 ** 32 - 1, 'local') };
}
