// The command-line switches the app reads itself, decided in plain Node:
//   --quit                a second launch with it quits the running app (as its
//                         tray's Quit does); scripts and the release workflow's
//                         checks use it, on Windows too, where there are no signals.
//   --remote-debugging-port / --remote-debugging-pipe
//                         Chromium's DevTools protocol, which can drive the window
//                         and everything it may do. A packaged app refuses to start
//                         with either, unless ALLOW_REMOTE_DEBUGGING_SWITCH is given
//                         as well: the release workflow's window checks pass both.
// Chromium reads a switch written with "--" or "-" (and "/" on Windows), in any
// case on Windows, up to a bare "--"; so does this.

export const QUIT_SWITCH = 'quit';
export const ALLOW_REMOTE_DEBUGGING_SWITCH = 'allow-remote-debugging-for-tests';
const DEBUGGING_SWITCHES = ['remote-debugging-port', 'remote-debugging-pipe'] as const;

export type LaunchCommand = 'quit' | 'show';

/** The switches on a command line, by lower-case name (Chromium's own parsing rules). */
export function switchNames(argv: readonly string[], platform: NodeJS.Platform = process.platform): Set<string> {
  const names = new Set<string>();
  for (const arg of argv.slice(1)) {
    if (arg === '--') break;
    const match = (platform === 'win32' ? /^(?:--|-|\/)([^=]+)/ : /^(?:--|-)([^=]+)/).exec(arg);
    if (match) names.add(match[1]!.toLowerCase());
  }
  return names;
}

/** What a second launch asks of the running app; passed along as the single-instance lock's data. */
export function secondLaunchData(argv: readonly string[]): { readonly command: LaunchCommand } {
  return { command: switchNames(argv).has(QUIT_SWITCH) ? 'quit' : 'show' };
}

/** What the running app makes of a second launch: its data if it sent any, else its command line. */
export function launchCommand(argv: readonly string[], additionalData: unknown): LaunchCommand {
  if (typeof additionalData === 'object' && additionalData !== null) {
    const command = (additionalData as { command?: unknown }).command;
    if (command === 'quit' || command === 'show') return command;
  }
  return secondLaunchData(argv).command;
}

/**
 * Null when the app may start; otherwise the sentence it prints before exiting.
 * `hasSwitch` is Chromium's own reading of the command line (app.commandLine).
 */
export function refusedDebugging(
  argv: readonly string[],
  packaged: boolean,
  hasSwitch: (name: string) => boolean = () => false,
  platform: NodeJS.Platform = process.platform,
): string | null {
  if (!packaged) return null;
  const names = switchNames(argv, platform);
  if (names.has(ALLOW_REMOTE_DEBUGGING_SWITCH) || hasSwitch(ALLOW_REMOTE_DEBUGGING_SWITCH)) return null;
  const given = DEBUGGING_SWITCHES.filter((name) => names.has(name) || hasSwitch(name));
  if (given.length === 0) return null;
  return `Anki Home Sync does not start with --${given.join(' or --')}: it would let other programs drive its window.`;
}
