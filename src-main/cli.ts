// `npx anki-home-sync` / `npm run serve`: the headless server, a drop-in for
// the official anki-sync-server. Reads the same environment variables, prints
// where it listens and the address to give Anki, and stops cleanly on
// Ctrl-C (SIGINT) or SIGTERM.
import { networkInterfaces } from 'node:os';
import { connect } from 'node:net';
import {
  ConfigError,
  ServerStartError,
  SyncServer,
  clientAddresses,
  configFromEnv,
  consoleLogger,
  resolveCertificateNames,
  type ServerConfig,
} from './server/index.js';

function fail(message: string): never {
  console.error(`anki-home-sync: ${message}`);
  process.exit(1);
}

function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** Each address a device can use, with where it works, and a note when a certificate does not name it. */
async function addressLines(server: SyncServer, host: string, port: number): Promise<string[]> {
  const certificate = server.certificate();
  const namesByIp = certificate === null ? new Map<string, string[]>() : await resolveCertificateNames(certificate.dnsNames);
  const addresses = clientAddresses({ host, port, interfaces: networkInterfaces(), certificate, namesByIp });
  const width = Math.max(...addresses.map((a) => a.url.length));
  return addresses.flatMap((a) => [`  ${a.url.padEnd(width)}  ${a.label}`, ...(a.note === null ? [] : [`    (${a.note})`])]);
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
  const scheme = server.status.scheme === 'https' ? ' (HTTPS)' : '';
  console.log(`Anki Home Sync is listening on ${hostForUrl(address.host)}:${address.port}${scheme}, data in ${config.baseFolder}`);
  console.log(`Users: ${config.users.map((user) => user.name).join(', ')}`);
  console.log('In Anki, set the self-hosted sync server to one of:');
  for (const line of await addressLines(server, address.host, address.port)) console.log(line);
  const warning = server.certificate()?.warning;
  if (warning) console.warn(`anki-home-sync: warning: ${warning}`);
}

main().catch((error: unknown) => fail(error instanceof Error ? (error.stack ?? error.message) : String(error)));
