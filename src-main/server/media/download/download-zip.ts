// The downloadFiles answer: members "0".."n-1" holding the files in request order,
// then `_meta`, a JSON object mapping each member name to its filename. Stored,
// not deflated, like the official server: media files are already compressed.
import { buildStoredZip, type StoredMember } from '../stored-zip.js';

export interface DownloadFile {
  readonly fname: string;
  readonly data: Buffer;
}

export function buildDownloadZip(files: readonly DownloadFile[], now = new Date()): Buffer {
  const meta: Record<string, string> = {};
  const members: StoredMember[] = files.map((file, index) => {
    meta[String(index)] = file.fname;
    return { name: String(index), data: file.data };
  });
  members.push({ name: '_meta', data: Buffer.from(JSON.stringify(meta), 'utf8') });
  return buildStoredZip(members, now);
}
