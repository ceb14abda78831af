/**
 * The classroom's credentials: password hashing, session tokens, cookies and
 * the random codes (join codes, recovery codes, ids).
 *
 * Passwords: scrypt (memory-hard) with a random salt per password; the stored
 * string carries its parameters, `scrypt$N$r$p$salt$hash` (base64url), so the
 * parameters can be raised later and old hashes still verify (and are
 * re-hashed at the next sign-in: needsRehash). Hashes are compared in
 * constant time.
 *
 * Hashing runs on libuv's threadpool (crypto.scrypt with a callback), never
 * on the event loop, and at most MAX_CONCURRENT_HASHES at once (HashSlots):
 * the threadpool has 4 threads by default and file I/O (the static site,
 * workspaces) shares them, so a flood of sign-ups or sign-ins must not occupy
 * all of them. Beyond MAX_QUEUED_HASHES waiting, an attempt is refused (429).
 *
 * Session tokens: 256 random bits, sent once in an HttpOnly cookie; the
 * database keeps only their SHA-256, so a copy of the database signs no one in.
 */
import { createHash, randomBytes, randomInt, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { Busy } from '../fairness/admission.ts';
import { CODE_ALPHABET, JOIN_CODE_LENGTH, LEGACY_JOIN_CODE_LENGTH, RECOVERY_CODE_GROUP_LENGTH, RECOVERY_CODE_GROUPS } from './limits.ts';

export interface KdfParams {
  /** CPU/memory cost (a power of two): memory is 128 * N * r bytes. */
  N: number;
  r: number;
  p: number;
}

/**
 * N = 2^16, r = 8: 64 MiB and about 0.13 s per hash on the development
 * machine (docs/security.md). OWASP's minimum is N = 2^17 with r = 8; this is
 * one step below it to keep sign-in bursts on a 2-core lab server bearable,
 * with the sign-in rate limit (config.ts) against guessing.
 */
export const KDF: KdfParams = { N: 2 ** 16, r: 8, p: 1 };
const SALT_BYTES = 16;
const KEY_BYTES = 32;
/** Largest N accepted from a stored hash (a corrupt or hostile row must not allocate gigabytes). */
const MAX_N = 2 ** 20;

/**
 * Hashes computed at once. Two: half of libuv's default threadpool (4), so
 * file reads and writes always find a free thread; on the 2-core lab server
 * more would not hash faster anyway (each hash keeps a core busy), and each
 * holds 64 MiB (KDF), so this also caps hashing memory at 128 MiB.
 */
export const MAX_CONCURRENT_HASHES = 2;
/**
 * Hashes waiting for a slot before the next attempt is refused: at ~0.13 s a
 * hash, 64 waiting is about 4 s of queue, longer than anyone should wait to
 * sign in, and a flood from many addresses holds no more memory than this.
 */
export const MAX_QUEUED_HASHES = 64;
/** Retry-After of an attempt refused because the queue is full (the queue drains in about this long). */
const HASH_BUSY_RETRY_SECONDS = 5;

/** At most `slots` tasks at once, at most `maxQueued` waiting; more are refused with Busy (429). */
export class HashSlots {
  readonly slots: number;
  readonly maxQueued: number;
  #running = 0;
  readonly #waiting: Array<() => void> = [];

  constructor(slots: number, maxQueued: number) {
    this.slots = slots;
    this.maxQueued = maxQueued;
  }

  get running(): number {
    return this.#running;
  }

  get queued(): number {
    return this.#waiting.length;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#running < this.slots) {
      this.#running++;
    } else {
      if (this.#waiting.length >= this.maxQueued) {
        throw new Busy('the server is busy checking other passwords; try again in a few seconds', HASH_BUSY_RETRY_SECONDS);
      }
      // The slot is handed over by the task that finishes (running stays the same).
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    }
    try {
      return await task();
    } finally {
      const next = this.#waiting.shift();
      if (next) next();
      else this.#running--;
    }
  }
}

const hashSlots = new HashSlots(MAX_CONCURRENT_HASHES, MAX_QUEUED_HASHES);

function scryptAsync(password: string, salt: Buffer, params: KdfParams): Promise<Buffer> {
  return hashSlots.run(() => scryptInThreadpool(password, salt, params));
}

