// The release's files, checked before anyone can download them (the publish
// job of .github/workflows/release.yml):
//   node dist/test/release/release-files.js <folder> [--uploaded <names file>]
// Every `url` (and `path`) in every latest*.yml names a file in the folder,
// with the size and sha512 the updater will check; SHA256SUMS.txt names
// exactly the installers, with their hashes; and, given the names GitHub
// stored (`gh release view --json assets`), each of those files was stored
// under the very same name. A space in a file name once made every update 404:
// GitHub turns it into a dot on upload, while latest*.yml keeps the name as
// built. Exits 1 with one line per problem.

import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isMain, loadYaml } from './yaml.js';

/** What users download; the checksums cover exactly these. */
export const INSTALLER = /\.(exe|dmg|zip|AppImage|deb)$/;
/** What is uploaded to the release: the installers, their blockmaps, the update files and the checksums. */
export const RELEASE_ASSET = /(\.(exe|dmg|zip|AppImage|deb|blockmap)|^latest.*\.yml|^SHA256SUMS\.txt)$/;
/** Names GitHub stores unchanged. */
const SAFE_NAME = /^[A-Za-z0-9._+-]+$/;

interface UpdateFile {
  readonly url?: unknown;
  readonly sha512?: unknown;
  readonly size?: unknown;
}

async function hashOf(path: string, algorithm: 'sha256' | 'sha512', encoding: 'hex' | 'base64'): Promise<string> {
  const hash = createHash(algorithm);
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest(encoding);
}

export interface ReleaseCheckOptions {
  /** The names of the assets as GitHub stored them. */
  readonly uploaded?: readonly string[];
}

/** Every problem found, in words; empty when the release is right. */
export async function releaseProblems(folder: string, options: ReleaseCheckOptions = {}): Promise<string[]> {
  const problems: string[] = [];
  const files = readdirSync(folder).filter((name) => statSync(join(folder, name)).isFile());
  const installers = files.filter((name) => INSTALLER.test(name)).sort();
  if (installers.length === 0) problems.push(`${folder} holds no installer`);
  for (const name of files.filter((f) => RELEASE_ASSET.test(f))) {
    if (!SAFE_NAME.test(name)) problems.push(`"${name}" has a character GitHub would change on upload (a space becomes a dot)`);
  }

  const updateFiles = files.filter((name) => /^latest.*\.yml$/.test(name)).sort();
  if (updateFiles.length === 0) problems.push('no latest*.yml: installed apps would never see this release');
  for (const yml of updateFiles) {
    const info = loadYaml(readFileSync(join(folder, yml), 'utf8')) as { files?: unknown; path?: unknown; sha512?: unknown; version?: unknown };
    const entries = Array.isArray(info.files) ? (info.files as UpdateFile[]) : [];
    if (entries.length === 0) problems.push(`${yml} lists no files`);
    const named = entries.map((entry) => entry.url);
    if (info.path !== undefined) {
      named.push(info.path);
      const first = entries.find((entry) => entry.url === info.path);
      if (first === undefined) problems.push(`${yml}: path ${JSON.stringify(info.path)} is not among its files`);
      else if (first.sha512 !== info.sha512) problems.push(`${yml}: the sha512 beside path differs from its file's`);
    }
    for (const url of new Set(named)) {
      if (typeof url !== 'string' || url === '') {
        problems.push(`${yml}: a file without a url`);
        continue;
      }
      if (!existsSync(join(folder, url))) problems.push(`${yml} names ${url}, which is not in the release`);
      if (options.uploaded !== undefined && !options.uploaded.includes(url)) {
        problems.push(`${yml} names ${url}, but GitHub stored no asset of that name: updates would get 404`);
      }
    }
    for (const entry of entries) {
      if (typeof entry.url !== 'string' || !existsSync(join(folder, entry.url))) continue;
      const path = join(folder, entry.url);
      if (entry.size !== undefined && entry.size !== statSync(path).size) {
        problems.push(`${yml}: ${entry.url} is ${statSync(path).size} bytes, not ${JSON.stringify(entry.size)}`);
      }
      if (entry.sha512 !== (await hashOf(path, 'sha512', 'base64'))) problems.push(`${yml}: ${entry.url} does not match its sha512`);
    }
  }

  const sumsFile = join(folder, 'SHA256SUMS.txt');
  if (!existsSync(sumsFile)) {
    problems.push('no SHA256SUMS.txt');
  } else {
    const sums = new Map<string, string>();
    for (const line of readFileSync(sumsFile, 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      const match = /^([0-9a-f]{64}) [ *](.+)$/.exec(line);
      if (match === null) problems.push(`SHA256SUMS.txt: "${line}" is not "<sha256>  <file>"`);
      else sums.set(match[2]!, match[1]!);
    }
    const listed = [...sums.keys()].sort();
    if (listed.join('\n') !== installers.join('\n')) {
      problems.push(`SHA256SUMS.txt names ${listed.join(', ') || 'nothing'}; the installers are ${installers.join(', ') || 'none'}`);
    }
    for (const [name, sum] of sums) {
      if (!existsSync(join(folder, name))) continue;
      if ((await hashOf(join(folder, name), 'sha256', 'hex')) !== sum) problems.push(`SHA256SUMS.txt: ${name} does not match`);
    }
  }

  if (options.uploaded !== undefined) {
    for (const name of files.filter((f) => RELEASE_ASSET.test(f))) {
      if (!options.uploaded.includes(name)) problems.push(`${name} was not stored under its own name on GitHub`);
    }
  }
  return problems;
}

async function main(): Promise<void> {
  const [folder, flag, namesFile] = process.argv.slice(2);
  if (folder === undefined || (flag !== undefined && (flag !== '--uploaded' || namesFile === undefined))) {
    console.error('usage: node dist/test/release/release-files.js <folder> [--uploaded <file with one asset name a line>]');
    process.exit(2);
  }
  const uploaded =
    namesFile === undefined
      ? undefined
      : readFileSync(namesFile, 'utf8')
          .split('\n')
          .map((line) => line.trim())
          .filter((line) => line !== '');
  const problems = await releaseProblems(folder, uploaded === undefined ? {} : { uploaded });
  for (const problem of problems) console.error(`✖ ${problem}`);
  if (problems.length > 0) process.exit(1);
  console.log(`✔ ${folder}: every latest*.yml url is in the release${uploaded ? ' and on GitHub' : ''}, SHA256SUMS.txt names the installers`);
}

if (isMain(import.meta.url)) await main();
