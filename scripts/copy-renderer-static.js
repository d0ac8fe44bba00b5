// Copies the window's HTML and CSS next to its compiled scripts in
// dist/src-renderer/, the one folder the app and the browser tests serve.
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const from = 'src-renderer';
const to = join('dist', 'src-renderer');
mkdirSync(to, { recursive: true });
for (const name of readdirSync(from)) {
  if (name.endsWith('.html') || name.endsWith('.css') || name.endsWith('.png')) copyFileSync(join(from, name), join(to, name));
}
