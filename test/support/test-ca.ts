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
  openssl(
    [
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'intermediate.key',
      '-out',
      'intermediate.csr',
      '-subj',
      '/CN=Anki Home Sync Test Intermediate',
    ],
    folder,
  );
  openssl(
    [
      'x509',
      '-req',
      '-in',
      'intermediate.csr',
      '-CA',
      'root.pem',
      '-CAkey',
      'root.key',
      '-CAcreateserial',
      '-out',
      'intermediate.pem',
      '-days',
      '30',
      '-extfile',
      'ca.ext',
    ],
    folder,
  );
  return {
    folder,
    rootPem: readFileSync(join(folder, 'root.pem')),
    issue(name, options) {
      const san = [...(options.dnsNames ?? []).map((n) => `DNS:${n}`), ...(options.ipAddresses ?? []).map((ip) => `IP:${ip}`)].join(',');
      writeFileSync(join(folder, `${name}.ext`), `subjectAltName=${san}\nextendedKeyUsage=serverAuth\n`);
      openssl(
        [
          'req',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-keyout',
          `${name}.key`,
          '-out',
          `${name}.csr`,
          '-subj',
          `/CN=${options.dnsNames?.[0] ?? name}`,
        ],
        folder,
      );
      const issuer = options.viaIntermediate === true ? 'intermediate' : 'root';
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
          `${name}.leaf.pem`,
          '-days',
          String(options.days ?? 30),
          '-extfile',
          `${name}.ext`,
        ],
        folder,
      );
      const leaf = readFileSync(join(folder, `${name}.leaf.pem`));
      const chain = options.viaIntermediate === true ? Buffer.concat([leaf, readFileSync(join(folder, 'intermediate.pem'))]) : leaf;
      const certFile = join(folder, `${name}.pem`);
      writeFileSync(certFile, chain);
      return { certFile, keyFile: join(folder, `${name}.key`) };
    },
  };
}
