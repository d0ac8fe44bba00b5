// A certificate authority of one's own, for HTTPS at home without a domain: a
// root that each device is asked to trust once (AnkiDroid takes exactly one
// custom PEM root, rslib/src/backend/mod.rs set_custom_certificate_inner; desktops
// and iPhones install it), and a server certificate it signs for every address
// the server is reached by. The root's key never leaves its folder (0600) and is
// never served: the server serves nothing but the sync methods. The X.509 work is
// node-forge's; keys come from node:crypto.
//
// The files, in one folder:
//   ca.pem       the root certificate: what devices trust
//   ca.key       the root's key, 0600
//   server.pem   the server certificate, then the root (the chain), for SYNC_TLS_CERT
//   server.key   its key, 0600, for SYNC_TLS_KEY
// Each is replaced whole (written beside, fsynced, renamed): the certificate
// watcher (tls/certificate-watcher.ts) then serves the new pair to new
// connections, and syncs on open ones carry on.
import { generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { dirname, join } from 'node:path';
import forge from 'node-forge';
import { makeFolderSync, writeFileDurablySync } from '../storage/durable.js';

export const ROOT_CERT = 'ca.pem';
export const ROOT_KEY = 'ca.key';
export const SERVER_CERT = 'server.pem';
export const SERVER_KEY = 'server.key';

const DAY_MS = 24 * 60 * 60 * 1000;
/** The root lasts as long as a device is likely to: trusting it again is the chore this spares. */
const ROOT_DAYS = 20 * 365;
/**
 * The server certificate lasts 397 days, the most browsers and Apple accept of a
 * certificate from a root they were given (Apple: 825; publicly trusted: 398).
 */
const SERVER_DAYS = 397;
/** Renewed this long before it ends: well before the 14 days at which learners would be told. */
export const RENEW_BEFORE_DAYS = 60;

export interface HomeAuthorityFiles {
  readonly folder: string;
  readonly rootCert: string;
  readonly rootKey: string;
  readonly serverCert: string;
  readonly serverKey: string;
}

export function homeAuthorityFiles(folder: string): HomeAuthorityFiles {
  return {
    folder,
    rootCert: join(folder, ROOT_CERT),
    rootKey: join(folder, ROOT_KEY),
    serverCert: join(folder, SERVER_CERT),
    serverKey: join(folder, SERVER_KEY),
  };
}

/** Why the server certificate was (re)issued, or null when the one there still serves. */
export type IssueReason = 'new' | 'expiring' | 'names-changed' | 'root-changed' | null;

export interface EnsureResult {
  readonly files: HomeAuthorityFiles;
  /** Whether a root was made now (devices must be given it). */
  readonly newRoot: boolean;
  readonly issued: IssueReason;
  readonly names: readonly string[];
  readonly validTo: Date;
}

function serial(): string {
  // Positive, 16 random bytes: unique per certificate, as browsers require.
  const bytes = randomBytes(16);
  bytes[0] = bytes[0]! & 0x7f;
  return bytes.toString('hex');
}

function newKeyPair(): { privatePem: string; keys: forge.pki.rsa.KeyPair } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const key = forge.pki.privateKeyFromPem(privatePem);
  return { privatePem, keys: { privateKey: key, publicKey: forge.pki.setRsaPublicKey(key.n, key.e) } };
}

function validity(cert: forge.pki.Certificate, now: number, days: number): void {
  // An hour back, for devices whose clock is a little behind.
  cert.validity.notBefore = new Date(now - 60 * 60 * 1000);
  cert.validity.notAfter = new Date(now + days * DAY_MS);
}

/** The root's common name says whose it is, so a device's list of trusted roots shows where it came from. */
function makeRoot(files: HomeAuthorityFiles, label: string, now: number): void {
  const { privatePem, keys } = newKeyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serial();
  validity(cert, now, ROOT_DAYS);
  const name = [
    { name: 'commonName', value: `Anki Home Sync root (${label})` },
    { name: 'organizationName', value: 'Anki Home Sync' },
  ];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  // The key first: a root certificate without its key could never sign again.
  writeFileDurablySync(files.rootKey, privatePem, 0o600);
  writeFileDurablySync(files.rootCert, forge.pki.certificateToPem(cert), 0o644);
}

/** DNS names and IPs in the order given, lower-cased, once each; empty entries dropped. */
export function normalizeNames(names: readonly string[]): string[] {
  const seen = new Set<string>();
  for (const raw of names) {
    const name = raw.trim().replace(/^\[|\]$/g, '');
    if (name === '') continue;
    seen.add(isIP(name) === 0 ? name.toLowerCase().replace(/\.$/, '') : name);
  }
  return [...seen];
}

