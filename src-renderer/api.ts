// The typed API the preload script exposes, and one way to call it that turns a
// refusal into a visible message.

import type { ApiResult, AppApi } from '../src-main/shared/ipc.js';

declare global {
  interface Window {
    readonly homeSync: AppApi;
  }
}

export const api: AppApi = window.homeSync;

export type ErrorSink = (message: string | null) => void;

/** Runs a command; on refusal shows its sentence and returns null. */
export async function call<T>(sink: ErrorSink, run: () => Promise<ApiResult<T>>): Promise<T | null> {
  let result: ApiResult<T>;
  try {
    result = await run();
  } catch {
    sink('Anki Home Sync did not answer. Please try again.');
    return null;
  }
  if (!result.ok) {
    sink(result.error.message);
    return null;
  }
  sink(null);
  return result.value;
}
