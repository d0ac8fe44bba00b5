// js-yaml, which electron-builder brings (it writes latest*.yml with it), for
// the release checks that read and write those files.
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPO_ROOT } from '../support/fixture-paths.js';

const yaml = createRequire(join(REPO_ROOT, 'package.json'))('js-yaml') as {
  load: (text: string) => unknown;
  dump: (value: unknown, options?: { lineWidth?: number }) => string;
};

export const loadYaml = (text: string): unknown => yaml.load(text);
export const dumpYaml = (value: unknown): string => yaml.dump(value, { lineWidth: -1 });

/** Whether the module at `moduleUrl` is the script node was started with (the workflow runs these as commands). */
export function isMain(moduleUrl: string): boolean {
  const script = process.argv[1];
  return script !== undefined && fileURLToPath(moduleUrl) === resolve(script);
}
