// The window's new states of issue 25, driven by the real controller and server,
// photographed and checked with axe in light and dark (test/renderer/a11y.ts):
// the stable `.local` name first; "Make my own certificate" and then the root
// for each device, with AnkiDroid's QR code; an address change; the devices told
// something inside Anki.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { request as httpsRequest } from 'node:https';
import type { NetworkInterfaceInfo } from 'node:os';
import { browserTest } from '../support/chromium.js';
import { createTestApp } from '../support/controller-harness.js';
import type { Page } from 'playwright-core';
import { openAppWindow, saveScreenshot } from './window-harness.js';
import { checkState } from './a11y.js';
import { V11Client } from '../support/v11-client.js';
import { copyRealAnkiFixture } from '../support/real-anki-fixtures.js';
import { trustAuthority } from '../support/v11-transport.js';

/** Scrolls the window's panels so that `selector` is whole in the middle of the view, and checks that it is. */
async function inFrame(page: Page, selector: string): Promise<void> {
  const element = page.locator(selector);
  await element.evaluate((el) => (el as unknown as { scrollIntoView(options: object): void }).scrollIntoView({ block: 'center' }));
  const box = await element.boundingBox();
  const view = page.viewportSize();
  assert.ok(box !== null && view !== null);
  assert.ok(
    box.y >= 0 && box.y + box.height <= view.height,
    `${selector} is in the photograph (${box.y}..${box.y + box.height} of ${view.height})`,
  );
}

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
    await page.locator('#root-qr[src^="data:image/png"]').waitFor();
    await page.locator('#main-address', { hasText: `https://desk.local:${port}/` }).waitFor();
    assert.equal(await page.locator('#make-home-ca-block').isHidden(), true);
    await page.click('#open-root');
    await page.click('#show-profile');
    assert.deepEqual(opened, [app.controller.home.files.rootCert, app.controller.home.profileFile()]);
    // The photograph shows the AnkiDroid QR code whole (scrolling to the section's top left it below the fold).
    await inFrame(page, '#root-qr');
    await checkState(page, 'home-certificate');

    // The iPhone opens the profile from the running server: its address and a QR code of it.
    const profileUrl = `https://desk.local:${port}/home-root.mobileconfig`;
    await page.locator('#profile-url', { hasText: profileUrl }).waitFor();
    assert.equal((await app.controller.state()).homeCertificate?.profileUrl, profileUrl);
    await page.locator('#profile-qr[src^="data:image/png"]').waitFor();
    await inFrame(page, '#profile-qr');
    await saveScreenshot(page, 'home-certificate-iphone');
    // What that address gives (desk.local asked of 127.0.0.1 here): the profile of the root shown.
    const rootPem = (await app.controller.state()).homeCertificate!.rootPem;
    const profile = await new Promise<string>((resolve, reject) => {
      const req = httpsRequest(
        { host: '127.0.0.1', port, servername: 'desk.local', path: new URL(profileUrl).pathname, ca: rootPem },
        (res) => {
          assert.equal(res.headers['content-type'], 'application/x-apple-aspen-config');
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
        },
      );
      req.on('error', reject);
      req.end();
    });
    const der = Buffer.from(/<data>([^<]+)<\/data>/.exec(profile)![1]!.replace(/\s/g, ''), 'base64');
    assert.deepEqual(der, new X509Certificate(rootPem).raw);

    // A device syncs over it, then DHCP moves this computer.
    const state = await app.controller.state();
    trustAuthority(Buffer.from(state.homeCertificate!.rootPem));
    t.after(() => trustAuthority(undefined));
    const client = new V11Client(`https://127.0.0.1:${port}/`);
    await client.login('alice', 'pw-alice');
    assert.equal(await client.fullUpload(copyRealAnkiFixture('v18-two-decks-16-notes.anki2')), 'OK');
    for (let i = 0; i < 100 && app.settings.read().lastAddresses.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    interfaces = lan('192.168.1.42');
    await app.controller.checkReach();
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
