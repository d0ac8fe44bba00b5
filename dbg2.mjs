import { SmallDisk } from './dist/test/support/small-disk.js';
import { SyncHarness, twoDevicesInStep } from './dist/test/support/normal-sync-harness.js';
import { SYNC_MODES } from './dist/test/support/sync-mode.js';
import { statusOf } from './dist/test/support/v11-transport.js';
const lines = [];
const logger = { info: (m, f) => lines.push(['I', Date.now(), m, JSON.stringify(f)]), warn: (m, f) => lines.push(['W', Date.now(), m, JSON.stringify(f)]), error: (m, f) => lines.push(['E', Date.now(), m, JSON.stringify(f)]) };
for (let round = 0; round < 6; round++) {
  lines.length = 0;
  const disk = SmallDisk.mount(48);
  const harness = await SyncHarness.start(SYNC_MODES.v11, { config: { baseFolder: disk.root + '/base', lowSpaceMegs: 4 }, logger });
  const { a } = await twoDevicesInStep(harness);
  for (let i = 0; i < 400; i++) a.addNote({ fields: [`bulky ${i} ${'x'.repeat(2000)}`, 'back'] });
  disk.fill(0);
  const t0 = Date.now();
  let st;
  try { st = await statusOf(harness.sync(a)); } catch (e) { st = String(e); }
  console.log('round', round, st, Date.now() - t0);
  if (typeof st === 'string') for (const l of lines) console.log(l.join(' ').slice(0, 300));
  disk.release();
  await harness.stop();
  disk.unmount();
}
