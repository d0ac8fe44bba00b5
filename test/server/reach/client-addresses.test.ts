// The addresses devices can use, from os.networkInterfaces() shapes recorded on
// Linux, macOS and Windows machines (addresses changed, names and shapes kept):
// labels by where each works, Tailscale and WireGuard recognised, virtual
// bridges left out, and with HTTPS the certificate's names where they lead here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { NetworkInterfaceInfo } from 'node:os';
import {
  addressWarning,
  clientAddresses,
  resolveCertificateNames,
  type InterfaceTable,
} from '../../../src-main/server/reach/client-addresses.js';
import { qrCodeDataUrl } from '../../../src-main/controller/qr-code.js';

function v4(address: string, internal = false, netmask = '255.255.255.0'): NetworkInterfaceInfo {
  return { address, netmask, family: 'IPv4', mac: '3c:22:fb:10:20:30', internal, cidr: `${address}/24` };
}
function v6(address: string, internal = false, scopeid = 0): NetworkInterfaceInfo {
  return { address, netmask: 'ffff:ffff:ffff:ffff::', family: 'IPv6', mac: '3c:22:fb:10:20:30', internal, cidr: `${address}/64`, scopeid };
}

/** Debian laptop: Wi-Fi, Docker, Tailscale, WireGuard. */
const LINUX: InterfaceTable = {
  lo: [v4('127.0.0.1', true, '255.0.0.0'), v6('::1', true)],
  wlp2s0: [v4('192.168.1.31'), v6('fe80::3e22:fbff:fe10:2030', false, 3), v6('2a02:8109:b6c0:1a00::1f')],
  docker0: [v4('172.17.0.1', false, '255.255.0.0')],
  'br-5b7f1c9e2a41': [v4('172.18.0.1', false, '255.255.0.0')],
  tailscale0: [v4('100.101.102.103', false, '255.255.255.255'), v6('fd7a:115c:a1e0::e601:6667')],
  wg0: [v4('10.8.0.2')],
};

/** MacBook: en0 Wi-Fi, Tailscale on utun4, other utuns IPv6 link-local only, AirDrop's awdl0. */
const MACOS: InterfaceTable = {
  lo0: [v4('127.0.0.1', true, '255.0.0.0'), v6('::1', true), v6('fe80::1', true, 1)],
  en0: [v6('fe80::18a4:6ab2:3c4d:5e6f', false, 11), v4('192.168.178.24')],
  awdl0: [v6('fe80::a0b1:c2ff:fed3:e4f5', false, 12)],
  utun0: [v6('fe80::9f2a:1b3c:4d5e:6f70', false, 15)],
  utun4: [v4('100.88.12.7', false, '255.255.255.255')],
};

/** Windows 11: Wi-Fi, Hyper-V's WSL switch, VirtualBox, Tailscale. */
const WINDOWS: InterfaceTable = {
  'Wi-Fi': [v6('fe80::c4d1:2e3f:4a5b:6c7d', false, 14), v4('192.168.0.105')],
  'vEthernet (WSL (Hyper-V firewall))': [v4('172.29.96.1', false, '255.255.240.0')],
  'VirtualBox Host-Only Network': [v4('192.168.56.1')],
  Tailscale: [v6('fd7a:115c:a1e0::9d01:2f3a'), v4('100.70.33.44', false, '255.255.255.255')],
  'Loopback Pseudo-Interface 1': [v6('::1', true), v4('127.0.0.1', true, '255.0.0.0')],
};

const rows = (table: InterfaceTable, host = '0.0.0.0') =>
  clientAddresses({ host, port: 8080, interfaces: table }).map((a) => [a.url, a.label]);

test('Linux: Wi-Fi at home, then Tailscale, then WireGuard, then this computer; Docker bridges left out', () => {
  assert.deepEqual(rows(LINUX), [
    ['http://192.168.1.31:8080/', 'at home (Wi-Fi)'],
    ['http://100.101.102.103:8080/', 'anywhere your devices run Tailscale'],
    ['http://10.8.0.2:8080/', 'over your VPN (wg0)'],
    ['http://127.0.0.1:8080/', 'this computer only'],
  ]);
});

test('macOS: Tailscale on a utun interface; link-local-only interfaces left out', () => {
  assert.deepEqual(rows(MACOS), [
    ['http://192.168.178.24:8080/', 'at home (Wi-Fi)'],
    ['http://100.88.12.7:8080/', 'anywhere your devices run Tailscale'],
    ['http://127.0.0.1:8080/', 'this computer only'],
  ]);
});

test('Windows: the WSL switch and VirtualBox network left out, Tailscale recognised by name', () => {
  assert.deepEqual(rows(WINDOWS), [
    ['http://192.168.0.105:8080/', 'at home (Wi-Fi)'],
    ['http://100.70.33.44:8080/', 'anywhere your devices run Tailscale'],
    ['http://127.0.0.1:8080/', 'this computer only'],
  ]);
});

