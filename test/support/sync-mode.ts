// Which client a test harness plays: current (version 11) or a legacy one.
// The normal-sync scenario files run in every mode (legacy-normal-sync.e2e.test.ts
// runs them again with AHS_SYNC_MODE set), so each scenario is checked with
// each way of speaking the protocol.
import type { ClientProtocol } from './normal-sync-client.js';
import type { LegacyStyle } from './legacy-transport.js';

export type SyncMode =
  | { readonly kind: 'v11' }
  | {
      readonly kind: 'legacy';
      readonly style: LegacyStyle;
      readonly protocol: ClientProtocol & { readonly syncVersion: number };
    };

export const SYNC_MODES = {
  v11: { kind: 'v11' },
  /** Desktop 2.1.16: Python field order, version 9, graves by applyGraves, real due counts. */
  'legacy-python-9': { kind: 'legacy', style: 'python', protocol: { syncVersion: 9, dueCounts: [3, 1, 2] } },
  /**
   * Version 10 with `data` before `k` (desktop 2.1.28–2.1.56's order) and the
   * graves inside `start` (as AnkiDroid ≤ 2.15 sends them).
   */
  'legacy-rust-10': { kind: 'legacy', style: 'rust', protocol: { syncVersion: 10, gravesInStart: true, dueCounts: [0, 4, 1] } },
} as const satisfies Record<string, SyncMode>;

export type SyncModeName = keyof typeof SYNC_MODES;

export const SYNC_MODE_ENV = 'AHS_SYNC_MODE';

/** The mode named by AHS_SYNC_MODE; v11 when unset. */
export function syncModeFromEnv(): SyncMode {
  const name = process.env[SYNC_MODE_ENV];
  if (name === undefined || name === '') return SYNC_MODES.v11;
  if (!(name in SYNC_MODES)) throw new Error(`${SYNC_MODE_ENV}=${name} is not one of ${Object.keys(SYNC_MODES).join(', ')}`);
  return SYNC_MODES[name as SyncModeName];
}

/**
 * How media devices talk (legacy-media-sync.e2e.test.ts reruns the media scenario
 * files with AHS_MEDIA_MODE set): v11; Python/AnkiDroid multipart with gzip;
 * desktop 2.1.22–2.1.56 (GET begin, nothing compressed).
 */
export const MEDIA_MODES = ['v11', 'legacy-python', 'legacy-rust'] as const;
export type MediaModeName = (typeof MEDIA_MODES)[number];
export const MEDIA_MODE_ENV = 'AHS_MEDIA_MODE';

export function mediaModeFromEnv(): MediaModeName {
  const name = process.env[MEDIA_MODE_ENV];
  if (name === undefined || name === '') return 'v11';
  if (!(MEDIA_MODES as readonly string[]).includes(name))
    throw new Error(`${MEDIA_MODE_ENV}=${name} is not one of ${MEDIA_MODES.join(', ')}`);
  return name as MediaModeName;
}
