// Whether this copy of the app can install its own updates. On macOS the
// updater (Squirrel.Mac, inside electron-updater) installs only an app signed
// with a Developer ID, and checks the new version against that signature. A
// build without the release's signing secrets is signed ad hoc (electron-builder.yml
// `mac.identity: '-'`): it starts, but every update it downloads fails to
// install. Such a copy only says that a new version exists, with a link to
// download it, instead of downloading what it cannot install. Windows and Linux
// builds install their updates whatever their signature.
import { execFile } from 'node:child_process';
import { dirname } from 'node:path';

export type MacSignature = 'developer-id' | 'ad-hoc' | 'other';

/** How long `codesign` may take; a stuck one must not hold up the start. */
const CODESIGN_TIMEOUT_MS = 10_000;

/** The .app bundle holding an executable at `<bundle>/Contents/MacOS/<name>`. */
export function bundleOf(execPath: string): string {
  return dirname(dirname(dirname(execPath)));
}

/** Reads what `codesign -dv --verbose=2` printed (on stderr) about a bundle. */
export function signatureFromCodesign(output: string): MacSignature {
  if (/^Signature=adhoc$/m.test(output)) return 'ad-hoc';
  if (/^Authority=Developer ID Application: /m.test(output)) return 'developer-id';
  return 'other';
}

/** The bundle's signature, asked of macOS's own `codesign`; 'other' when it cannot tell. Never rejects. */
export function macSignature(bundle: string, env: NodeJS.ProcessEnv = process.env): Promise<MacSignature> {
  return new Promise((resolve) => {
    try {
      execFile('codesign', ['-dv', '--verbose=2', bundle], { env, timeout: CODESIGN_TIMEOUT_MS }, (error, _stdout, stderr) => {
        resolve(error === null ? signatureFromCodesign(String(stderr)) : 'other');
      });
    } catch {
      resolve('other');
    }
  });
}

/** Whether the updater may download and install: everywhere but on a Mac without a Developer ID signature. */
export async function updatesInstall(platform: NodeJS.Platform, execPath: string, env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  if (platform !== 'darwin') return true;
  return (await macSignature(bundleOf(execPath), env)) === 'developer-id';
}
