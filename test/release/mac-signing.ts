// How the release signs the macOS app, decided from the secrets it was given:
//   - all of CSC_LINK, CSC_KEY_PASSWORD, APPLE_API_KEY, APPLE_API_KEY_ID and
//     APPLE_API_ISSUER: signed with the Developer ID certificate and notarized.
//     electron-builder.yml signs ad hoc (mac.identity "-"); `-c.mac.identity=`
//     lets it find the certificate CSC_LINK imports instead, and
//     `-c.forceCodeSigning=true` fails the build rather than ship unsigned.
//     APPLE_API_KEY (the .p8 key's text, as a secret holds it) is written to a
//     file, whose path is what electron-builder's notarization reads.
//   - none of them: ad hoc, as electron-builder.yml says; the app launches, and
//     the README tells users how to open it the first time.
//   - some but not all: a mistake in the repository's secrets, which fails.
// Run by .github/workflows/release.yml on macOS; it appends to $GITHUB_ENV.
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { isMain } from './yaml.js';

export const SIGNING_SECRETS = ['CSC_LINK', 'CSC_KEY_PASSWORD', 'APPLE_API_KEY', 'APPLE_API_KEY_ID', 'APPLE_API_ISSUER'] as const;

export interface MacSigning {
  readonly signed: boolean;
  /** Extra electron-builder arguments. */
  readonly args: readonly string[];
  /** Variables for the build step. */
  readonly env: Readonly<Record<string, string>>;
}

export function macSigning(env: NodeJS.ProcessEnv, keyFolder: string): MacSigning {
  const present = SIGNING_SECRETS.filter((name) => (env[name] ?? '') !== '');
  if (present.length === 0) return { signed: false, args: [], env: { MAC_SIGNED: 'false' } };
  if (present.length < SIGNING_SECRETS.length) {
    const missing = SIGNING_SECRETS.filter((name) => !present.includes(name));
    throw new Error(`macOS signing has ${present.join(', ')} but not ${missing.join(', ')}: set all five secrets, or none`);
  }
  const keyFile = join(keyFolder, `AuthKey_${env['APPLE_API_KEY_ID']}.p8`);
  writeFileSync(keyFile, `${env['APPLE_API_KEY']!.trim()}\n`, { mode: 0o600 });
  return {
    signed: true,
    args: ['-c.mac.identity=', '-c.forceCodeSigning=true'],
    env: { MAC_SIGNED: 'true', APPLE_API_KEY: keyFile },
  };
}

if (isMain(import.meta.url)) {
  try {
    const signing = macSigning(process.env, process.env['RUNNER_TEMP'] ?? tmpdir());
    const lines = [...Object.entries(signing.env).map(([key, value]) => `${key}=${value}`), `MAC_SIGNING_ARGS=${signing.args.join(' ')}`];
    // On GitHub, for the steps that follow; by hand, as lines to eval: eval "$(node dist/test/release/mac-signing.js)".
    if (process.env['GITHUB_ENV']) appendFileSync(process.env['GITHUB_ENV'], `${lines.join('\n')}\n`);
    else console.log(lines.map((line) => `export ${line.replace(/=(.*)$/, (_all, value: string) => `='${value.replace(/'/g, "'\\''")}'`)}`).join('\n'));
    console.error(signing.signed ? '✔ macOS: signed with the Developer ID certificate and notarized' : '✔ macOS: signed ad hoc (no signing secrets)');
  } catch (error) {
    console.error(`✖ ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
