// A flood of refused requests writes a few log lines, not one per request: a
// headless server's stdout is not rotated under Docker's default log driver,
// and the app's log file would lose what came before the flood. The lines held
// back are counted, and the count is written when the window ends (here, at
// stop), so the log still says how many there were.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { plainUser, startTestServer } from '../../support/test-server.js';
import { v11Request, SyncHttpError, newSessionKey } from '../../support/v11-transport.js';
import type { Logger } from '../../../src-main/server/report/log.js';
import { DEFAULT_LOG_FLOOD } from '../../../src-main/server/report/log-flood.js';

interface Line {
  readonly level: keyof Logger;
  readonly message: string;
  readonly fields: Readonly<Record<string, unknown>> | undefined;
}

function recordingLogger(lines: Line[]): Logger {
  return {
    info: (message, fields) => lines.push({ level: 'info', message, fields }),
    warn: (message, fields) => lines.push({ level: 'warn', message, fields }),
    error: (message, fields) => lines.push({ level: 'error', message, fields }),
  };
}

test('300 requests with an unknown host key: a few lines are written, the rest are counted, and served requests are still logged', async () => {
  const lines: Line[] = [];
  const user = plainUser('user', 'pass');
  const server = await startTestServer({ users: [user], logger: recordingLogger(lines) });
  const flood = 300;
  try {
    const before = lines.length;
    for (let i = 0; i < flood; i++) {
      const refused = await v11Request(`${server.baseUrl}sync/meta`, { k: 'f'.repeat(40), s: newSessionKey() }, '{}').then(
        () => null,
        (error: unknown) => error,
      );
      assert.ok(refused instanceof SyncHttpError && refused.status === 403, String(refused));
    }
    // Each refusal makes two lines ("request refused", and "finished" with its status).
    assert.equal(lines.length - before, DEFAULT_LOG_FLOOD.perWindow, 'only the first lines of the window are written');

    // The owner's own device is served, and its request is logged as it happens.
    await v11Request(`${server.baseUrl}sync/meta`, { k: user.hostKey, s: newSessionKey() }, '{"v":11,"cv":"test"}');
    assert.ok(lines.some((line) => line.message === 'finished' && line.fields?.httpstatus === 200));

    await server.server.stop();
    for (const message of ['request refused', 'finished']) {
      const about = lines.filter((line) => line.message.startsWith(message) && line.fields?.httpstatus === 403);
      const summaries = about.filter((line) => line.fields?.repeated !== undefined);
      assert.equal(summaries.length, 1, `the held "${message}" lines become one`);
      assert.match(summaries[0]!.message, new RegExp(`^${message}: \\d+ more like this in the last 60 s`));
      const written = about.length - 1;
      assert.equal(written + Number(summaries[0]!.fields!.repeated), flood, `every "${message}" line is written or counted`);
    }
  } finally {
    await server.close();
  }
});
