// A client's version string, as a learner reads it. Clients name themselves in
// three shapes (rslib/src/version.rs, and the legacy clients' captures):
//   v11 header `c`:   "25.02,1a2b3c4d,linux"               (sync_client_version_short)
//   meta `cv`:        "anki,25.02 (1a2b3c4d),linux"         (sync_client_version)
//   legacy clients:   "ankidesktop,2.1.16 (4bc33e2f),lin:debian:12"
//                     "ankidroid,2.15.6,android:13:Pixel 7"  (AnkiDroid's Utils.platDesc)
// The Rust clients report the Anki version they are built on and the system
// (`env::consts::OS`, or PLATFORM when the build sets it): AnkiDroid says
// "android" and AnkiMobile "ios".
import { safeLogText } from './log.js';

const SYSTEMS: Readonly<Record<string, string>> = {
  linux: 'Linux',
  lin: 'Linux',
  macos: 'macOS',
  mac: 'macOS',
  darwin: 'macOS',
  windows: 'Windows',
  win: 'Windows',
  android: 'Android',
  ios: 'iOS',
};

export interface ClientDescription {
  /** "Anki", "AnkiDroid", "AnkiMobile", or the client's own name. */
  readonly app: string;
  readonly version: string;
  /** "Linux", "Android 13", …; empty when not said. */
  readonly system: string;
  /** "Anki 25.02 (Linux)", "AnkiDroid 2.15.6 (Android 13)". */
  readonly label: string;
}

function systemOf(platform: string): string {
  const [os, release] = platform.trim().split(':');
  const name = SYSTEMS[(os ?? '').toLowerCase()];
  if (name === undefined) return safeLogText(platform.trim()).slice(0, 40);
  // AnkiDroid's "android:13:Pixel 7" carries the Android release.
  return name === 'Android' && release !== undefined && /^[0-9.]+$/.test(release) ? `${name} ${release}` : name;
}

function appFor(name: string, system: string): string {
  const lower = name.toLowerCase();
  if (lower === 'ankidroid' || system.startsWith('Android')) return 'AnkiDroid';
  if (lower === 'ankimobile' || system === 'iOS') return 'AnkiMobile';
  if (lower === 'anki' || lower === 'ankidesktop' || lower === '') return 'Anki';
  return safeLogText(name).slice(0, 40);
}

/** A version string in any of the shapes above; null when it is empty or says nothing usable. */
export function describeClient(raw: string): ClientDescription | null {
  const text = raw.trim();
  if (text === '') return null;
  const parts = text.split(',');
  let name = '';
  let version: string;
  let platform: string;
  if (parts.length >= 3 && /^[0-9]/.test(parts[0]!)) {
    // Short form: version,buildhash,platform.
    version = parts[0]!;
    platform = parts.slice(2).join(',');
  } else if (parts.length >= 3) {
    name = parts[0]!;
    version = parts[1]!.replace(/\s*\(.*\)\s*$/, '');
    platform = parts.slice(2).join(',');
  } else {
    return { app: safeLogText(text).slice(0, 60), version: '', system: '', label: safeLogText(text).slice(0, 60) };
  }
  version = safeLogText(version.trim()).slice(0, 32);
  const system = systemOf(platform);
  const app = appFor(name, system);
  // The Rust clients on phones report the Anki version they are built on, not the app's own.
  const rustOnPhone = (name === '' || name.toLowerCase() === 'anki') && app !== 'Anki';
  const shown = rustOnPhone ? `${app} with Anki ${version}` : `${app} ${version}`;
  return { app, version, system, label: system === '' ? shown : `${shown} (${system})` };
}
