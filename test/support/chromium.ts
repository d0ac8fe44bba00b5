// Finding a Chromium for the window's tests, which drive it with playwright-core
// (no browser download). CHROMIUM_PATH wins; then the usual names on PATH.
// Without one, the browser tests are skipped outside CI and fail at once in CI
// (CI=true), so a missing browser is never a silent pass there.
import { test, type TestContext, type TestOptions } from 'node:test';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

const NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];

export const CHROMIUM_MISSING =
  'Chromium not found: install it (Debian/Ubuntu: apt-get install chromium) or set CHROMIUM_PATH to its executable';

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The browser to launch, or null when there is none. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | null {
  const configured = env['CHROMIUM_PATH'];
  if (configured !== undefined && configured !== '') return isExecutable(configured) ? configured : null;
  for (const folder of (env['PATH'] ?? '').split(delimiter)) {
    if (folder === '') continue;
    for (const name of NAMES) {
      const candidate = join(folder, name);
      if (isExecutable(candidate)) return candidate;
    }
  }
  return null;
}

export function inCi(env: NodeJS.ProcessEnv = process.env): boolean {
  return env['CI'] === 'true' || env['CI'] === '1';
}

/**
 * A test that needs the browser: `fn` gets the executable's path. Skipped, with
 * the reason, when there is no browser; in CI it fails at once instead.
 */
export function browserTest(name: string, options: TestOptions, fn: (t: TestContext, chromium: string) => Promise<void>): void {
  const chromium = findChromium();
  if (chromium === null && !inCi()) {
    test(name, { ...options, skip: CHROMIUM_MISSING });
    return;
  }
  test(name, options, async (t) => {
    if (chromium === null) throw new Error(`${CHROMIUM_MISSING} (CI=true: the browser tests must run)`);
    await fn(t, chromium);
  });
}
