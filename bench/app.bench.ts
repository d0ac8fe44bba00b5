// The app's own costs, headless: server start-up (from process launch to
// listening, and the warm start() alone), the idle RSS of the headless server,
// and the time from "add user" to that user's first successful login. Each is
// shown next to a raw baseline measured in the same run: a bare node:http
// process, and argon2id hash + verify alone.

import { fork, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import argon2 from 'argon2';
import { AppController } from '../src-main/controller/app-controller.js';
import { hashPassword } from '../src-main/controller/accounts.js';
import { syncServerStarter } from '../src-main/controller/running-server.js';
import { silentLogger, userPaths } from '../src-main/server/index.js';
import { createConfSettings } from '../src-main/settings/conf-store.js';
import { V11Client } from '../test/support/v11-client.js';
import { median } from './support/median.js';
import { makeTempFolder } from '../test/support/temp-folder.js';
import { freePort } from '../test/support/ports.js';

const CHILD = fileURLToPath(new URL('./app-headless-child.js', import.meta.url));
const RUNS = 5;
const IDLE_MS = 2000;
const MB = 1024 * 1024;

interface ChildReport {
  readonly launchMs: number;
  readonly readyUptimeMs: number;
  readonly idleRss: number;
}

function nextMessage<T>(child: ChildProcess, kind: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: { kind: string }) => {
      if (message.kind !== kind) return;
      child.off('message', onMessage);
      resolve(message as T);
    };
    child.on('message', onMessage);
    child.once('exit', (code) => reject(new Error(`child exited with ${code}`)));
  });
}

async function runChild(args: string[]): Promise<ChildReport> {
  const started = performance.now();
  const child = fork(CHILD, args, { execArgv: ['--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ready = await nextMessage<{ uptimeMs: number }>(child, 'ready');
  const launchMs = performance.now() - started;
  await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
  child.send({ kind: 'rss' });
  const { rss } = await nextMessage<{ rss: number }>(child, 'rss');
  child.send({ kind: 'stop' });
  await new Promise((resolve) => child.once('exit', resolve));
  return { launchMs, readyUptimeMs: ready.uptimeMs, idleRss: rss };
}

function ms(value: number): string {
  return `${value.toFixed(1)} ms`;
}

const folder = makeTempFolder('ahs-app-bench-');
try {
  // Saved settings with two accounts, as after a learner's first day.
  const settings = createConfSettings(join(folder, 'settings'));
  settings.update({
    bindAddress: 'this-computer-only',
    port: await freePort(),
    users: [
      { name: 'alice', phc: await hashPassword('pw-alice'), lastSync: null },
      { name: 'bob', phc: await hashPassword('pw-bob'), lastSync: null },
    ],
  });

  const app: ChildReport[] = [];
  const raw: ChildReport[] = [];
  for (let i = 0; i < RUNS; i++) {
    raw.push(await runChild(['raw']));
    app.push(await runChild(['app', folder]));
  }
  const appLaunch = median(app.map((r) => r.launchMs));
  const rawLaunch = median(raw.map((r) => r.launchMs));
  const appRss = median(app.map((r) => r.idleRss));
  const rawRss = median(raw.map((r) => r.idleRss));
  console.log(
    `server start-up, process launch to listening (median of ${RUNS}): ${ms(appLaunch)}; bare node:http ${ms(rawLaunch)}; ratio ${(appLaunch / rawLaunch).toFixed(2)}x`,
  );
  console.log(
    `idle RSS after ${IDLE_MS / 1000} s, 2 accounts: ${(appRss / MB).toFixed(1)} MB; bare node:http ${(rawRss / MB).toFixed(1)} MB; +${((appRss - rawRss) / MB).toFixed(1)} MB`,
  );

  // In this process: the warm start() alone, and add user -> first login.
  const controller = new AppController({
    settings,
    defaultStorageFolder: join(folder, 'collections'),
    startServer: syncServerStarter(silentLogger),
    userPaths,
  });
  const warm: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await controller.start();
    warm.push(performance.now() - t0);
    await controller.stop();
  }
  console.log(`warm start() in-process (median of ${RUNS}): ${ms(median(warm))}`);

  await controller.start();
  const base = `http://127.0.0.1:${controller.currentPort()}/`;
  const addToLogin: number[] = [];
  const argonOnly: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const name = `learner${i}`;
    const t0 = performance.now();
    await controller.addUser(name, 'a good password');
    await new V11Client(base).login(name, 'a good password');
    addToLogin.push(performance.now() - t0);

    const t1 = performance.now();
    const phc = await argon2.hash('a good password', { type: argon2.argon2id });
    await argon2.verify(phc, 'a good password');
    argonOnly.push(performance.now() - t1);
  }
  await controller.shutdown();
  const add = median(addToLogin);
  const argon = median(argonOnly);
  console.log(
    `add user -> first successful login (median of ${RUNS}): ${ms(add)}; argon2id hash + verify alone ${ms(argon)}; ratio ${(add / argon).toFixed(2)}x`,
  );
  console.log(`peak RSS of this bench process: ${(process.resourceUsage().maxRSS / 1024).toFixed(1)} MB`);
} finally {
  rmSync(folder, { recursive: true, force: true });
}
