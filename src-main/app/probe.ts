// What the Electron smoke test (test/electron/) asks the main process through
// playwright's electronApp.evaluate: read-only views, no commands. Packaged
// builds cannot be inspected at all (the nodeCliInspect fuse is off), so this
// is reachable only from a development run.

export interface AppProbe {
  trayMenu(): string[];
  serverStatus(): unknown;
}

export const PROBE_KEY = '__ankiHomeSyncProbe';

export function exposeProbe(probe: AppProbe): void {
  (globalThis as Record<string, unknown>)[PROBE_KEY] = probe;
}
