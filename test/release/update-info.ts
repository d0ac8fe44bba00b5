// latest-linux.yml from two runs. The deb and the AppImage are built in separate
// electron-builder runs (in one run the deb's resources/package-type can end up
// in the AppImage, and an AppImage user's update then installs the deb), and
// each run writes its own latest-linux.yml. Installed apps read one file and
// pick their own kind from its `files` (electron-updater: the AppImage updater
// takes the .AppImage, the deb updater the .deb), so the two are merged:
//   node dist/test/release/update-info.js <out.yml> <appimage latest-linux.yml> <deb latest-linux.yml>
import { readFileSync, writeFileSync } from 'node:fs';
import { dumpYaml, isMain, loadYaml } from './yaml.js';

export interface UpdateInfo {
  readonly version: string;
  readonly files: readonly { readonly url: string; readonly sha512: string; readonly size?: number }[];
  readonly path?: string;
  readonly sha512?: string;
  readonly releaseDate?: string;
  readonly [key: string]: unknown;
}

/** `primary`'s fields (its path and sha512 stay first), with `other`'s files added. */
export function mergeUpdateInfo(primary: UpdateInfo, other: UpdateInfo): UpdateInfo {
  if (primary.version !== other.version) throw new Error(`cannot merge version ${primary.version} with ${other.version}`);
  const urls = new Set(primary.files.map((file) => file.url));
  const files = [...primary.files, ...other.files.filter((file) => !urls.has(file.url))];
  const dates = [primary.releaseDate, other.releaseDate].filter((d): d is string => typeof d === 'string').sort();
  return { ...primary, files, ...(dates.length > 0 ? { releaseDate: dates.at(-1)! } : {}) };
}

if (isMain(import.meta.url)) {
  const [out, primary, other] = process.argv.slice(2);
  if (out === undefined || primary === undefined || other === undefined) {
    console.error('usage: node dist/test/release/update-info.js <out.yml> <first latest-linux.yml> <second latest-linux.yml>');
    process.exit(2);
  }
  const read = (path: string) => loadYaml(readFileSync(path, 'utf8')) as UpdateInfo;
  const merged = mergeUpdateInfo(read(primary), read(other));
  writeFileSync(out, dumpYaml(merged));
  console.log(`✔ ${out}: ${merged.files.map((file) => file.url).join(', ')}`);
}
