// The live view's refresh loop (controller/live-view.ts), which the Electron glue
// only forwards to the tray and the window: one refresh at a time, a change
// during one makes exactly one more, and the last state handed on is never
// older than the last change. First over a source the test holds mid-refresh,
// then over the real controller and server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { followChanges, type StateSource } from '../../src-main/controller/live-view.js';
import type { AppState } from '../../src-main/shared/ipc.js';
import { createTestApp } from '../support/controller-harness.js';

/** A source whose state() answers only when the test says, numbering its answers. */
function heldSource(): StateSource & { change(): void; answer(): void; readonly asked: number; readonly waiting: number } {
  const listeners = new Set<() => void>();
  const pending: (() => void)[] = [];
  let asked = 0;
  return {
    state: () => {
      const revision = ++asked;
      return new Promise<AppState>((resolve) => pending.push(() => resolve({ revision } as AppState)));
    },
    onChange: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    change: () => listeners.forEach((listener) => listener()),
    answer: () => pending.shift()!(),
    get asked() {
      return asked;
    },
    get waiting() {
      return pending.length;
    },
  };
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

test('a burst of changes during a refresh makes one more refresh, and the newest state is handed on last', async () => {
  const source = heldSource();
  const rendered: number[] = [];
  const loop = followChanges(
    source,
    (state) => rendered.push(state.revision),
    (error) => assert.fail(String(error)),
  );

  source.change();
  assert.equal(source.asked, 1);
  source.change();
  source.change();
  source.change();
  assert.equal(source.asked, 1, 'no second state() while the first is in flight');

  source.answer();
  await settle();
  assert.deepEqual(rendered, [1]);
  assert.equal(source.asked, 2, 'the burst made exactly one more refresh');
  const idle = loop.refresh(); // during a refresh: counts as a change, and resolves once the loop is idle
  source.answer();
  await settle();
  assert.deepEqual(rendered, [1, 2]);
  assert.equal(source.waiting, 1, 'the refresh asked for made one more');
  source.answer();
  await idle;
  assert.deepEqual(rendered, [1, 2, 3]);

  loop.stop();
  source.change();
  assert.equal(source.waiting, 0, 'stopped: changes no longer refresh');
});

test('a refresh that fails is reported, and the next change refreshes again', async () => {
  const failures: unknown[] = [];
  let fail = true;
  const listeners: (() => void)[] = [];
  const source: StateSource = {
    state: async () => {
      if (fail) throw new Error('settings unreadable');
      return { revision: 7 } as AppState;
    },
    onChange: (listener) => {
      listeners.push(listener);
      return () => undefined;
    },
  };
  const rendered: number[] = [];
  const loop = followChanges(
    source,
    (state) => rendered.push(state.revision),
    (error) => failures.push(error),
  );
  await loop.refresh();
  assert.equal(failures.length, 1);
  fail = false;
  listeners.forEach((listener) => listener());
  await loop.refresh();
  assert.deepEqual(rendered.slice(-1), [7]);
});

test("the real controller's view hands on each change; the last state shows every setting made", async (t) => {
  const app = await createTestApp(t);
  const states: AppState[] = [];
  const loop = app.controller.view.follow((state) => states.push(state));
  t.after(() => loop.stop());
  await loop.refresh();
  const before = states.length;
  await Promise.all([app.controller.setStartInTray(true), app.controller.setStartAtLogin(true), app.controller.setCheckForUpdates(false)]);
  await loop.refresh();
  assert.ok(states.length > before, 'the changes were handed on');
  const revisions = states.map((state) => state.revision);
  assert.deepEqual(
    revisions,
    [...revisions].sort((a, b) => a - b),
    'never an older state after a newer one',
  );
  const last = states.at(-1)!.settings;
  assert.deepEqual([last.startInTray, last.startAtLogin, last.checkForUpdates], [true, true, false]);
});

test("the app's own events read as sentences in the activity list, the failures marked", async (t) => {
  const app = await createTestApp(t);
  await app.controller.addUser('alice', 'correct horse');
  await app.controller.stop();
  app.controller.updateNotInstalled('the installer would not start');
  const [notInstalled, stopped, started] = (await app.controller.state()).activity;
  assert.match(started!.message, /^The server started on port \d+\.$/);
  assert.equal(started!.isError, false);
  assert.equal(stopped!.message, 'The server stopped.');
  assert.match(notInstalled!.message, /^The new version could not be installed/);
  assert.equal(notInstalled!.isError, true);
});
