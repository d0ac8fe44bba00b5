// The tray's icon, tooltip and menu from the app's state (controller/tray-menu.ts;
// app/tray.ts hands the model to Electron unchanged).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { firstAddress, trayModel, type TrayView } from '../../src-main/controller/tray-menu.js';
import type { ClientAddress, SyncView } from '../../src-main/shared/ipc.js';

const running: TrayView = {
  status: { state: 'running', port: 27701 },
  address: 'http://192.168.1.20:27701/',
  startAtLogin: true,
  syncing: [],
  update: { state: 'idle' },
  storage: { freeBytes: 40e9, totalBytes: 250e9, state: 'ok', summary: '40 GB free of 250 GB', warning: null },
};

const labels = (view: TrayView) => trayModel(view).items.flatMap((item) => (item.kind === 'separator' ? [] : [item.label]));

const sync = (username: string, kind: SyncView['kind']): SyncView => ({
  username,
  clientIp: '192.168.1.31',
  kind,
  step: 'start',
  done: 0,
  total: null,
  startedAt: 0,
});

test('running, idle: the green icon and every item the tray promises', () => {
  const model = trayModel(running);
  assert.equal(model.icon, 'running');
  assert.equal(model.tooltip, 'Anki Home Sync: Server running on port 27701');
  assert.deepEqual(labels(running), [
    'Server running on port 27701',
    'Stop server',
    'Copy client address (http://192.168.1.20:27701/)',
    'Open window',
    'Start at login',
    'Quit',
  ]);
});

test('while devices sync: the syncing icon, and the tooltip says who', () => {
  const view = { ...running, syncing: [sync('alice', 'media-sync'), sync('alice', 'normal-sync'), sync('bob', 'full-upload')] };
  const model = trayModel(view);
  assert.equal(model.icon, 'syncing');
  assert.equal(model.tooltip, 'Anki Home Sync: alice is syncing; bob is uploading its collection');
  assert.ok(labels(view).includes('alice is syncing; bob is uploading its collection'));
  assert.equal(trayModel({ ...running, syncing: [] }).icon, 'running', 'and back');
});

test('stopped: grey, Start server, nothing to copy', () => {
  const view: TrayView = { ...running, status: { state: 'stopped' }, address: null };
  const model = trayModel(view);
  assert.equal(model.icon, 'stopped');
  const copy = model.items.find((item) => item.kind === 'action' && item.action === 'copy-address');
  assert.deepEqual(copy, { kind: 'action', label: 'Copy client address', action: 'copy-address', enabled: false });
  assert.ok(labels(view).includes('Start server'));
});

test('a version ready to install: offered in the menu, but not while a device syncs', () => {
  const ready: TrayView = { ...running, update: { state: 'ready', version: '0.2.0' } };
  const item = () => trayModel(view).items.find((i) => i.kind === 'action' && i.action === 'install-update');
  let view = ready;
  assert.deepEqual(item(), {
    kind: 'action',
    label: 'Version 0.2.0 is ready: restart to install',
    action: 'install-update',
    enabled: true,
  });
  view = { ...ready, syncing: [sync('alice', 'normal-sync')] };
  const during = item();
  assert.equal(during?.kind === 'action' ? during.enabled : null, false);
  assert.equal(
    trayModel(running).items.some((i) => i.kind === 'action' && i.action === 'install-update'),
    false,
  );
});

test('a version this copy cannot install (an unsigned Mac build): the menu opens the window, which has the download', () => {
  const view: TrayView = { ...running, update: { state: 'available', version: '0.2.0', url: 'https://github.com/o/r/releases/latest' } };
  const items = trayModel(view).items;
  assert.equal(
    items.some((i) => i.kind === 'action' && i.action === 'install-update'),
    false,
  );
  assert.ok(
    items.some(
      (i) => i.kind === 'action' && i.action === 'open-window' && i.label === 'Version 0.2.0 is available: open the window to download it',
    ),
  );
});

test('a nearly full storage disk is said in the tooltip and the menu; a full one too', () => {
  const low: TrayView = {
    ...running,
    storage: { freeBytes: 120e6, totalBytes: 250e9, state: 'low', summary: '', warning: 'The storage disk is almost full…' },
  };
  assert.equal(trayModel(low).tooltip, 'Anki Home Sync: Server running on port 27701\nStorage almost full: 120 MB left');
  assert.ok(labels(low).includes('Storage almost full: 120 MB left'));
  const full: TrayView = {
    ...running,
    storage: { freeBytes: 0, totalBytes: 250e9, state: 'full', summary: '', warning: 'The storage disk is full…' },
  };
  assert.match(trayModel(full).tooltip, /\nStorage full: syncs are refused$/);
  assert.equal(trayModel({ ...running, storage: null }).tooltip, 'Anki Home Sync: Server running on port 27701');
});

test('the tray copies the first address, and none while the server is not running', () => {
  const address = (url: string): ClientAddress => ({ url, ip: '192.168.1.20', place: 'home', label: 'at home', note: null });
  const addresses = [address('http://192.168.1.20:27701/'), address('http://100.64.0.1:27701/')];
  assert.equal(firstAddress({ server: { state: 'running', port: 27701 }, addresses }), 'http://192.168.1.20:27701/');
  assert.equal(firstAddress({ server: { state: 'stopped' }, addresses }), null);
  assert.equal(firstAddress({ server: { state: 'running', port: 27701 }, addresses: [] }), null);
});
