// Numbers and times as a learner reads them. No DOM here, so tests run it in Node.

import type { SyncView } from '../src-main/shared/ipc.js';

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

export function formatCount(n: number, one: string, many: string): string {
  return `${n.toLocaleString('en')} ${n === 1 ? one : many}`;
}

export function timeAgo(at: number, now: number): string {
  const seconds = Math.max(0, Math.round((now - at) / 1000));
  if (seconds < 45) return 'just now';
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return minutes === 1 ? '1 minute ago' : `${minutes} minutes ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return hours === 1 ? '1 hour ago' : `${hours} hours ago`;
  const days = Math.round(hours / 24);
  if (days < 14) return days === 1 ? 'yesterday' : `${days} days ago`;
  return new Date(at).toLocaleDateString();
}

export function clockTime(at: number): string {
  return new Date(at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

/** A normal sync's step, from the device's side, in words. */
const STEP_WORDS: Readonly<Record<string, string>> = {
  start: 'starting',
  applyGraves: 'sending deletions',
  applyChanges: 'exchanging deck and note type changes',
  chunk: 'receiving cards and notes',
  applyChunk: 'sending cards and notes',
  sanityCheck2: 'checking both sides agree',
  finish: 'finishing',
  abort: 'stopping',
};

/** "alice: full upload from 192.168.1.31, 45 of 120 MB", and its bar's fraction (null: no bar). */
export function describeSync(sync: Omit<SyncView, 'startedAt'>): { text: string; fraction: number | null } {
  const who = `${sync.username}: `;
  const from = `from ${sync.clientIp}`;
  switch (sync.kind) {
    case 'full-upload':
    case 'full-download': {
      const what = sync.kind === 'full-upload' ? `full upload ${from}` : `full download to ${sync.clientIp}`;
      if (sync.total === null || sync.total <= 0) return { text: `${who}${what}, ${formatBytes(sync.done)} so far`, fraction: null };
      return { text: `${who}${what}, ${ofTotal(sync.done, sync.total)}`, fraction: Math.min(1, sync.done / sync.total) };
    }
    case 'normal-sync':
      return { text: `${who}syncing ${from}: ${STEP_WORDS[sync.step] ?? sync.step}`, fraction: null };
    case 'media-sync':
      return { text: `${who}media sync ${from}, ${formatCount(sync.done, 'file', 'files')} so far`, fraction: null };
  }
}

/** "45 of 120 MB": both in the total's unit. */
function ofTotal(done: number, total: number): string {
  const whole = formatBytes(total);
  const unit = whole.split(' ')[1] ?? 'B';
  const scale = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 }[unit] ?? 1;
  const value = done / scale;
  return `${unit === 'B' || value >= 10 ? Math.round(value) : value.toFixed(1)} of ${whole}`;
}
