// The window's new states, each driven by the real controller and server and
// photographed into test/artifacts/: a full upload in progress with its bar, a
// version ready to install (held back while a device syncs), HTTPS with the
// user's certificate (and one about to expire), and a device that needs a newer
// server. Each state is checked with axe in light and dark (test/renderer/a11y.ts).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { Compressor, Decompressor } from 'zstd-napi';
import { RELEASES_URL, type Updater } from '../../src-main/controller/updates.js';
import { clientAddresses } from '../../src-main/server/reach/client-addresses.js';
import { browserTest } from '../support/chromium.js';
import { copyRealAnkiFixture } from '../support/real-anki-fixtures.js';
import { V11Client } from '../support/v11-client.js';
import { postRaw, syncHeaderValue, trustAuthority } from '../support/v11-transport.js';
import { createTestAuthority } from '../support/test-ca.js';
import { TestDevice } from '../support/test-device.js';
import { makeTempFolder } from '../support/temp-folder.js';
import { createTestApp } from '../support/controller-harness.js';
import { openAppWindow } from './window-harness.js';
import { checkState } from './a11y.js';

/** A collection large enough that its upload can be watched, compressed as a client sends it. */
function bigUpload(): Buffer {
  const path = copyRealAnkiFixture('v18-two-decks-16-notes.anki2');
  const device = new TestDevice(path);
  device.addNote({ fields: [randomBytes(2 * 1024 * 1024).toString('base64'), 'back'] });
  device.beforeUpload();
  device.close();
  const body = new Compressor().compress(readFileSync(path));
  rmSync(dirname(path), { recursive: true, force: true });
  return body;
}

/** Starts an upload that sends `body` in pieces, pausing after each until `release` is called for it. */
function heldUpload(url: string, hostKey: string, body: Buffer, pieces: number) {
  let allowed = 1;
  const size = Math.ceil(body.length / pieces);
  const response = postRaw(
    url,
    { 'anki-sync': syncHeaderValue({ k: hostKey, s: 'held' }), 'content-length': String(body.length) },
    Readable.from(
      (async function* () {
        for (let i = 0; i * size < body.length; i++) {
          while (i >= allowed) await sleep(20);
          yield body.subarray(i * size, (i + 1) * size);
        }
      })(),
    ),
  );
  return {
    release: (n: number) => (allowed = n),
    done: async () => {
      const res = await response;
      const chunks: Buffer[] = [];
      for await (const chunk of res) chunks.push(chunk as Buffer);
      // v11 replies are zstd frames, as the upload was.
      return { status: res.statusCode, text: new Decompressor().decompress(Buffer.concat(chunks)).toString() };
    },
  };
}

browserTest('a full upload in progress, then an update held back until it ends', { timeout: 90_000 }, async (t, chromium) => {
  const installs: boolean[] = [];
  const updater: Updater = { checkAndDownload: async () => '0.2.0', installNow: (restart) => installs.push(restart) };
  const app = await createTestApp(t, { updater });
  await app.controller.addUser('alice', 'pw-alice');
  const win = await openAppWindow(t, app, chromium);
  const { page } = win;

  const device = new V11Client(app.base());
  const hostKey = await device.login('alice', 'pw-alice');
  const body = bigUpload();
  const upload = heldUpload(device.url('sync', 'upload'), hostKey, body, 8);
  upload.release(3);
  // Held after 3 of 8 pieces: the bar must stop part-way, past its first (empty) event.
  t.after(() => upload.release(Infinity));
  await page.click('#tab-accounts');
  const line = page.locator('#syncs li[data-kind=full-upload]');
  const bar = line.locator('progress');
  for (let tries = 0; Number(await bar.getAttribute('value', { timeout: 20_000 })) === 0; tries++) {
    assert.ok(tries < 400, 'the bar moves once bytes arrive');
    await sleep(50);
  }
  assert.match((await line.locator('span').textContent()) ?? '', /^alice: full upload from 127\.0\.0\.1, [\d.]+ of [\d.]+ MB$/);
  assert.ok(await page.locator('#syncs').isVisible());
  const value = Number(await bar.getAttribute('value'));
  assert.ok(value > 0 && value < 1000, `the bar is part-way: ${value}/1000`);
  assert.match(
    (await page.locator('tr[data-user=alice] .clients').textContent()) ?? '',
    /^Anki \d+\.\d+ \(Linux\), just now$/,
    'the account lists the client its device reported',
  );
  await checkState(page, '9-full-upload');

  // A new version arrives meanwhile: offered, but not while alice's device uploads.
  await app.controller.updates.checkNow();
  await page.locator('#update:not([hidden])').waitFor();
  assert.match(
    (await page.locator('#update-text').textContent()) ?? '',
    /Version 0\.2\.0 is ready\. It can be installed once alice has finished syncing\./,
  );
  assert.equal(await page.locator('#install-update').isDisabled(), true);
  await checkState(page, '10-update-waits-for-sync');

  upload.release(100);
  assert.deepEqual(await upload.done(), { status: 200, text: 'OK' });
  await page.locator('#syncs').waitFor({ state: 'hidden' });
  await page.locator('#install-update:not([disabled])').waitFor();
  assert.match((await page.locator('#update-text').textContent()) ?? '', /It installs when you quit, or now/);
  await checkState(page, '11-update-ready');
  await page.click('#install-update');
  await sleep(200);
  assert.deepEqual(installs, [true]);
});

