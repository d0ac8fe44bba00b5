// A certificate and its key, read from the PEM files the user gave
// (SYNC_TLS_CERT, SYNC_TLS_KEY, or the app's two file pickers), checked the way a
// learner needs it checked: each problem is one sentence that says what to do.
// The certificate file may hold the whole chain (leaf first, as `tailscale cert`
// and ACME tools write it); it is served as it is.
import { readFileSync } from 'node:fs';
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';

/** A pair that cannot be served: the message is for the person who chose the files. */
export class CertificateError extends Error {}

export interface CertificatePair {
  readonly certFile: string;
  readonly keyFile: string;
  /** The certificate file's bytes, chain included. */
  readonly cert: Buffer;
  readonly key: Buffer;
  /** DNS names and IP addresses the leaf certificate is valid for. */
  readonly dnsNames: readonly string[];
  readonly ipAddresses: readonly string[];
  readonly validTo: Date;
  readonly fingerprint: string;
}

const WARN_BEFORE_MS = 14 * 24 * 60 * 60 * 1000;
const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
const PEM_KEY = /-----BEGIN (?:RSA |EC |ENCRYPTED )?PRIVATE KEY-----/;

function readPem(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'it does not exist'
        : code === 'EACCES' || code === 'EPERM'
          ? 'permission denied'
          : code === 'EISDIR'
            ? 'it is a folder'
            : String(error);
    throw new CertificateError(`Couldn't read the ${what} file ${path}: ${why}.`, { cause: error });
  }
}

/** Reads and checks both files; throws a CertificateError that says what is wrong. */
export function loadCertificatePair(certFile: string, keyFile: string): CertificatePair {
  const cert = readPem(certFile, 'certificate');
  const key = readPem(keyFile, 'key');
  const certs = cert.toString('latin1').match(PEM_CERT);
  if (certs === null) {
    throw new CertificateError(
      `${certFile} is not a PEM certificate: it should contain a block that begins "-----BEGIN CERTIFICATE-----".`,
    );
  }
  const keyText = key.toString('latin1');
  if (!PEM_KEY.test(keyText)) {
    if (keyText.includes('-----BEGIN CERTIFICATE-----')) {
      throw new CertificateError(
        `${keyFile} holds a certificate, not a private key. Choose the key file (often named ….key or privkey.pem).`,
      );
    }
    throw new CertificateError(`${keyFile} is not a PEM private key: it should begin "-----BEGIN PRIVATE KEY-----".`);
  }
  if (keyText.includes('-----BEGIN ENCRYPTED PRIVATE KEY-----')) {
    throw new CertificateError(`${keyFile} is protected by a passphrase. Give a key file without one (the server starts unattended).`);
  }
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(certs[0]);
  } catch (error) {
    throw new CertificateError(`${certFile} looks like PEM but its certificate cannot be read: ${(error as Error).message}.`, {
      cause: error,
    });
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(key);
  } catch (error) {
    throw new CertificateError(`${keyFile} looks like PEM but its key cannot be read: ${(error as Error).message}.`, { cause: error });
  }
  if (!leaf.checkPrivateKey(privateKey)) {
    throw new CertificateError(
      `The key in ${keyFile} does not belong to the certificate in ${certFile}. Use the key that was made together with this certificate.`,
    );
  }
  const { dnsNames, ipAddresses } = subjectNames(leaf);
  return { certFile, keyFile, cert, key, dnsNames, ipAddresses, validTo: new Date(leaf.validTo), fingerprint: leaf.fingerprint256 };
}

/** The names in subjectAltName, or the subject's CN when there are none (as old certificates have). */
function subjectNames(leaf: X509Certificate): { dnsNames: string[]; ipAddresses: string[] } {
  const dnsNames: string[] = [];
  const ipAddresses: string[] = [];
  for (const part of (leaf.subjectAltName ?? '').split(/,\s*/)) {
    const [type, ...rest] = part.split(':');
    const value = rest.join(':').replace(/^"|"$/g, '');
    if (type === 'DNS' && value !== '') dnsNames.push(value.toLowerCase());
    if (type === 'IP Address' && value !== '') ipAddresses.push(value);
  }
  if (dnsNames.length === 0 && ipAddresses.length === 0) {
    const cn = /(?:^|\n)CN=([^\n]+)/.exec(leaf.subject)?.[1];
    if (cn !== undefined) dnsNames.push(cn.toLowerCase());
  }
  return { dnsNames, ipAddresses };
}

/** Expired, or expiring within 14 days: a sentence for the window and the log; null while it is fine. */
export function expiryWarning(pair: CertificatePair, now = Date.now()): string | null {
  const left = pair.validTo.getTime() - now;
  const day = pair.validTo.toISOString().slice(0, 10);
  if (left <= 0) {
    return `The HTTPS certificate expired on ${day}. Devices will refuse to sync until it is renewed (for Tailscale: run "tailscale cert" again).`;
  }
  if (left <= WARN_BEFORE_MS) {
    const days = Math.max(1, Math.ceil(left / (24 * 60 * 60 * 1000)));
    return `The HTTPS certificate expires on ${day}, in ${days} day${days === 1 ? '' : 's'}. Renew it before then; the server picks up the new files by itself.`;
  }
  return null;
}

/** Whether `host` (a DNS name or an IP) is covered by the certificate, wildcards included. */
export function certificateCovers(pair: Pick<CertificatePair, 'dnsNames' | 'ipAddresses'>, host: string): boolean {
  const name = host.toLowerCase();
  if (pair.ipAddresses.includes(host)) return true;
  return pair.dnsNames.some((pattern) => {
    if (pattern === name) return true;
    if (!pattern.startsWith('*.')) return false;
    const suffix = pattern.slice(1);
    return name.endsWith(suffix) && !name.slice(0, -suffix.length).includes('.') && name.length > suffix.length;
  });
}
