/**
 * The guard on join and recovery codes against guessing, from one address or
 * from many at once (an outside review: 1000 tries in 4 s from 50 addresses).
 *
 * Only failures count: a right code never spends anything, so a class of 40
 * joining at once from one school address goes through, whatever others are
 * doing. Failures are counted twice:
 *
 * - per address (an IPv6 address by its /64, which one subscriber holds
 *   whole): a burst, then so many a minute. An address that has spent its
 *   failures is refused any code, right or wrong, until it has one again;
 *   otherwise its next try would still tell a right code from a wrong one.
 * - server-wide: GLOBAL_CODE_FAILURES_BURST, then GLOBAL_CODE_FAILURES_PER_MINUTE.
 *   While that is spent (many addresses are guessing), a wrong code is
 *   answered 429 instead of 404, and its address is shut out for
 *   GUESSING_PENALTY_MS: refused any code, right or wrong. So each guessing
 *   address gets one guess per penalty, however many it sends. Addresses
 *   that have not failed are not touched: a right code still joins.
 *
 * The price: during such an attack, a learner who mistypes is shut out for
 * the penalty too (the 429 says how long); learners who type the code right
 * are not.
 */
import { isIPv6 } from 'node:net';
import { Busy } from '../fairness/admission.ts';
import { GLOBAL_CODE_FAILURES_BURST, GLOBAL_CODE_FAILURES_PER_MINUTE, GUESSING_PENALTY_MS, MAX_GUARDED_ADDRESSES } from './limits.ts';

export interface CodeGuardOptions {
  /** Failures per address: a burst, then this many a minute. */
  perAddressBurst: number;
  perAddressPerMinute: number;
  /** Failures of all addresses together. */
  globalBurst?: number;
  globalPerMinute?: number;
  penaltyMs?: number;
  maxAddresses?: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/** A token bucket that can be read without taking from it. */
function refill(b: Bucket, burst: number, perMinute: number, now: number): Bucket {
  b.tokens = Math.min(burst, b.tokens + ((now - b.at) / 60_000) * perMinute);
  b.at = now;
  return b;
}

const secondsUntilOne = (b: Bucket, perMinute: number) => Math.max(1, Math.ceil(((1 - b.tokens) * 60) / perMinute));

/** The key an address is counted under: IPv4 whole (also IPv4-mapped IPv6), IPv6 by its first 64 bits. */
export function addressKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1];
  if (!isIPv6(address)) return address;
  // Expand "::" to the missing groups, then keep the first four.
  const [head, tail = ''] = address.toLowerCase().split('::');
  const h = head ? head.split(':') : [];
  const t = address.includes('::') ? (tail ? tail.split(':') : []) : [];
  const groups = [...h, ...Array(Math.max(0, 8 - h.length - t.length)).fill('0'), ...t];
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

export class CodeGuard {
  readonly #o: Required<CodeGuardOptions>;
  readonly #addresses = new Map<string, Bucket & { shutUntil: number }>();
  readonly #global: Bucket;

  constructor(options: CodeGuardOptions, now = Date.now()) {
    this.#o = {
      globalBurst: GLOBAL_CODE_FAILURES_BURST,
      globalPerMinute: GLOBAL_CODE_FAILURES_PER_MINUTE,
      penaltyMs: GUESSING_PENALTY_MS,
      maxAddresses: MAX_GUARDED_ADDRESSES,
      ...options,
    };
    this.#global = { tokens: this.#o.globalBurst, at: now };
  }

  #address(address: string, now: number) {
    const key = addressKey(address);
    let b = this.#addresses.get(key);
    if (!b) {
      if (this.#addresses.size >= this.#o.maxAddresses) this.#forget(now);
      b = { tokens: this.#o.perAddressBurst, at: now, shutUntil: 0 };
      this.#addresses.set(key, b);
    }
    refill(b, this.#o.perAddressBurst, this.#o.perAddressPerMinute, now);
    return b;
  }

  /** Drops addresses that hold no information any more (all failures back, no penalty running). */
  #forget(now: number): void {
    for (const [key, b] of this.#addresses) {
      if (b.shutUntil <= now && refill(b, this.#o.perAddressBurst, this.#o.perAddressPerMinute, now).tokens >= this.#o.perAddressBurst)
        this.#addresses.delete(key);
    }
    // Still full (a flood of addresses with failures): the oldest go; they spent at most a burst each.
    for (const key of this.#addresses.keys()) {
      if (this.#addresses.size < this.#o.maxAddresses) break;
      this.#addresses.delete(key);
    }
  }

  /** Before a code is looked up: throws Busy (429) when this address may not try one now. */
  admit(address: string, now = Date.now()): void {
    const b = this.#address(address, now);
    if (b.shutUntil > now) {
      throw new Busy(
        'too many wrong codes are being tried on this server, and one came from your address; check the code with your teacher, then try again',
        Math.ceil((b.shutUntil - now) / 1000),
      );
    }
    if (b.tokens < 1) {
      throw new Busy(
        `too many wrong codes from your address (${this.#o.perAddressPerMinute} a minute after a burst of ${this.#o.perAddressBurst}); check the code, then try again`,
        secondsUntilOne(b, this.#o.perAddressPerMinute),
      );
    }
  }

  /**
   * After a code was not found: counts the failure. Throws Busy (429) instead of
   * letting the caller answer 404 while the server-wide budget is spent.
   */
  failed(address: string, now = Date.now()): void {
    const b = this.#address(address, now);
    b.tokens = Math.max(0, b.tokens - 1);
    const g = refill(this.#global, this.#o.globalBurst, this.#o.globalPerMinute, now);
    if (g.tokens >= 1) {
      g.tokens -= 1;
      return;
    }
    b.shutUntil = now + this.#o.penaltyMs;
    throw new Busy(
      'too many wrong codes are being tried on this server right now; check the code with your teacher, then try again',
      Math.ceil(this.#o.penaltyMs / 1000),
    );
  }

  /** Failures the server may still answer with 404 before it starts shutting out addresses (for tests and logs). */
  globalBudget(now = Date.now()): number {
    return Math.floor(refill(this.#global, this.#o.globalBurst, this.#o.globalPerMinute, now).tokens);
  }
}
