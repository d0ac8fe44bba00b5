// Bytes spooled at once by requests whose account is not known yet (legacy data
// sent before its key), for the whole server: a flood of such bodies cannot
// fill the disk. Past the quota the request is answered 503.
import { ServiceBusyError } from '../errors.js';

export class SpoolQuota {
  private used = 0;
  constructor(readonly maxBytes: number) {}

  take(bytes: number): void {
    if (this.used + bytes > this.maxBytes)
      throw new ServiceBusyError(`spool space: ${this.maxBytes} bytes in use by requests being received`);
    this.used += bytes;
  }

  give(bytes: number): void {
    this.used = Math.max(0, this.used - bytes);
  }
}
