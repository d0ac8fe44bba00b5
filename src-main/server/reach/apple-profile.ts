// The root certificate as an iOS/iPadOS configuration profile (.mobileconfig):
// AnkiMobile uses the system's trust store, and a profile is how an iPhone
// installs a root. Opened on the iPhone (AirDrop, Mail, Files, or Safari), it
// appears under Settings → General → VPN & Device Management; once installed,
// the root must still be switched on under General → About → Certificate Trust
// Settings. The profile carries the certificate only, never a key.
import { createHash, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { homeAuthorityFiles } from './home-authority.js';

/** The file name the download is given. */
export const ROOT_PROFILE_FILE = 'anki-home-sync-root.mobileconfig';

/**
 * The profile of the root in the authority's `folder`, made afresh from its
 * certificate (ca.pem: the only file of that folder read for a device, and only
 * its certificate goes out), or null when there is no authority.
 */
export async function servedRootProfile(folder: string | null): Promise<string | null> {
  if (folder === null) return null;
  try {
    const pem = await readFile(homeAuthorityFiles(folder).rootCert, 'utf8');
    return appleRootProfile(pem);
  } catch {
    // No root yet, or a file that is not a certificate: nothing to offer.
    return null;
  }
}

/** A UUID made from the certificate, so the same root always makes the same profile. */
function uuidFrom(der: Buffer, salt: string): string {
  const hex = createHash('sha256').update(salt).update(der).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`.toUpperCase();
}

function xml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function appleRootProfile(rootPem: string): string {
  const cert = new X509Certificate(rootPem);
  const der = cert.raw;
  const name = /CN=([^\n]+)/.exec(cert.subject)?.[1] ?? 'Anki Home Sync root';
  const base64 = der.toString('base64').replace(/(.{64})/g, '$1\n');
  const id = `net.ankihomesync.root.${createHash('sha256').update(der).digest('hex').slice(0, 16)}`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
  <key>PayloadContent</key>
  <array>
    <dict>
      <key>PayloadCertificateFileName</key>
      <string>anki-home-sync-root.cer</string>
      <key>PayloadContent</key>
      <data>
${base64}
      </data>
      <key>PayloadDescription</key>
      <string>Lets this device trust your Anki Home Sync server's HTTPS certificate.</string>
      <key>PayloadDisplayName</key>
      <string>${xml(name)}</string>
      <key>PayloadIdentifier</key>
      <string>${id}.certificate</string>
      <key>PayloadType</key>
      <string>com.apple.security.root</string>
      <key>PayloadUUID</key>
      <string>${uuidFrom(der, 'certificate')}</string>
      <key>PayloadVersion</key>
      <integer>1</integer>
    </dict>
  </array>
  <key>PayloadDescription</key>
  <string>The root certificate of your Anki Home Sync server, so that Anki on this device can sync with it over HTTPS.</string>
  <key>PayloadDisplayName</key>
  <string>${xml(name)}</string>
  <key>PayloadIdentifier</key>
  <string>${id}</string>
  <key>PayloadRemovalDisallowed</key>
  <false/>
  <key>PayloadType</key>
  <string>Configuration</string>
  <key>PayloadUUID</key>
  <string>${uuidFrom(der, 'profile')}</string>
  <key>PayloadVersion</key>
  <integer>1</integer>
</dict>
</plist>
`;
}
