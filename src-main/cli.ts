// `npx anki-home-sync` / `npm run serve`: the headless server, a drop-in for
// the official anki-sync-server. Reads the same environment variables, prints
// where it listens and the address to give Anki, and stops cleanly on
// Ctrl-C (SIGINT) or SIGTERM. With SYNC_USERS_FILE, the file's accounts change
// while it runs. `anki-home-sync hash-password` makes a PHC hash (hash-password.ts);
// `anki-home-sync export` writes an account's collection package (export-command.ts).
import { networkInterfaces } from 'node:os';
import { connect } from 'node:net';
import {
  ConfigError,
  ServerStartError,
  ankiwebTrapWarning,
  keepNameAnswering,
  renewIfHomeCertificate,
  homeAuthorityOf,
  ROOT_PROFILE_PATH,
  withTailscaleName,
  servedInterfaces,
  type MdnsResponder,
  SyncServer,
  UsersFileWatcher,
  changedAccounts,
  clientAddresses,
  configFromEnv,
  consoleLogger,
  listenAddressFromEnv,
  resolveCertificateNames,
  type Logger,
  type ServerConfig,
  type UsersFileConfig,
  type UsersReload,
} from './server/index.js';
import { hashPasswordCommand } from './hash-password.js';
import { certificateCommand } from './certificate-command.js';
import { exportCommand } from './export-command.js';
import { exportNamesSnapshot, exportSnapshotCommand, snapshotsCommand } from './snapshot-commands.js';
import { serveSnapshotControl } from './control/snapshot-control.js';
import type { ControlSocket } from './control/control-server.js';

/** Set by the container's entrypoint (container/entrypoint.ts). */
const IN_CONTAINER = 'ANKI_HOME_SYNC_IN_CONTAINER';

/** How long a stop waits for requests still sending their body. */
const SHUTDOWN_GRACE_MS = 5_000;

function fail(message: string): never {
  console.error(`anki-home-sync: ${message}`);
  process.exit(1);
}

function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** Each address a device can use, with where it works, and a note when a certificate does not name it. */
async function addressLines(server: SyncServer, host: string, port: number, stableName: string | null): Promise<string[]> {
  const certificate = server.certificate();
  const namesByIp = certificate === null ? new Map<string, string[]>() : await resolveCertificateNames(certificate.dnsNames);
  const addresses = clientAddresses({ host, port, interfaces: networkInterfaces(), certificate, namesByIp });
  if (stableName !== null) {
    addresses.unshift({
      url: `${server.status.scheme}://${stableName}:${port}/`,
      ip: stableName,
      place: 'home',
      label: 'at home, and it keeps working when the router changes the number',
      note: certificate === null || certificate.dnsNames.includes(stableName) ? null : `The certificate does not name ${stableName}.`,
    });
  }
  const width = Math.max(...addresses.map((a) => a.url.length));
  const trap = ankiwebTrapWarning(addresses.map((a) => a.url));
  if (trap !== null) console.warn(`anki-home-sync: warning: ${trap}`);
  return addresses.flatMap((a) => [`  ${a.url.padEnd(width)}  ${a.label}`, ...(a.note === null ? [] : [`    (${a.note})`])]);
}

/** `--healthcheck`, as the official binary: exit 0 if something accepts connections on SYNC_HOST:SYNC_PORT. */
function healthcheck(listen: { host: string; port: number }): void {
  const host = listen.host === '0.0.0.0' ? '127.0.0.1' : listen.host === '::' ? '::1' : listen.host;
  const socket = connect({ host, port: listen.port });
  socket.setTimeout(5_000);
  socket.once('connect', () => {
    socket.destroy();
    process.exit(0);
  });
  for (const event of ['error', 'timeout'] as const) socket.once(event, () => process.exit(1));
}

/** What the log says after SYNC_USERS_FILE changed: names only, never a password or a hash. */
function reportUsersReload(logger: Logger, reload: UsersReload): void {
  if (!reload.ok) {
    logger.warn('SYNC_USERS_FILE changed but was not used; the accounts stay as they were', { reason: reload.reason });
    return;
  }
  if (!changedAccounts(reload)) return;
  for (const warning of reload.warnings) logger.warn(warning);
  logger.info('accounts changed from SYNC_USERS_FILE', {
    added: reload.added.join(','),
    removed: reload.removed.join(','),
    newPassword: reload.passwordChanged.join(','),
    accounts: reload.users.length,
  });
}

/** Watches SYNC_USERS_FILE and hands its accounts to the running server. */
function watchUsersFile(server: SyncServer, usersFile: UsersFileConfig): UsersFileWatcher {
  const watcher = new UsersFileWatcher(
    usersFile.file,
    usersFile.fixed,
    usersFile.fromFile,
    (users) => server.setUsers(users),
    (reload) => reportUsersReload(consoleLogger, reload),
  );
  watcher.start();
  // An edit made while the server was starting is not missed.
  void watcher.reload();
  return watcher;
}

function userNames(config: ServerConfig): string {
  return config.users.length === 0 ? 'none yet' : config.users.map((user) => user.name).join(', ');
}