browserTest(
  'a version an unsigned Mac build cannot install: offered as a download, with no install button',
  { timeout: 60_000 },
  async (t, chromium) => {
    const updater: Updater = { checkAndDownload: async () => '0.2.0', installNow: () => assert.fail('never installs'), canInstall: false };
    const app = await createTestApp(t, { updater });
    const { page } = await openAppWindow(t, app, chromium);
    await app.controller.updates.checkNow();
    await page.locator('#update:not([hidden])').waitFor();
    assert.match(
      (await page.locator('#update-text').textContent()) ?? '',
      /^Version 0\.2\.0 is available\. This copy can't install updates by itself on a Mac/,
    );
    assert.equal(await page.locator('#install-update').isVisible(), false);
    const link = page.locator('#update-download');
    assert.ok(await link.isVisible());
    assert.equal(await link.getAttribute('href'), RELEASES_URL);
    await checkState(page, '11b-update-download-by-hand');
  },
);

browserTest(
  'HTTPS with my own certificate: chosen in Settings, its names shown, an expiry warned of, a wrong key refused',
  { timeout: 90_000 },
  async (t, chromium) => {
    const folder = makeTempFolder('ahs-window-tls-');
    t.after(() => rmSync(folder, { recursive: true, force: true }));
    const ca = createTestAuthority(folder);
    trustAuthority(ca.rootPem);
    t.after(() => trustAuthority(undefined));
    const soon = ca.issue('laptop', { dnsNames: ['localhost', 'laptop.tail1234.ts.net'], ipAddresses: ['127.0.0.1'], days: 10 });
    const other = ca.issue('other', { dnsNames: ['localhost'] });
    const app = await createTestApp(t);
    await app.controller.addUser('alice', 'pw-alice');
    const picks: string[] = [soon.certFile, soon.keyFile, other.keyFile];
    const win = await openAppWindow(t, app, chromium, { pickFile: async () => picks.shift() ?? null });
    const { page } = win;

    await page.click('#tab-settings');
    await page.click('#choose-tls-cert');
    await page.locator('#tls-cert', { hasText: 'laptop.pem' }).waitFor();
    await page.click('#choose-tls-key');
    await page.locator('#tls-names:not([hidden])').waitFor({ timeout: 20_000 });
    assert.match(
      (await page.locator('#tls-names').textContent()) ?? '',
      /Serving HTTPS for localhost, laptop\.tail1234\.ts\.net, 127\.0\.0\.1/,
    );
    const address = ((await page.locator('#main-address').textContent()) ?? '').trim();
    assert.match(address, /^https:\/\/localhost:\d+\/$/, 'a name from the certificate that resolves here');
    assert.match((await page.locator('#alerts').textContent()) ?? '', /The HTTPS certificate expires on \d{4}-\d\d-\d\d, in (9|10) days/);
    await page.locator('#tls-names').scrollIntoViewIfNeeded();
    await checkState(page, '12-https-settings');
    assert.match(
      await new V11Client(address).login('alice', 'pw-alice'),
      /^[0-9a-f]{40}$/,
      'a device logs in over HTTPS at the address shown',
    );

    // How a home network looks with a Tailscale certificate: the Tailscale address uses the MagicDNS name, the Wi-Fi one says why not.
    const state = await app.controller.state();
    const port = app.controller.currentPort();
    const addresses = clientAddresses({
      host: '0.0.0.0',
      port,
      interfaces: {
        wlan0: [
          {
            address: '192.168.1.31',
            netmask: '255.255.255.0',
            family: 'IPv4',
            mac: '00:00:00:00:00:01',
            internal: false,
            cidr: '192.168.1.31/24',
          },
        ],
        tailscale0: [
          {
            address: '100.101.102.103',
            netmask: '255.255.255.255',
            family: 'IPv4',
            mac: '00:00:00:00:00:02',
            internal: false,
            cidr: '100.101.102.103/32',
          },
        ],
      },
      certificate: { dnsNames: ['laptop.tail1234.ts.net'], ipAddresses: [] },
      namesByIp: new Map([['100.101.102.103', ['laptop.tail1234.ts.net']]]),
    });
    // The same revision as the real state it replaces, so the next real one (numbered higher) takes over again.
    await win.push({ ...state, revision: state.revision, addresses, addressWarning: null });
    // The big address is the one the certificate covers and that leads here; the Wi-Fi one is listed below it, saying why not.
    await page.locator('#main-address', { hasText: `https://laptop.tail1234.ts.net:${port}/` }).waitFor();
    assert.match((await page.locator('#main-address-label').textContent()) ?? '', /^Works anywhere your devices run Tailscale$/);
    assert.equal(await page.locator('#main-address-note').isHidden(), true, 'no red line under the address to use');
    await page.click('#tab-connect');
    assert.match(
      (await page.locator('#addresses li[data-place=home]').textContent()) ?? '',
      /https:\/\/192\.168\.1\.31:\d+\/.*The certificate is for laptop\.tail1234\.ts\.net, not 192\.168\.1\.31/,
    );
    await checkState(page, '13-https-tailscale');
    await win.push(await app.controller.state());
    await page.click('#tab-settings');

    // A key that is not this certificate's: refused in words, and the server keeps serving the good pair.
    await page.click('#choose-tls-key');
    await page.locator('#error:not([hidden])').waitFor();
    assert.match((await page.locator('#error-text').textContent()) ?? '', /does not belong to the certificate/);
    assert.equal(app.controller.serverStatus.state, 'running');
    assert.equal(app.settings.read().tlsKeyFile, soon.keyFile);
    assert.match(await new V11Client(address).login('alice', 'pw-alice'), /^[0-9a-f]{40}$/);

    // And back: plain HTTP at an http:// address, the pickers empty again.
    await page.click('#clear-tls');
    await page.locator('#main-address', { hasText: /^http:\/\/127\.0\.0\.1:\d+\/$/ }).waitFor();
    assert.equal(await page.locator('#tls-names').isHidden(), true);
    assert.equal(app.settings.read().tlsCertFile, '');
  },
);

browserTest('a device that needs a newer server: the window says so in plain words', { timeout: 60_000 }, async (t, chromium) => {
  const app = await createTestApp(t);
  await app.controller.addUser('alice', 'pw-alice');
  const win = await openAppWindow(t, app, chromium);
  const { page } = win;
  const response = await postRaw(
    `${app.base()}sync/meta`,
    { 'anki-sync': JSON.stringify({ v: 12, k: 'x', c: '27.01,9f8e7d6c,linux', s: 's' }) },
    Readable.from([Buffer.from('x')]),
  );
  response.resume();
  assert.equal(response.statusCode, 400);
  const alert = page.locator('#alerts .banner', { hasText: 'Anki 27.01 (Linux) on 127.0.0.1 uses a newer sync protocol (version 12)' });
  await alert.waitFor();
  assert.match((await alert.textContent()) ?? '', /Update Anki Home Sync\.$/);
  await page.click('#tab-activity');
  await page.locator('#activity li.is-error', { hasText: 'uses a newer sync protocol' }).waitFor();
  await checkState(page, '14-newer-client');
});
