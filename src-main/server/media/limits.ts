// The media protocol's fixed limits, as the reference server and clients use them.

/** Entries in one upload `_meta`, and names in one downloadFiles request. */
export const MAX_MEDIA_FILES_IN_ZIP = 25;

/** Media syncing does not carry files over 100 MiB. */
export const MAX_INDIVIDUAL_MEDIA_FILE_SIZE = 100 * 1024 * 1024;

/** A download zip stops after the file that takes its total past this. */
export const MEDIA_SYNC_TARGET_ZIP_BYTES = Math.trunc(2.5 * 1024 * 1024);

/** Only this much of an upload's `_meta` member is read. */
export const MAX_UPLOAD_META_BYTES = 50 * 1024;

/** Rows per mediaChanges answer; clients loop until an empty one. */
export const MEDIA_CHANGES_CHUNK = 1000;

/**
 * Members in an upload zip. Clients send at most 26 (25 files and `_meta`); the
 * cap only stops a hostile zip of millions of empty members from filling memory.
 */
export const MAX_UPLOAD_ZIP_MEMBERS = 10_000;
