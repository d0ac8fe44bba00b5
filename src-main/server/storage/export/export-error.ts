// What an export says when it cannot be made: one sentence a learner can act on
// (what happened, why, what to do), never a stack trace. The technical cause
// rides along as `cause`, for the log.
import { isOutOfSpace } from '../../errors.js';

export class ExportError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ExportError';
  }
}

function codeOf(error: unknown): string | null {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : null;
}

/** Where the export went wrong: reading the collection, reading a media file, or writing the package. */
export type ExportStep = { readonly kind: 'collection' } | { readonly kind: 'media'; readonly name: string } | { readonly kind: 'write' };

/** The learner's sentence for `error`, met at `step` of writing `outFile` into `folder`. */
export function exportErrorFor(error: unknown, step: ExportStep, folder: string): ExportError {
  if (error instanceof ExportError) return error;
  const code = codeOf(error);
  const options = { cause: error };
  if (isOutOfSpace(error))
    return new ExportError(
      `There is not enough free space in ${folder} to write the export. Free some space there, or choose another folder.`,
      options,
    );
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return step.kind === 'media'
      ? new ExportError(
          `The media file ${JSON.stringify(step.name)} could not be read (permission denied), so nothing was exported.`,
          options,
        )
      : step.kind === 'collection'
        ? new ExportError(
            'The collection could not be read (permission denied), so nothing was exported. Run this as the user the server runs as.',
            options,
          )
        : new ExportError(`This program may not write to ${folder}. Choose another folder.`, options);
  }
  if (step.kind === 'collection') {
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED')
      return new ExportError(
        'The collection is held by the server right now (it does so while its disk is full), so it cannot be exported. Free some disk space and try again.',
        options,
      );
    if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT' || code?.startsWith('SQLITE_CORRUPT') === true)
      return new ExportError(
        'The collection file is damaged, so it cannot be exported. A snapshot from before the damage can be restored.',
        options,
      );
  }
  if (step.kind === 'media')
    return new ExportError(
      `The media file ${JSON.stringify(step.name)} could not be read${code === null ? '' : ` (${code})`}, so nothing was exported.`,
      options,
    );
  const detail = error instanceof Error ? error.message : String(error);
  return new ExportError(`The export could not be written: ${detail}.`, options);
}
