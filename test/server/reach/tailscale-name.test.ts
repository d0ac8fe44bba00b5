// This computer's MagicDNS name for the home certificate, from `tailscale status
// --json`: a real program named `tailscale` on the PATH given (a shell script
// in a temp folder) answers as Tailscale's CLI does, and every way it can fail
// gives no name, never an error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { dnsNameFromStatus, tailscaleName, withTailscaleName } from '../../../src-main/server/reach/tailscale-name.js';
import { makeTempFolder } from '../../support/temp-folder.js';
import { FakeTailscale } from '../../support/fake-tailscale.js';

test("Self.DNSName of `tailscale status --json`, lower-cased and without MagicDNS's final dot", async (t) => {
  const fake = new FakeTailscale(makeTempFolder('ahs-tailscale-'));
  t.after(() => rmSync(fake.folder, { recursive: true, force: true }));
  fake.selfName('Desk.tail1234.ts.net.');
  assert.equal(await tailscaleName({ env: fake.env }), 'desk.tail1234.ts.net');
  assert.equal(fake.runs(), 1);
});

test('no name, never an error: no CLI, the daemon down, logged out, MagicDNS off, output that is not a name', async (t) => {
  const fake = new FakeTailscale(makeTempFolder('ahs-tailscale-'));
  t.after(() => rmSync(fake.folder, { recursive: true, force: true }));
  assert.equal(await tailscaleName({ env: fake.env }), null, 'no tailscale on PATH');
  fake.answer('failed to connect to local tailscaled; it doesn’t appear to be running', 1);
  assert.equal(await tailscaleName({ env: fake.env }), null, 'the daemon is not running');
  fake.answer(JSON.stringify({ BackendState: 'NeedsLogin', Self: { DNSName: '' } }));
  assert.equal(await tailscaleName({ env: fake.env }), null, 'logged out');
  fake.answer(JSON.stringify({ BackendState: 'Running', Self: { HostName: 'desk' } }));
  assert.equal(await tailscaleName({ env: fake.env }), null, 'MagicDNS off');
  fake.answer('{"Self": {"DNSName": "desk.tail1234.ts.net."');
  assert.equal(await tailscaleName({ env: fake.env }), null, 'cut-off JSON');
  assert.equal(fake.runs(), 4);
  assert.equal(dnsNameFromStatus('null'), null);
  assert.equal(dnsNameFromStatus('{"Self": {"DNSName": "desk.ts.net, evil.example"}}'), null, 'only a DNS name goes into a certificate');
  assert.equal(dnsNameFromStatus('{"Self": {"DNSName": "*.tail1234.ts.net"}}'), null);
  assert.equal(dnsNameFromStatus('{"Self": {"DNSName": 42}}'), null);
});

test('headless renewal keeps the names it has and adds the Tailscale name, only while a Tailscale address exists; a renamed machine drops its old name', async (t) => {
  const fake = new FakeTailscale(makeTempFolder('ahs-tailscale-'));
  t.after(() => rmSync(fake.folder, { recursive: true, force: true }));
  fake.selfName('study.tail1234.ts.net.');
  const eth0 = [
    {
      address: '192.168.1.20',
      netmask: '255.255.255.0',
      family: 'IPv4' as const,
      mac: '00:00:00:00:00:01',
      internal: false,
      cidr: '192.168.1.20/24',
    },
  ];
  const tailscale0 = [
    {
      address: '100.101.102.103',
      netmask: '255.192.0.0',
      family: 'IPv4' as const,
      mac: '00:00:00:00:00:00',
      internal: false,
      cidr: '100.101.102.103/10',
    },
  ];
  const served = ['anki-home.local', 'desk.tail1234.ts.net', '192.168.1.20'];

  assert.deepEqual(await withTailscaleName(served, { eth0 }, { env: fake.env }), served, 'no Tailscale address: the names as they are');
  assert.equal(fake.runs(), 0, 'and Tailscale is not asked');
  assert.deepEqual(await withTailscaleName(served, { eth0, tailscale0 }, { env: fake.env }), [
    'anki-home.local',
    '192.168.1.20',
    'study.tail1234.ts.net',
  ]);
  fake.answer('failed to connect to local tailscaled', 1);
  assert.deepEqual(await withTailscaleName(served, { eth0, tailscale0 }, { env: fake.env }), served, 'no answer: nothing dropped');
});
