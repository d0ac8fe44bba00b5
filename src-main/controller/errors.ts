// A refusal the learner must read. `message` says what happened, why, and what to
// do; it is shown as it is, so it never carries a stack trace or a file error code.

export class AppError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AppError';
  }
}

/** A write that found no room on the disk (the settings file, a folder). */
function isDiskFull(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}

/** Anything unexpected becomes a plain sentence; the details stay in the log. */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (isDiskFull(error)) {
    return new AppError('disk-full', "There's no room left on this computer's disk to save that. Free some space, then try again.", {
      cause: error,
    });
  }
  return new AppError('unexpected', 'Something went wrong inside Anki Home Sync. Your collections were not changed. Please try again.', {
    cause: error,
  });
}
