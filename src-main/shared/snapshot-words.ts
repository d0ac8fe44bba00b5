// What each kind of snapshot is, in words a learner reads: the window and the
// headless `snapshots list` say the same. The window gets them in each SnapshotView
// (it loads nothing from src-main at run time).

/** The kinds the server keeps (server/index.ts SnapshotKind, repeated here: the window cannot import the server). */
export type SnapshotKindView = 'after-sync' | 'before-full-upload' | 'before-restore' | 'manual' | 'old-backup';

export const SNAPSHOT_KIND_WORDS: Readonly<Record<SnapshotKindView, string>> = {
  'after-sync': 'after a sync',
  'before-full-upload': 'before a full upload',
  'before-restore': 'before a restore',
  manual: 'taken by hand',
  'old-backup': 'an older backup',
};
