// How many requests of one account may be received or handled at once. A slot
// is taken before a body is decoded, so memory and disk held for one account
// are bounded by the slots times the method's cap, whatever its devices (or a
// faulty one) do. A request that finds every slot taken waits its turn, for a
// while; a device's own syncs use one or two at a time.
import { ServiceBusyError } from '../errors.js';

export interface Slot {
  release(): void;
}

interface Waiter {
  grant(slot: Slot): void;
  timer: NodeJS.Timeout;
}

export class UserSlots {
  private readonly inUse = new Map<string, number>();
  private readonly waiting = new Map<string, Waiter[]>();

  constructor(
    private readonly perUser: number,
    /** How long a request waits for a slot before it is answered 503. */
    private readonly waitMs = 30_000,
  ) {}

  async take(username: string): Promise<Slot> {
    const used = this.inUse.get(username) ?? 0;
    if (used < this.perUser) {
      this.inUse.set(username, used + 1);
      return this.slotFor(username);
    }
    return new Promise<Slot>((resolve, reject) => {
      const queue = this.waiting.get(username) ?? [];
      const waiter: Waiter = {
        grant: resolve,
        timer: setTimeout(() => {
          const left = (this.waiting.get(username) ?? []).filter((w) => w !== waiter);
          if (left.length > 0) this.waiting.set(username, left);
          else this.waiting.delete(username);
          reject(new ServiceBusyError(`${this.perUser} requests of this account already in progress`));
        }, this.waitMs),
      };
      waiter.timer.unref();
      queue.push(waiter);
      this.waiting.set(username, queue);
    });
  }

  private slotFor(username: string): Slot {
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        const next = this.waiting.get(username)?.shift();
        if (this.waiting.get(username)?.length === 0) this.waiting.delete(username);
        if (next !== undefined) {
          clearTimeout(next.timer);
          next.grant(this.slotFor(username));
          return;
        }
        const used = (this.inUse.get(username) ?? 1) - 1;
        if (used > 0) this.inUse.set(username, used);
        else this.inUse.delete(username);
      },
    };
  }
}
