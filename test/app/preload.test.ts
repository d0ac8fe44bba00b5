// The compiled preload as Electron's sandbox runs it: a CommonJS script whose
// `require` offers only a few built-ins. It may require nothing but electron, and
// must expose every command of the shared contract on its own channel.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { runInNewContext } from 'node:vm';
import { fileURLToPath } from 'node:url';
import { COMMAND_NAMES, STATE_CHANGED_CHANNEL, commandChannel } from '../../src-main/shared/ipc.js';

const PRELOAD = fileURLToPath(new URL('../../src-main/preload.cjs', import.meta.url));

test('the preload needs only electron and exposes every command on its channel', async () => {
  const source = readFileSync(PRELOAD, 'utf8');
  const required: string[] = [];
  const exposed = new Map<string, Record<string, (...args: unknown[]) => unknown>>();
  const invoked: unknown[][] = [];
  const subscribed: string[] = [];
  // Electron's own objects are out of reach here; these record what the preload asks of them.
  const electron = {
    contextBridge: { exposeInMainWorld: (key: string, api: Record<string, (...args: unknown[]) => unknown>) => exposed.set(key, api) },
    ipcRenderer: {
      invoke: async (...args: unknown[]) => invoked.push(args),
      on: (channel: string) => subscribed.push(channel),
      off: () => undefined,
    },
  };
  const module = { exports: {} };
  runInNewContext(source, {
    module,
    exports: module.exports,
    require: (name: string) => {
      required.push(name);
      if (name !== 'electron') throw new Error(`a sandboxed preload cannot require ${name}`);
      return electron;
    },
  });

  assert.deepEqual(required, ['electron']);
  const api = exposed.get('homeSync');
  assert.ok(api, 'exposed as window.homeSync');
  assert.deepEqual(Object.keys(api).sort(), [...COMMAND_NAMES, 'onStateChanged'].sort());
  for (const name of COMMAND_NAMES) await api[name]!('a', 1);
  assert.deepEqual(
    invoked,
    COMMAND_NAMES.map((name) => [commandChannel(name), 'a', 1]),
  );
  api.onStateChanged!(() => undefined);
  assert.deepEqual(subscribed, [STATE_CHANGED_CHANNEL]);
});
