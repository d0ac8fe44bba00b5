// What an export says when it cannot be made: one sentence a learner can act on
// (docs: ../shared/notes/ux.md's "say what happened, why, and what to do").
// The technical cause rides along as `cause`, for the log.

export class ExportError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ExportError';
  }
}
