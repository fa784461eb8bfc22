/**
 * Busy polling after activity. A thread that sleeps in epoll/kqueue/IOCP between the packets of a ping-pong pays a
 * wake-up for each one: on a laptop some microseconds, on a virtual machine tens of them, more than the relay's own
 * work. For a short window after each `touch()` the event loop keeps turning (one `setImmediate` after another, so
 * every turn polls the sockets without blocking) and a reply that follows quickly is read without that wake-up. The
 * window is in microseconds like Linux's SO_BUSY_POLL; the cost is at most one window of CPU per burst of traffic,
 * and nothing while the traffic is idle.
 *
 * One poller per thread: every proxy listener of the process shares it, so there is one spin however many there are.
 */

/** The proxy's default window: longer than a loopback round trip, short enough to cost nothing at human rates. */
export const DEFAULT_BUSY_POLL_MICROS = 100;

class BusyPoll {
  /** performance.now() until which the loop keeps turning. */
  private until = 0;
  private turning = false;
  /** Turns of the loop taken, for tests. */
  turns = 0;

  /** Keeps the event loop turning for `micros` from now (0 or less: no effect). */
  touch(micros: number): void {
    if (micros <= 0) return;
    const until = performance.now() + micros / 1000;
    if (until > this.until) this.until = until;
    if (!this.turning) {
      this.turning = true;
      setImmediate(this.turn);
    }
  }

  get active(): boolean {
    return this.turning;
  }

  private readonly turn = (): void => {
    this.turns++;
    if (performance.now() < this.until) setImmediate(this.turn);
    else this.turning = false;
  };
}

export const busyPoll = new BusyPoll();