test('listening on :: adds global IPv6 addresses, never link-local ones', () => {
  const urls = clientAddresses({ host: '::', port: 8080, interfaces: LINUX }).map((a) => a.url);
  assert.ok(urls.includes('http://[2a02:8109:b6c0:1a00::1f]:8080/'));
  assert.ok(urls.includes('http://[fd7a:115c:a1e0::e601:6667]:8080/'), "Tailscale's IPv6 address too");
  assert.equal(urls.filter((u) => u.includes('fe80')).length, 0);
});

test('one address listened on: that address alone; this computer only offers loopback and says why', () => {
  assert.deepEqual(rows(LINUX, '192.168.1.31'), [['http://192.168.1.31:8080/', 'at home (Wi-Fi)']]);
  const loopback = clientAddresses({ host: '127.0.0.1', port: 8081, interfaces: LINUX });
  assert.deepEqual(
    loopback.map((a) => [a.url, a.place]),
    [['http://127.0.0.1:8081/', 'this-computer']],
  );
  assert.match(addressWarning(loopback, false)!, /only accepts this computer/);
  assert.equal(addressWarning(clientAddresses({ host: '0.0.0.0', port: 1, interfaces: LINUX }), true), null);
  assert.equal(
    addressWarning(clientAddresses({ host: '0.0.0.0', port: 1, interfaces: { lo: [v4('127.0.0.1', true)] } }), true),
    "This computer isn't connected to a network, so phones can't reach it. Connect to Wi-Fi or Ethernet.",
  );
});

test('HTTPS: a certificate name that resolves to an address is used for it; other addresses say which names would work', async () => {
  // `tailscale cert` gives a certificate for the MagicDNS name, which resolves to the Tailscale address.
  const certificate = { dnsNames: ['laptop.tail1234.ts.net'], ipAddresses: [] };
  const dns: Record<string, string[]> = { 'laptop.tail1234.ts.net': ['100.101.102.103'] };
  const namesByIp = await resolveCertificateNames(
    certificate.dnsNames,
    async (name) => dns[name] ?? Promise.reject(new Error('ENOTFOUND')),
  );
  const addresses = clientAddresses({ host: '0.0.0.0', port: 8443, interfaces: LINUX, certificate, namesByIp });
  assert.deepEqual(
    addresses.map((a) => a.url),
    ['https://laptop.tail1234.ts.net:8443/', 'https://192.168.1.31:8443/', 'https://10.8.0.2:8443/', 'https://127.0.0.1:8443/'],
    'the address given to Anki first is one the certificate covers, then those devices would refuse, this computer last',
  );
  const tailscale = addresses.find((a) => a.place === 'tailscale')!;
  assert.equal(tailscale.url, 'https://laptop.tail1234.ts.net:8443/');
  assert.equal(tailscale.note, null);
  const home = addresses.find((a) => a.place === 'home')!;
  assert.equal(home.url, 'https://192.168.1.31:8443/');
  assert.equal(
    home.note,
    'The certificate is for laptop.tail1234.ts.net, not 192.168.1.31, so devices will refuse this address. Use a name from the certificate that leads to this computer.',
  );
});

test('HTTPS: an IP in the certificate, and wildcard names, are honoured', async () => {
  const certificate = { dnsNames: ['*.home.example.org'], ipAddresses: ['192.168.1.31'] };
  const namesByIp = await resolveCertificateNames(certificate.dnsNames, async () => ['192.168.1.31']);
  assert.equal(namesByIp.size, 0, 'a wildcard cannot be looked up');
  const home = clientAddresses({ host: '0.0.0.0', port: 8443, interfaces: LINUX, certificate, namesByIp }).find((a) => a.place === 'home')!;
  assert.equal(home.url, 'https://192.168.1.31:8443/');
  assert.equal(home.note, null);
  const { certificateCovers } = await import('../../../src-main/server/reach/tls/certificate-pair.js');
  assert.equal(certificateCovers(certificate, 'sync.home.example.org'), true);
  assert.equal(certificateCovers(certificate, 'a.b.home.example.org'), false, 'a wildcard covers one label');
  assert.equal(certificateCovers(certificate, 'home.example.org'), false);
});

test('the QR code is a PNG data URL', async () => {
  const url = await qrCodeDataUrl('http://192.168.1.20:8080/');
  assert.match(url, /^data:image\/png;base64,/);
  const png = Buffer.from(url.slice(url.indexOf(',') + 1), 'base64');
  assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47]);
  assert.ok(png.readUInt32BE(16) >= 200, 'wide enough to scan');
});
