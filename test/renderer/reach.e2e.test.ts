// The window's new states of issue 25, driven by the real controller and server,
// photographed and checked with axe in light and dark (test/renderer/a11y.ts):
// the stable `.local` name first; "Make my own certificate" and then the root
// for each device, with AnkiDroid's QR code; an address change; the devices told
// something inside Anki.
import assert from 'node:assert/strict';
import type { NetworkInterfaceInfo } from 'node:os';
import { browserTest } from '../support/chromium.js';
import { createTestApp } from '../support/controller-harness.js';
import { openAppWindow } from './window-harness.js';
import { checkState } from './a11y.js';
import { V11Client } from '../support/v11-client.js';
import { copyRealAnkiFixture } from '../support/real-anki-fixtures.js';
import { trustAuthority } from '../support/v11-transport.js';

function lan(address: string): NodeJS.Dict<NetworkInterfaceInfo[]> {
  return {
    eth0: [{ address, netmask: '255.255.255.0', family: 'IPv4', mac: '00:00:00:00:00:01', internal: false, cidr: `${address}/24` }],
  };
}

browserTest(
  'the stable name, the home certificate with the AnkiDroid QR code, an address change, the devices told',
  { timeout: 180_000 },
  async (t, chromium) => {
    let interfaces = lan('192.168.1.20');
    const opened: string[] = [];
    const app = await createTestApp(t, { networkInterfaces: () => interfaces, stableName: () => 'desk.local' });
    app.settings.update({ bindAddress: 'all-interfaces' });
    await app.controller.addUser('alice', 'pw-alice');
    const win = await openAppWindow(t, app, chromium, { openFile: (path) => opened.push(path), showFile: (path) => opened.push(path) });
    const { page } = win;

    // The stable name is the address to give Anki.
    const port = app.controller.currentPort();
    await page.locator('#main-address', { hasText: `http://desk.local:${port}/` }).waitFor();
    await checkState(page, 'stable-name');

    // "Make my own certificate": HTTPS, and what each device needs.
    await page.click('#tab-settings');
    await page.click('#make-home-ca');
    await page.locator('#home-ca').waitFor({ state: 'visible' });
    // A locator, not waitForFunction: a string predicate is eval, which the window's CSP refuses.
    await page.locator('#home-ca img.qr[src^="data:image/png"]').waitFor();
    await page.locator('#main-address', { hasText: `https://desk.local:${port}/` }).waitFor();
    assert.equal(await page.locator('#make-home-ca-block').isHidden(), true);
    await page.click('#open-root');
    await page.click('#show-profile');
    assert.deepEqual(opened, [app.controller.home.files.rootCert, app.controller.home.profileFile()]);
    await page.locator('#home-ca').scrollIntoViewIfNeeded();
    await checkState(page, 'home-certificate');

    // A device syncs over it, then DHCP moves this computer.
    const state = await app.controller.state();
    trustAuthority(Buffer.from(state.homeCertificate!.rootPem));
    t.after(() => trustAuthority(undefined));
    const client = new V11Client(`https://127.0.0.1:${port}/`);
    await client.login('alice', 'pw-alice');
    assert.equal(await client.fullUpload(copyRealAnkiFixture('v18-two-decks-16-notes.anki2')), 'OK');
    for (let i = 0; i < 100 && app.settings.read().lastAddresses.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    interfaces = lan('192.168.1.42');
    app.controller.checkReach();
    await page.click('#tab-connect');
    await page.locator('#alerts', { hasText: "This computer's address changed" }).waitFor();
    await checkState(page, 'address-changed');

    // A device is told something inside Anki: the Activity section lists it.
    app.controller['server']?.announceStopForUpdate?.();
    await client.meta();
    await page.click('#tab-activity');
    await page.locator('#told', { hasText: 'stopping for an update' }).waitFor();
    await checkState(page, 'devices-told');
    assert.deepEqual(win.pageErrors, []);
  },
);
