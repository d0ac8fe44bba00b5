// `npx anki-home-sync` / `npm run serve`: the headless server, a drop-in for
// the official anki-sync-server. Reads the same environment variables, prints
// where it listens and the address to give Anki, and stops cleanly on
// Ctrl-C (SIGINT) or SIGTERM.
import { networkInterfaces } from 'node:os';
import { connect } from 'node:net';
import { ConfigError, ServerStartError, SyncServer, configFromEnv, consoleLogger, type ServerConfig } from './server/index.js';

function fail(message: string): never {
  console.error(`anki-home-sync: ${message}`);
  process.exit(1);
}

function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** The addresses a device on the network can reach when listening on every interface. */
function clientAddresses(host: string, port: number): string[] {
  if (host !== '0.0.0.0' && host !== '::') return [`http://${hostForUrl(host)}:${port}/`];
  const addresses: string[] = [];
  for (const entries of Object.values(networkInterfaces())) {
    for (const entry of entries ?? []) {
      if (entry.internal) continue;
      if (entry.family === 'IPv4' || (host === '::' && entry.family === 'IPv6' && !entry.address.startsWith('fe80'))) {
        addresses.push(`http://${hostForUrl(entry.address)}:${port}/`);
      }
    }
  }
  return addresses.length > 0 ? addresses : [`http://127.0.0.1:${port}/`];
}

/** `--healthcheck`, as the official binary: exit 0 if something accepts connections on SYNC_HOST:SYNC_PORT. */
function healthcheck(config: ServerConfig): void {
  const host = config.host === '0.0.0.0' ? '127.0.0.1' : config.host === '::' ? '::1' : config.host;
  const socket = connect({ host, port: config.port });
  socket.setTimeout(5_000);
  socket.once('connect', () => {
    socket.destroy();
    process.exit(0);
  });
  for (const event of ['error', 'timeout'] as const) socket.once(event, () => process.exit(1));
}

async function main(): Promise<void> {
  let loaded;
  try {
    loaded = configFromEnv(process.env);
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }
  const { config, warnings } = loaded;
  if (process.argv.includes('--healthcheck')) return healthcheck(config);
  for (const warning of warnings) console.warn(`anki-home-sync: warning: ${warning}`);

  const server = new SyncServer(config, { logger: consoleLogger });
  // Handlers go in before anything can announce the server, so a signal is never missed.
  let stopping = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (stopping) {
      console.log(`Received ${signal} again; leaving now.`);
      process.exit(1);
    }
    stopping = true;
    console.log(`Received ${signal}; finishing requests in progress, then stopping.`);
    // Installs are atomic, so even a forced exit leaves whole files; this only bounds the wait.
    setTimeout(() => fail('requests were still running a minute after the stop signal; leaving anyway.'), 60_000).unref();
    server.stop().then(
      () => process.exit(0),
      (error: unknown) => fail(`stopping failed: ${String(error)}`),
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);

  let address;
  try {
    address = await server.start();
  } catch (error) {
    if (error instanceof ServerStartError || error instanceof Error) fail(error.message);
    throw error;
  }
  if (stopping) {
    // A signal came while starting: stop what just started.
    await server.stop();
    process.exit(0);
  }
  console.log(`Anki Home Sync is listening on ${hostForUrl(address.host)}:${address.port}, data in ${config.baseFolder}`);
  console.log(`Users: ${config.users.map((user) => user.name).join(', ')}`);
  console.log('In Anki, set the self-hosted sync server to:');
  for (const url of clientAddresses(address.host, address.port)) console.log(`  ${url}`);
}

main().catch((error: unknown) => fail(error instanceof Error ? (error.stack ?? error.message) : String(error)));
