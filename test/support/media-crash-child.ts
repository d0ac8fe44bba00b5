// Child process for media-replace-crash.test.ts: applies one upload to the
// media store at argv[2] and is killed (SIGKILL, as by a power cut or the OS)
// right after the n-th file is moved into place, before the commit; or, with
// argv[5] = 'unlink', right after the n-th deleted file is removed, after it.
import fs, { readFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { MediaStore } from '../../src-main/server/media/media-store.js';
import type { UserPaths } from '../../src-main/server/storage/user-paths.js';

const [pathsJson, zipPath, killAfter, step = 'move'] = process.argv.slice(2) as [string, string, string, string?];
const paths = JSON.parse(pathsJson) as UserPaths;
const store = MediaStore.open(paths);
const rename = fs.renameSync;
let moves = 0;
const inMediaFolder = (path: fs.PathLike): boolean =>
  String(path).startsWith(paths.mediaFolder) && !String(path).includes('.media-upload-');
fs.renameSync = (from: fs.PathLike, to: fs.PathLike): void => {
  rename(from, to);
  if (step === 'move' && inMediaFolder(to) && ++moves === Number(killAfter)) process.kill(process.pid, 'SIGKILL');
};
const unlink = fs.unlinkSync;
fs.unlinkSync = (path: fs.PathLike): void => {
  unlink(path);
  if (step === 'unlink' && inMediaFolder(path) && ++moves === Number(killAfter)) process.kill(process.pid, 'SIGKILL');
};
syncBuiltinESMExports();
await store.uploadChanges(readFileSync(zipPath));
process.send?.('committed');
