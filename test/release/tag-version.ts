// A release tag must carry package.json's version: the installers are built
// with package.json's, and an installed app compares that with the release's
// latest*.yml, so a tag v1.2.4 on a 1.2.3 package publishes a release that no
// installed app sees. The first step of .github/workflows/release.yml:
//   node dist/test/release/tag-version.js "$GITHUB_REF_NAME"
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../support/fixture-paths.js';
import { isMain } from './yaml.js';

/** Null when `tag` is v<version>; otherwise what is wrong, in one sentence. */
export function tagVersionProblem(tag: string, packageVersion: string): string | null {
  if (!/^v\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(tag)) return `the tag "${tag}" is not v<major>.<minor>.<patch>`;
  if (tag.slice(1) !== packageVersion) {
    return `the tag ${tag} is not package.json's version ${packageVersion}: set "version" to ${tag.slice(1)} (or tag v${packageVersion}), commit, and tag again`;
  }
  return null;
}

export function packageVersion(root = REPO_ROOT): string {
  return (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
}

if (isMain(import.meta.url)) {
  const tag = process.argv[2] ?? '';
  const problem = tagVersionProblem(tag, packageVersion());
  if (problem !== null) {
    console.error(`✖ ${problem}`);
    process.exit(1);
  }
  console.log(`✔ ${tag} is package.json's version`);
}
