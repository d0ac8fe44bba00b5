// The status pill and the start/stop toggle in the top bar. Both elements stay
// in the page and only their words change: the pill is a live region (a screen
// reader hears "Running" without looking for it), and the toggle keeps the
// keyboard focus while the server starts or stops.

import type { ServerStatus, StorageView } from '../../src-main/shared/ipc.js';

const LABELS: Record<ServerStatus['state'], string> = {
  running: 'Running',
  starting: 'Starting…',
  stopping: 'Stopping…',
  stopped: 'Stopped',
  error: 'Not running',
};

/** While running, a storage disk that is nearly full or refusing writes turns the pill to a warning (the alert says what to do). */
const STORAGE_LABELS: Record<StorageView['state'], string | null> = {
  ok: null,
  low: 'Running, storage almost full',
  full: 'Running, storage full',
};

export function renderStatus(
  pill: HTMLElement,
  button: HTMLButtonElement,
  status: ServerStatus,
  canStart: boolean,
  storage: StorageView['state'] = 'ok',
): void {
  const running = status.state === 'running';
  const busy = status.state === 'starting' || status.state === 'stopping';
  const warning = running ? STORAGE_LABELS[storage] : null;
  pill.dataset['state'] = status.state;
  if (warning === null) delete pill.dataset['warning'];
  else pill.dataset['warning'] = storage;
  const label = warning ?? LABELS[status.state];
  // Set only on a change, so a live region announces changes and not every redraw.
  if (pill.textContent !== label) pill.textContent = label;
  const action = running ? 'Stop server' : 'Start server';
  if (button.textContent !== action) button.textContent = action;
  button.classList.toggle('primary', !running);
  // Before the first account there is nothing to start. While starting or stopping the toggle
  // waits, but keeps the focus a keyboard user gave it.
  button.disabled = !running && !canStart;
  button.setAttribute('aria-disabled', String(busy));
  button.dataset['toggle'] = running ? 'stop' : 'start';
}
