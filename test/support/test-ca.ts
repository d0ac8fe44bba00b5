// A certificate authority for tests, made with openssl: a root, optionally an
// intermediate, and server certificates for the names and addresses asked for.
// RSA keys, so that the same commands work with OpenSSL and LibreSSL (macOS).
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

export interface TestAuthority {
  readonly folder: string;
  /** The root certificate, PEM: what test clients trust. */
  readonly rootPem: Buffer;
  /** Issues a server certificate; returns its files. `days` 0 makes one that has already expired. */
  issue(name: string, options: IssueOptions): IssuedPair;
}

export interface IssueOptions {
  readonly dnsNames?: readonly string[];
  readonly ipAddresses?: readonly string[];
  readonly days?: number;
  /** Signed by an intermediate CA, and the certificate file holds the chain (leaf, intermediate). */
  readonly viaIntermediate?: boolean;
}

export interface IssuedPair {
  readonly certFile: string;
  readonly keyFile: string;
}

/** A new RSA key `<name>.key` and its signing request `<name>.csr` for `subject`. */
function keyAndRequest(name: string, subject: string, cwd: string): void {
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject], cwd);
}

/** Signs `<name>.csr` with `<issuer>.pem`/`.key` into `out`, with the extensions in `ext`. */
function sign(name: string, issuer: string, out: string, days: number, ext: string, cwd: string): void {
  openssl(
    [
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      `${issuer}.pem`,
      '-CAkey',
      `${issuer}.key`,
      '-CAcreateserial',
      '-out',
      out,
      '-days',
      String(days),
      '-extfile',
      ext,
    ],
    cwd,
  );
}

export function createTestAuthority(folder: string): TestAuthority {
  openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'root.key',
      '-out',
      'root.pem',
      '-days',
      '30',
      '-subj',
      '/CN=Anki Home Sync Test Root',
    ],
    folder,
  );
  writeFileSync(join(folder, 'ca.ext'), 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n');
  keyAndRequest('intermediate', '/CN=Anki Home Sync Test Intermediate', folder);
  sign('intermediate', 'root', 'intermediate.pem', 30, 'ca.ext', folder);
  return {
    folder,
    rootPem: readFileSync(join(folder, 'root.pem')),
    issue(name, options) {
      const san = [...(options.dnsNames ?? []).map((n) => `DNS:${n}`), ...(options.ipAddresses ?? []).map((ip) => `IP:${ip}`)].join(',');
      writeFileSync(join(folder, `${name}.ext`), `subjectAltName=${san}\nextendedKeyUsage=serverAuth\n`);
      keyAndRequest(name, `/CN=${options.dnsNames?.[0] ?? name}`, folder);
      sign(name, options.viaIntermediate === true ? 'intermediate' : 'root', `${name}.leaf.pem`, options.days ?? 30, `${name}.ext`, folder);
      const leaf = readFileSync(join(folder, `${name}.leaf.pem`));
      const chain = options.viaIntermediate === true ? Buffer.concat([leaf, readFileSync(join(folder, 'intermediate.pem'))]) : leaf;
      const certFile = join(folder, `${name}.pem`);
      writeFileSync(certFile, chain);
      return { certFile, keyFile: join(folder, `${name}.key`) };
    },
  };
}
