// The downloadFiles answer: members "0".."n-1" holding the files in request order,
// then `_meta`, a JSON object mapping each member name to its filename. Stored,
// not deflated, like the official server: media files are already compressed.
import yazl from 'yazl';

export interface DownloadFile {
  readonly fname: string;
  readonly data: Buffer;
}

export function buildDownloadZip(files: readonly DownloadFile[]): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  const meta: Record<string, string> = {};
  const mtime = new Date();
  files.forEach((file, index) => {
    meta[String(index)] = file.fname;
    zip.addBuffer(file.data, String(index), { compress: false, mtime });
  });
  zip.addBuffer(Buffer.from(JSON.stringify(meta), 'utf8'), '_meta', { compress: false, mtime });
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on('data', (chunk: Buffer) => chunks.push(chunk));
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on('error', reject);
    zip.end();
  });
}
