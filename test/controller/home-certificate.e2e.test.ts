// "Make my own certificate" in the app (issue 25 §2): the controller makes the
// home authority beside the settings, restarts the server with HTTPS, and keeps
// the certificate current: a new address or a near end re-issues it under the
// same root, and the running server serves it without a restart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, statSync } from 'node:fs';
import { connect } from 'node:tls';
import { setTimeout as sleep } from 'node:timers/promises';
import type { NetworkInterfaceInfo } from 'node:os';
import { createTestApp } from '../support/controller-harness.js';
import { V11Client } from '../support/v11-client.js';
import { trustAuthority } from '../support/v11-transport.js';
import { FakeTailscale } from '../support/fake-tailscale.js';
import { makeTempFolder } from '../support/temp-folder.js';
import { tailscaleName } from '../../src-main/server/reach/tailscale-name.js';
import { X509Certificate } from 'node:crypto';

const DAY_MS = 24 * 60 * 60 * 1000;

function lan(address: string): NodeJS.Dict<NetworkInterfaceInfo[]> {
  return {
    eth0: [{ address, netmask: '255.255.255.0', family: 'IPv4', mac: '00:00:00:00:00:01', internal: false, cidr: `${address}/24` }],
  };
}

function servedNames(port: number, root: string, servername: string): Promise<{ authorized: boolean; names: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, servername, ca: root, rejectUnauthorized: false }, () => {
      const result = { authorized: socket.authorized, names: socket.getPeerCertificate().subjectaltname ?? '' };
      socket.end();
      resolve(result);
    });
    socket.once('error', reject);
  });
}

test(
  '"Make my own certificate": HTTPS for every address shown, a root each device trusts, renewed when an address changes or its end nears',
  { timeout: 60_000 },
  async (t) => {
    let interfaces = lan('192.168.1.20');
    const app = await createTestApp(t, { networkInterfaces: () => interfaces, stableName: () => 'desk.local' });
    await app.controller.addUser('alice', 'pw-alice');
    assert.equal((await app.controller.state()).homeCertificate, null);

    await app.controller.makeHomeCertificate();
    const state = await app.controller.state();
    const home = state.homeCertificate;
    assert.ok(home !== null, 'the window shows what each device needs');
    assert.match(home.rootPem, /^-----BEGIN CERTIFICATE-----/);
    assert.deepEqual([...home.names].sort(), ['127.0.0.1', '192.168.1.20', 'desk.local', 'localhost'].sort());
    assert.equal(state.server.state, 'running');
    assert.ok(state.addresses.every((a) => a.url.startsWith('https://')));
    const { rootKey } = app.controller.home.files;
    assert.equal(statSync(rootKey).mode & 0o777, 0o600, "the root's key is the owner's alone");
    assert.ok(!rootKey.startsWith(app.storage), 'and it is kept outside the storage folder the server serves');
    assert.match(readFileSync(home.profileFile, 'utf8'), /com\.apple\.security\.root/);
    assert.equal(home.profileUrl, null, 'served on this computer only: no phone could open the profile from the server');

    // A device that trusts only that root syncs.
    trustAuthority(Buffer.from(home.rootPem));
    t.after(() => trustAuthority(undefined));
    assert.match(await new V11Client(app.base()).login('alice', 'pw-alice'), /^[0-9a-f]{40}$/);

    // DHCP gives this computer another address: the next look re-issues the certificate for it, same root.
    interfaces = lan('192.168.1.42');
    await app.controller.checkReach();
    const port = app.controller.currentPort();
    let served = await servedNames(port, home.rootPem, 'localhost');
    for (let i = 0; i < 200 && !served.names.includes('192.168.1.42'); i++) {
      await sleep(50);
      served = await servedNames(port, home.rootPem, 'localhost');
    }
    assert.match(served.names, /IP Address:192\.168\.1\.42/, 'the server serves the new certificate without a restart');
    assert.equal(served.authorized, true);
    assert.equal((await app.controller.state()).homeCertificate?.rootPem, home.rootPem, 'devices need nothing new');
    const activity = (await app.controller.state()).activity.map((entry) => entry.message);
    assert.ok(activity.includes('Your certificate was renewed for a changed address; devices need nothing new.'), activity.join('\n'));

    // Sixty days before its end, it is renewed.
    const before = readFileSync(app.controller.home.files.serverCert, 'utf8');
    await app.controller.checkReach(Date.now() + 300 * DAY_MS);
    assert.equal(readFileSync(app.controller.home.files.serverCert, 'utf8'), before, 'not yet');
    await app.controller.checkReach(Date.now() + 340 * DAY_MS);
    assert.notEqual(readFileSync(app.controller.home.files.serverCert, 'utf8'), before);
  },
);

function onTailscale(address: string): NodeJS.Dict<NetworkInterfaceInfo[]> {
  return {
    ...lan('192.168.1.20'),
    tailscale0: [{ address, netmask: '255.192.0.0', family: 'IPv4', mac: '00:00:00:00:00:00', internal: false, cidr: `${address}/10` }],
  };
}

function certificateSan(file: string): string {
  return new X509Certificate(readFileSync(file)).subjectAltName ?? '';
}

test(
  'the home certificate carries the Tailscale name while this computer has a Tailscale address; a new name re-issues it',
  { timeout: 60_000 },
  async (t) => {
    const fake = new FakeTailscale(makeTempFolder('ahs-tailscale-'));
    t.after(() => rmSync(fake.folder, { recursive: true, force: true }));
    fake.selfName('desk.tail1234.ts.net.');
    let interfaces = lan('192.168.1.20');
    const app = await createTestApp(t, {
      networkInterfaces: () => interfaces,
      stableName: () => 'desk.local',
      tailscaleName: () => tailscaleName({ env: fake.env }),
    });
    await app.controller.addUser('alice', 'pw-alice');
    await app.controller.makeHomeCertificate();
    const { serverCert } = app.controller.home.files;
    assert.doesNotMatch(certificateSan(serverCert), /ts\.net/);
    assert.equal(fake.runs(), 0, 'Tailscale is not asked while this computer has no Tailscale address');

    // Tailscale comes up: the next look asks it for the name, and the certificate is re-issued with it.
    interfaces = onTailscale('100.101.102.103');
    await app.controller.checkReach();
    assert.match(certificateSan(serverCert), /DNS:desk\.tail1234\.ts\.net/);
    assert.match(certificateSan(serverCert), /IP Address:100\.101\.102\.103/);

    // The machine is renamed in the Tailscale admin console: a new name, a new certificate.
    fake.selfName('study.tail1234.ts.net.');
    await app.controller.checkReach();
    assert.match(certificateSan(serverCert), /DNS:study\.tail1234\.ts\.net/);
    const activity = (await app.controller.state()).activity.map((entry) => entry.message);
    assert.equal(activity.filter((message) => /renewed for a changed address/.test(message)).length, 2, activity.join('\n'));

    // Tailscale stops answering (daemon down): nothing is re-issued, the name stays in the certificate.
    fake.answer('failed to connect to local tailscaled', 1);
    const before = readFileSync(serverCert, 'utf8');
    await app.controller.checkReach();
    assert.equal(readFileSync(serverCert, 'utf8'), before);
  },
);
