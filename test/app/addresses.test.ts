import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { NetworkInterfaceInfo } from 'node:os';
import { addressWarning, clientAddresses, qrCodeDataUrl } from '../../src-main/controller/addresses.js';

function v4(address: string, internal = false): NetworkInterfaceInfo {
  return { address, netmask: '255.255.255.0', family: 'IPv4', mac: '00:00:00:00:00:00', internal, cidr: `${address}/24` };
}
const v6: NetworkInterfaceInfo = {
  address: 'fe80::1',
  netmask: 'ffff::',
  family: 'IPv6',
  mac: '00:00:00:00:00:00',
  internal: false,
  cidr: 'fe80::1/64',
  scopeid: 1,
};

const table = { lo: [v4('127.0.0.1', true)], eth0: [v4('192.168.1.20'), v6], wlan0: [v4('10.0.0.7'), v4('169.254.3.4')] };

test('every non-internal IPv4 address, then localhost, as http://IP:PORT/', () => {
  assert.deepEqual(
    clientAddresses(8080, 'all-interfaces', table).map((a) => [a.url, a.kind]),
    [
      ['http://192.168.1.20:8080/', 'lan'],
      ['http://10.0.0.7:8080/', 'lan'],
      ['http://127.0.0.1:8080/', 'localhost'],
    ],
  );
  assert.equal(addressWarning(clientAddresses(8080, 'all-interfaces', table), 'all-interfaces'), null);
});

test('this-computer-only offers localhost alone and says why', () => {
  const addresses = clientAddresses(8081, 'this-computer-only', table);
  assert.deepEqual(
    addresses.map((a) => a.url),
    ['http://127.0.0.1:8081/'],
  );
  assert.match(addressWarning(addresses, 'this-computer-only')!, /only accepts this computer/);
});

test('no network: the learner is told to connect to Wi-Fi or Ethernet', () => {
  const addresses = clientAddresses(8080, 'all-interfaces', { lo: [v4('127.0.0.1', true)] });
  assert.equal(
    addressWarning(addresses, 'all-interfaces'),
    "This computer isn't connected to a network, so phones can't reach it. Connect to Wi-Fi or Ethernet.",
  );
});

test('the QR code is a PNG data URL', async () => {
  const url = await qrCodeDataUrl('http://192.168.1.20:8080/');
  assert.match(url, /^data:image\/png;base64,/);
  const png = Buffer.from(url.slice(url.indexOf(',') + 1), 'base64');
  assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47]);
  assert.ok(png.readUInt32BE(16) >= 200, 'wide enough to scan');
});