function issueServer(files: HomeAuthorityFiles, names: readonly string[], now: number): void {
  const rootPem = readFileSync(files.rootCert, 'utf8');
  const root = forge.pki.certificateFromPem(rootPem);
  const rootKey = forge.pki.privateKeyFromPem(readFileSync(files.rootKey, 'utf8'));
  const { privatePem, keys } = newKeyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serial();
  validity(cert, now, SERVER_DAYS);
  cert.setSubject([{ name: 'commonName', value: names.find((n) => isIP(n) === 0) ?? names[0]! }]);
  cert.setIssuer(root.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    // iOS and macOS refuse a server certificate without serverAuth or without the names in its SAN.
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: names.map((n) => (isIP(n) === 0 ? { type: 2, value: n } : { type: 7, ip: n })) },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: root.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(rootKey, forge.md.sha256.create());
  // The key is replaced first: the watcher reads the pair once both files are quiet.
  writeFileDurablySync(files.serverKey, privatePem, 0o600);
  writeFileDurablySync(files.serverCert, forge.pki.certificateToPem(cert) + rootPem, 0o644);
}

/** Why the certificate in `files` no longer serves `names` at `now`; null when it does. */
function staleness(files: HomeAuthorityFiles, names: readonly string[], now: number): IssueReason {
  if (!existsSync(files.serverCert) || !existsSync(files.serverKey)) return 'new';
  let leaf: X509Certificate;
  let root: X509Certificate;
  try {
    leaf = new X509Certificate(readFileSync(files.serverCert));
    root = new X509Certificate(readFileSync(files.rootCert));
  } catch {
    return 'new';
  }
  if (!leaf.checkIssued(root) || !leaf.verify(root.publicKey)) return 'root-changed';
  if (new Date(leaf.validTo).getTime() - now < RENEW_BEFORE_DAYS * DAY_MS) return 'expiring';
  const covered = new Set(
    (leaf.subjectAltName ?? '')
      .split(', ')
      .map((entry) => entry.replace(/^(DNS|IP Address):/, '').toLowerCase())
      .filter((entry) => entry !== ''),
  );
  if (names.some((name) => !covered.has(name.toLowerCase()))) return 'names-changed';
  return null;
}

/**
 * Makes the root if `folder` has none, then (re)issues the server certificate
 * when it is missing, signed by another root, within RENEW_BEFORE_DAYS of its
 * end, or missing one of `names` (an address changed). Names it holds beyond
 * `names` do no harm and are kept only until the next issue.
 */
export function ensureHomeCertificate(
  folder: string,
  wanted: readonly string[],
  options: { readonly label?: string; readonly now?: number } = {},
): EnsureResult {
  const names = normalizeNames(wanted);
  if (names.length === 0) throw new Error('a certificate needs at least one name or address');
  const now = options.now ?? Date.now();
  const files = homeAuthorityFiles(folder);
  makeFolderSync(folder);
  const newRoot = !existsSync(files.rootCert) || !existsSync(files.rootKey);
  if (newRoot) makeRoot(files, options.label ?? names.find((n) => isIP(n) === 0) ?? 'home', now);
  const issued = staleness(files, names, now);
  if (issued !== null) issueServer(files, names, now);
  const leaf = new X509Certificate(readFileSync(files.serverCert));
  return { files, newRoot, issued, names, validTo: new Date(leaf.validTo) };
}

/** The root certificate, PEM: what AnkiDroid's "custom sync certificate" takes, and the QR code holds. */
export function rootCertificatePem(folder: string): string {
  return readFileSync(homeAuthorityFiles(folder).rootCert, 'utf8');
}

/** The authority's folder when `tls` is a pair it made (its root and key beside it, under our names); null otherwise. */
export function homeAuthorityOf(tls: { readonly certFile: string; readonly keyFile: string } | undefined): string | null {
  if (tls === undefined) return null;
  const folder = dirname(tls.certFile);
  const files = homeAuthorityFiles(folder);
  if (files.serverCert !== tls.certFile || files.serverKey !== tls.keyFile) return null;
  return existsSync(files.rootCert) && existsSync(files.rootKey) ? folder : null;
}

/**
 * For the headless server: when the pair it serves is one this module made (the
 * root and its key beside it, under our file names), renews it before its end
 * for the same names, and says why; null when nothing was due or the pair is
 * someone else's (a Tailscale or ACME pair, renewed by its own tool).
 */
export function renewIfHomeCertificate(
  tls: { readonly certFile: string; readonly keyFile: string },
  names: readonly string[],
  now?: number,
): IssueReason {
  const folder = homeAuthorityOf(tls);
  if (folder === null || names.length === 0) return null;
  return ensureHomeCertificate(folder, names, now === undefined ? {} : { now }).issued;
}
