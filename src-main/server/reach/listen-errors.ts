// Why a server could not listen, worded once for both audiences: the headless
// log (for whoever runs `anki-home-sync` by hand or as a service) and the app's
// window (for a learner, with what to do next). The CLI and the controller both
// read these; neither words a listen failure itself.

export type ListenProblem = 'port-in-use' | 'address-unavailable' | 'port-denied';

const BY_CODE: Readonly<Record<string, ListenProblem>> = {
  EADDRINUSE: 'port-in-use',
  EADDRNOTAVAIL: 'address-unavailable',
  EACCES: 'port-denied',
};

/** The problem behind a listen() error's system code, or null for one without words here. */
export function listenProblem(code: string | undefined): ListenProblem | null {
  return code === undefined ? null : (BY_CODE[code] ?? null);
}

/** The reason after "couldn't bind to HOST:PORT: " in the log. */
export function listenProblemForLog(problem: ListenProblem): string {
  switch (problem) {
    case 'port-in-use':
      return 'the port is already in use (is another sync server running?)';
    case 'address-unavailable':
      return 'this computer has no such address';
    case 'port-denied':
      return 'permission denied (ports below 1024 need special rights)';
  }
}

/** The window's sentence: what happened and what to do. */
export function listenProblemForLearner(problem: ListenProblem, where: { host: string; port: number }): string {
  const { host, port } = where;
  switch (problem) {
    case 'port-in-use': {
      const suggestion = port < 65535 ? port + 1 : 8080;
      return `Port ${port} is already used by another program. Choose another port, such as ${suggestion}, and update the address in your Anki apps.`;
    }
    case 'address-unavailable':
      return `This computer has no network address ${host}. Choose "All networks" or "This computer only".`;
    case 'port-denied':
      return `This computer does not allow programs to use port ${port}. Choose a port from 1024 to 65535, such as 8080.`;
  }
}