function scryptInThreadpool(password: string, salt: Buffer, params: KdfParams): Promise<Buffer> {
  // maxmem: the 128*N*r bytes scrypt needs plus headroom (Node's default, 32 MiB, is too small for N=2^16).
  const options: ScryptOptions = { N: params.N, r: params.r, p: params.p, maxmem: 2 * 128 * params.N * params.r * params.p };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, KEY_BYTES, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

export async function hashPassword(password: string, params: KdfParams = KDF): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await scryptAsync(password, salt, params);
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

function parseHash(stored: string): { params: KdfParams; salt: Buffer; key: Buffer } | null {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return null;
  const [N, r, p] = parts.slice(1, 4).map(Number);
  if (![N, r, p].every(Number.isSafeInteger) || N < 2 || N > MAX_N || (N & (N - 1)) !== 0 || r < 1 || r > 32 || p < 1 || p > 16) return null;
  const salt = Buffer.from(parts[4], 'base64url');
  const key = Buffer.from(parts[5], 'base64url');
  if (salt.length < 8 || key.length < 16) return null;
  return { params: { N, r, p }, salt, key };
}

/** True when password matches the stored hash. A malformed stored hash is an error, not a mismatch. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseHash(stored);
  if (!parsed) throw new Error('stored password hash is malformed');
  const key = await scryptAsync(password, parsed.salt, parsed.params);
  return key.length === parsed.key.length && timingSafeEqual(key, parsed.key);
}

/** The stored hash was made with other parameters than today's: hash again after a successful sign-in. */
export function needsRehash(stored: string, params: KdfParams = KDF): boolean {
  const parsed = parseHash(stored);
  return !parsed || parsed.params.N !== params.N || parsed.params.r !== params.r || parsed.params.p !== params.p;
}

/**
 * A hash of a random password, to verify against when the email is unknown:
 * sign-in takes as long for an unknown email as for a wrong password.
 */
let dummyHash: Promise<string> | null = null;
export function dummyPasswordHash(): Promise<string> {
  if (!dummyHash) {
    const made = hashPassword(randomBytes(16).toString('hex'));
    // A refused first attempt (Busy: the hash queue was full) must not be remembered for good.
    made.catch(() => {
      if (dummyHash === made) dummyHash = null;
    });
    dummyHash = made;
  }
  return dummyHash;
}

/** A new session token (for a cookie): 256 random bits. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** What the database stores of a token. */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** The well-formed token in the named cookie of a Cookie header, or null. */
export function tokenFromCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    const value = part.slice(eq + 1).trim();
    if (TOKEN_PATTERN.test(value)) return value;
  }
  return null;
}

export function sessionCookie(name: string, token: string, maxAgeMs: number, secure: boolean): string {
  return `${name}=${token}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${Math.floor(maxAgeMs / 1000)}${secure ? '; Secure' : ''}`;
}

export function clearedCookie(name: string, secure: boolean): string {
  return `${name}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0${secure ? '; Secure' : ''}`;
}

function randomCode(length: number): string {
  let code = '';
  for (let i = 0; i < length; i++) code += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return code;
}

export function newJoinCode(): string {
  return randomCode(JOIN_CODE_LENGTH);
}

export function newRecoveryCode(): string {
  return Array.from({ length: RECOVERY_CODE_GROUPS }, () => randomCode(RECOVERY_CODE_GROUP_LENGTH)).join('-');
}

/**
 * A code as typed (any case, spaces or dashes anywhere) in its stored form:
 * upper case, and for recovery codes the dashes put back between groups.
 * Null when it cannot be a code (wrong length or a character outside the alphabet).
 */
export function normalizeJoinCode(input: string): string | null {
  const code = input.toUpperCase().replace(/[\s-]/g, '');
  return (code.length === JOIN_CODE_LENGTH || code.length === LEGACY_JOIN_CODE_LENGTH) && [...code].every((c) => CODE_ALPHABET.includes(c)) ? code : null;
}

export function normalizeRecoveryCode(input: string): string | null {
  const code = input.toUpperCase().replace(/[\s-]/g, '');
  if (code.length !== RECOVERY_CODE_GROUPS * RECOVERY_CODE_GROUP_LENGTH || ![...code].every((c) => CODE_ALPHABET.includes(c))) return null;
  return code.match(new RegExp(`.{${RECOVERY_CODE_GROUP_LENGTH}}`, 'g'))!.join('-');
}

/** An opaque id for a row: 96 random bits. */
export function newId(): string {
  return randomBytes(12).toString('base64url');
}
