// The home address changes (DHCP) and the `.local` name (issue 25 §1), in the
// app: the name is shown first, labelled as the address that keeps working; when
// the address devices last synced with is no longer this computer's, the window,
// the activity list and the log say so once, pointing to the name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { NetworkInterfaceInfo } from 'node:os';
import { createTestApp } from '../support/controller-harness.js';
import { V11Client } from '../support/v11-client.js';
import { addressChangeNotice } from '../../src-main/controller/stable-name.js';
import { copyRealAnkiFixture } from '../support/real-anki-fixtures.js';

function lan(address: string): NodeJS.Dict<NetworkInterfaceInfo[]> {
  return {
    eth0: [{ address, netmask: '255.255.255.0', family: 'IPv4', mac: '00:00:00:00:00:01', internal: false, cidr: `${address}/24` }],
  };
}

test('the .local name comes first; an address change after a sync is said once, and a sync clears it', { timeout: 30_000 }, async (t) => {
  let interfaces = lan('192.168.1.20');
  const logged: string[] = [];
  const app = await createTestApp(t, {
    networkInterfaces: () => interfaces,
    stableName: () => 'desk.local',
    log: (message) => logged.push(message),
  });
  app.settings.update({ bindAddress: 'all-interfaces' });
  await app.controller.addUser('alice', 'pw-alice');
  const port = app.controller.currentPort();
  const first = (await app.controller.state()).addresses[0]!;
  assert.equal(first.url, `http://desk.local:${port}/`);
  assert.match(first.label, /keeps working when the router changes the number/);

  // A device syncs: the addresses it used are remembered (across restarts: in the settings).
  const client = new V11Client(`http://127.0.0.1:${port}/`);
  await client.login('alice', 'pw-alice');
  await client.meta();
  // meta alone is not a sync; a full upload is.
  const path = copyRealAnkiFixture('v18-two-decks-16-notes.anki2');
  assert.equal(await client.fullUpload(path), 'OK');
  for (let i = 0; i < 100 && app.settings.read().lastAddresses.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
  assert.deepEqual(app.settings.read().lastAddresses, ['192.168.1.20']);

  interfaces = lan('192.168.1.42');
  await app.controller.checkReach();
  const notice = `This computer's address changed: devices last synced with 192.168.1.20, and it is now 192.168.1.42. Set each device's sync address to http://desk.local:${port}/, which keeps working when the router changes the number.`;
  const state = await app.controller.state();
  assert.ok(state.alerts.includes(notice), state.alerts.join('\n'));
  assert.ok(state.activity.some((entry) => entry.message === notice && entry.isError));
  assert.deepEqual(logged.filter((line) => line === notice).length, 1);
  await app.controller.checkReach();
  assert.equal(logged.filter((line) => line === notice).length, 1, 'said once');

  assert.equal(await client.fullUpload(path), 'OK');
  for (let i = 0; i < 100 && (await app.controller.state()).alerts.includes(notice); i++)
    await new Promise((resolve) => setTimeout(resolve, 20));
  assert.ok(!(await app.controller.state()).alerts.includes(notice), 'a device synced again: the alert has done its work');
});

test('the notice: nothing while one address devices used is still here; the IP when there is no name', () => {
  assert.equal(addressChangeNotice([], ['10.0.0.2'], 8080, null), null, 'no device has synced yet');
  assert.equal(addressChangeNotice(['10.0.0.2', '10.0.0.3'], ['10.0.0.3'], 8080, null), null);
  assert.equal(addressChangeNotice(['10.0.0.2'], [], 8080, null), null, 'offline is not a change');
  assert.match(
    addressChangeNotice(['10.0.0.2'], ['10.0.0.9'], 8080, null, 'https')!,
    /Set each device's sync address to https:\/\/10\.0\.0\.9:8080\/\.$/,
  );
});
