// The `.local` name across a real network (issue 25 §1): the headless server in
// one network namespace, with SYNC_MDNS_NAME and no Avahi, answers for the name
// itself; a device in the other namespace asks over multicast DNS, gets the
// server's address there, and syncs through that name. The namespaces are joined
// only to each other, so nothing is sent beyond them.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { netnsTest } from '../../support/netns.js';
import { makeTempFolder } from '../../support/temp-folder.js';

const BIN = fileURLToPath(new URL('../../../../bin/anki-home-sync.js', import.meta.url));
const DIST = fileURLToPath(new URL('../../../', import.meta.url));
const NAME = 'ahs-netns-box';

/** Runs in the device's namespace: asks for the name, then logs in and syncs through it. */
const DEVICE = `
import dns from 'node:dns';
import { askMdns } from ${JSON.stringify(join(DIST, 'src-main/server/reach/mdns-name.js'))};
import { V11Client } from ${JSON.stringify(join(DIST, 'test/support/v11-client.js'))};
const [name, via, port] = process.argv.slice(1);
const ips = await askMdns(name, via, 3000);
// This namespace has no resolver for .local (no nss-mdns): the name resolves to what multicast DNS answered.
const lookup = dns.lookup;
dns.lookup = (host, options, callback) => {
  const cb = typeof options === 'function' ? options : callback;
  const all = typeof options === 'object' && options !== null && options.all;
  if (host !== name || ips.length === 0) return lookup(host, options, callback);
  return all ? cb(null, ips.map((address) => ({ address, family: 4 }))) : cb(null, ips[0], 4);
};
const client = new V11Client('http://' + name + ':' + port + '/');
const key = await client.login('alice', 'pw');
const meta = await client.meta();
console.log(JSON.stringify({ ips, key, usn: meta.usn, empty: meta.empty }));
`;

netnsTest(
  'a device in another network namespace finds NAME.local over multicast DNS and syncs through it',
  { timeout: 60_000 },
  async (t, pair) => {
    const base = makeTempFolder('ahs-netns-');
    t.after(() => rmSync(base, { recursive: true, force: true }));
    const server = spawn('ip', ['netns', 'exec', pair.a.ns, process.execPath, BIN], {
      env: { PATH: process.env['PATH'] ?? '', SYNC_USER1: 'alice:pw', SYNC_BASE: base, SYNC_PORT: '8080', SYNC_MDNS_NAME: NAME },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    server.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    server.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => server.on('exit', resolve));
    t.after(async () => {
      if (server.exitCode === null) server.kill('SIGTERM');
      await exited;
    });
    for (let i = 0; i < 200 && !output.includes('In Anki, set'); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    for (let i = 0; i < 20 && !output.includes(`${NAME}.local:8080`); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.match(output, new RegExp(`${NAME}\\.local answers over multicast DNS \\(answered by this server\\)`), output);
    assert.match(
      output,
      new RegExp(`http://${NAME}\\.local:8080/\\s+at home, and it keeps working when the router changes the number`),
      output,
    );

    const device = spawnSync(
      'ip',
      ['netns', 'exec', pair.b.ns, process.execPath, '--input-type=module', '-e', DEVICE, `${NAME}.local`, pair.b.address, '8080'],
      {
        encoding: 'utf8',
        timeout: 30_000,
      },
    );
    assert.equal(device.status, 0, device.stderr);
    const result = JSON.parse(device.stdout.trim().split('\n').pop()!) as { ips: string[]; key: string; empty: boolean };
    assert.deepEqual(result.ips, [pair.a.address], "answered with the server's address on that network, and only that");
    assert.match(result.key, /^[0-9a-f]{40}$/, 'logged in through the name');
    assert.equal(result.empty, true, 'and meta answered');
  },
);
