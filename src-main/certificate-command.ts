// `anki-home-sync certificate make --names NAME,… --out FOLDER`: a home
// certificate authority for HTTPS without a domain (server/reach/home-authority.ts).
// It writes ca.pem (for devices to trust), ca.key (the root's key, 0600),
// server.pem (the chain) and server.key (0600), and the iOS profile
// ca.mobileconfig; run again, it keeps the root and issues a new server
// certificate when a name is new or the old one nears its end. It needs no
// SYNC_USER1, and prints the steps and the two variables to set.
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { appleRootProfile, ensureHomeCertificate, ROOT_PROFILE_PATH, rootCertificatePem } from './server/index.js';

const USAGE = 'usage: anki-home-sync certificate make --names NAME,IP,… --out FOLDER';

export const APPLE_PROFILE = 'ca.mobileconfig';

function optionsFrom(args: readonly string[]): { names: string[]; out: string } {
  if (args[0] !== 'make') throw new Error(USAGE);
  let names: string[] | null = null;
  let out: string | null = null;
  for (let i = 1; i < args.length; i++) {
    const arg = args[i]!;
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = inline ?? args[++i];
    if (value === undefined) throw new Error(`${flag} needs a value\n${USAGE}`);
    if (flag === '--names')
      names = value
        .split(',')
        .map((name) => name.trim())
        .filter((name) => name !== '');
    else if (flag === '--out') out = value;
    else throw new Error(`unknown option ${JSON.stringify(flag)}\n${USAGE}`);
  }
  if (names === null || names.length === 0) throw new Error(`--names is required: the names and addresses devices use\n${USAGE}`);
  if (out === null) throw new Error(`--out is required: the folder to write the files to\n${USAGE}`);
  return { names, out: resolve(out) };
}

/** The command; resolves with the exit status. */
export function certificateCommand(args: readonly string[]): number {
  try {
    const { names, out } = optionsFrom(args);
    const result = ensureHomeCertificate(out, names);
    const profile = resolve(out, APPLE_PROFILE);
    writeFileSync(profile, appleRootProfile(rootCertificatePem(out)), { mode: 0o644 });
    const { files } = result;
    const said =
      result.issued === null
        ? `The server certificate in ${out} already covers ${result.names.join(', ')}; nothing was changed.`
        : `${result.newRoot ? 'Made a new root certificate and' : 'Kept the root certificate and made'} a server certificate for ${result.names.join(', ')}, valid until ${result.validTo.toISOString().slice(0, 10)}.`;
    process.stdout.write(
      [
        said,
        '',
        'Start the server with:',
        `  SYNC_TLS_CERT=${files.serverCert}`,
        `  SYNC_TLS_KEY=${files.serverKey}`,
        '',
        `Then give each device the root certificate, ${files.rootCert} (once; it lasts 20 years):`,
        '  AnkiDroid: copy the whole text of ca.pem into Settings → Sync → Custom sync certificate.',
        `  iPhone, iPad (AnkiMobile): once the server runs, open https://<name>:<port>${ROOT_PROFILE_PATH} in Safari`,
        '    (tap Show Details, then "visit this website": the device does not trust the root yet), or open',
        `    ${APPLE_PROFILE} on the device (AirDrop, Mail or Files); install it in`,
        '    Settings → General → VPN & Device Management, then turn it on in',
        '    Settings → General → About → Certificate Trust Settings.',
        '  Windows: double-click ca.pem (rename it ca.crt first), Install Certificate → Current User →',
        '    "Place all certificates in the following store" → Trusted Root Certification Authorities.',
        '  macOS: double-click ca.pem to add it to Keychain Access, open it there, and under Trust choose',
        '    "Always Trust" for SSL.',
        '  Linux: sudo cp ca.pem /usr/local/share/ca-certificates/anki-home-sync.crt && sudo update-ca-certificates',
        `  In Anki, use https://<one of ${result.names.join(', ')}>:<port>/ as the sync server.`,
        '',
        `Keep ${files.rootKey} private (it is readable by you alone): whoever has it can make certificates`,
        'your devices trust. Run this command again with the same folder before the server certificate',
        'ends, or when an address changes: the root stays, so devices need nothing new.',
        '',
      ].join('\n'),
    );
    return 0;
  } catch (error) {
    process.stderr.write(`anki-home-sync: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