async function main(): Promise<void> {
  if (process.argv[2] === 'hash-password') process.exit(await hashPasswordCommand(process.argv.slice(3)));
  if (process.argv[2] === 'certificate') process.exit(certificateCommand(process.argv.slice(3)));
  if (process.argv[2] === 'snapshots') process.exit(await snapshotsCommand(process.argv.slice(3)));
  if (process.argv[2] === 'export' && exportNamesSnapshot(process.argv.slice(3)))
    process.exit(await exportSnapshotCommand(process.argv.slice(3)));
  if (process.argv[2] === 'export') process.exit(await exportCommand(process.argv.slice(3)));
  if (process.argv.includes('--healthcheck')) {
    try {
      return healthcheck(listenAddressFromEnv(process.env));
    } catch (error) {
      if (error instanceof ConfigError) fail(error.message);
      throw error;
    }
  }
  let loaded;
  try {
    loaded = configFromEnv(process.env);
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }
  const { config, warnings, usersFile, mdnsName } = loaded;
  for (const warning of warnings) console.warn(`anki-home-sync: warning: ${warning}`);

  // Docker and podman send SIGKILL 10 s after SIGTERM: bodies still arriving are cut off after 5 s,
  // leaving time for the methods already running to finish and the rest to roll back.
  const server = new SyncServer(config, { logger: consoleLogger, shutdownGraceMs: SHUTDOWN_GRACE_MS });
  let watcher: UsersFileWatcher | null = null;
  let responder: MdnsResponder | null = null;
  let control: ControlSocket | null = null;
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
    watcher?.stop();
    responder?.stop();
    void control?.close();
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
  // `anki-home-sync snapshots …` reaches this server through it (control/).
  control = await serveSnapshotControl(config.baseFolder, (user) => server.snapshots(user), consoleLogger);
  if (stopping) {
    void control?.close();
    // A signal came while starting: stop what just started.
    await server.stop();
    process.exit(0);
  }
  const scheme = server.status.scheme === 'https' ? ' (HTTPS)' : '';
  console.log(`Anki Home Sync is listening on ${hostForUrl(address.host)}:${address.port}${scheme}, data in ${config.baseFolder}`);
  if (usersFile !== null) watcher = watchUsersFile(server, usersFile);
  console.log(`Users: ${userNames(config)}${usersFile === null ? '' : ` (SYNC_USERS_FILE ${usersFile.file.path} is watched for changes)`}`);
  if (process.env[IN_CONTAINER] === '1') {
    // The container's own addresses are not the ones devices reach.
    console.log(
      `In Anki, set the self-hosted sync server to http${server.status.scheme === 'https' ? 's' : ''}://<this computer's address>:<the port published for ${address.port}>/`,
    );
  } else {
    let stableName: string | null = null;
    if (mdnsName !== null) {
      const kept = await keepNameAnswering(mdnsName, servedInterfaces(address.host, networkInterfaces()));
      responder = kept.responder;
      if (stopping) responder?.stop();
      if (kept.state === null) {
        console.warn(
          `anki-home-sync: warning: ${mdnsName} did not answer over multicast DNS on this network, so it is not listed; use an address below.`,
        );
      } else {
        stableName = mdnsName;
        console.log(
          `${mdnsName} answers over multicast DNS (${kept.state.answeredBy === 'us' ? 'answered by this server' : 'answered by the system'}).`,
        );
      }
    }
    console.log('In Anki, set the self-hosted sync server to one of:');
    for (const line of await addressLines(server, address.host, address.port, stableName)) console.log(line);
  }
  if (homeAuthorityOf(config.tls) !== null)
    console.log(`iPhones and iPads: open ${ROOT_PROFILE_PATH.slice(1)} at one of these addresses in Safari to trust the root certificate.`);
  const warning = server.certificate()?.warning;
  if (warning) console.warn(`anki-home-sync: warning: ${warning}`);
  if (config.tls !== undefined) renewHomeCertificate(server, config.tls);
}

/** How often a pair made by `certificate make` is looked at: it is renewed two months before its end. */
const RENEWAL_CHECK_MS = 6 * 60 * 60 * 1000;

/** Keeps a pair made by `anki-home-sync certificate make` renewed, for the names it has and the Tailscale name; the watcher serves it. */
function renewHomeCertificate(server: SyncServer, tls: { certFile: string; keyFile: string }): void {
  const check = async (): Promise<void> => {
    const served = server.certificate();
    if (served === null) return;
    try {
      const issued = renewIfHomeCertificate(tls, await withTailscaleName([...served.dnsNames, ...served.ipAddresses], networkInterfaces()));
      if (issued !== null)
        consoleLogger.info('the certificate made by "certificate make" was renewed; devices need nothing new', {
          cert: tls.certFile,
          why: issued,
        });
    } catch (error) {
      consoleLogger.warn('the certificate made by "certificate make" could not be renewed', { reason: String(error) });
    }
  };
  void check();
  setInterval(() => void check(), RENEWAL_CHECK_MS).unref();
}

main().catch((error: unknown) => fail(error instanceof Error ? (error.stack ?? error.message) : String(error)));
