/**
 * Caps on open TCP connections: per client address and on the server in all.
 * Thousands of slow or idle sockets from one address would otherwise take the
 * server's file descriptors (EMFILE for everyone, the sandboxes' pipes
 * included); with the caps they fill only their own address's share, and the
 * total stays well below the descriptor limit.
 */
import type { Socket } from 'node:net';

export class ConnectionCaps {
  readonly perClient: number;
  readonly total: number;
  #open = 0;
  readonly #byAddress = new Map<string, number>();

  constructor(perClient: number, total: number) {
    this.perClient = perClient;
    this.total = total;
  }

  get open(): number {
    return this.#open;
  }

  /**
   * Counts the socket until it closes, or says why it is refused (then it is
   * not counted). The address is the peer's: no header has been read yet.
   */
  admit(socket: Socket): string | null {
    const address = socket.remoteAddress ?? 'unknown';
    const mine = this.#byAddress.get(address) ?? 0;
    if (mine >= this.perClient) return `too many connections from your address (limit ${this.perClient}); close some tabs and try again\n`;
    if (this.#open >= this.total) return 'the lab has too many connections open; try again in a few seconds\n';
    this.#open++;
    this.#byAddress.set(address, mine + 1);
    socket.once('close', () => {
      this.#open--;
      const n = (this.#byAddress.get(address) ?? 1) - 1;
      if (n > 0) this.#byAddress.set(address, n);
      else this.#byAddress.delete(address);
    });
    return null;
  }
}
