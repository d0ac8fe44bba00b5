// Where the packaged app finds its own files. Everything is resolved from this
// module's location (dist/src-main/app/), which works both from the source tree
// and from inside app.asar.

import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const appRoot = fileURLToPath(new URL('../../../', import.meta.url));

export const RENDERER_FOLDER = join(appRoot, 'dist', 'src-renderer');
export const PRELOAD_FILE = join(appRoot, 'dist', 'src-main', 'preload.cjs');
export const ASSETS_FOLDER = join(appRoot, 'assets');

export function assetPath(name: string): string {
  return join(ASSETS_FOLDER, name);
}
