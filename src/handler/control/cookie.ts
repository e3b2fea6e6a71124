/**
 * The node's cookie: a shared secret that proves a client may control the node (Erlang's
 * magic cookie). A random 32-byte value in `<root>/releases/COOKIE`, created owner-only on first
 * use; `HOTREL_COOKIE` overrides it (for clients on other accounts, or secrets managers).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export function cookiePath(root: string): string {
  return path.join(root, 'releases', 'COOKIE');
}

/** Reads the cookie, creating it (mode 0600) if the node has none yet. */
export function ensureCookie(root: string): string {
  const fromEnv = process.env.HOTREL_COOKIE;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  const file = cookiePath(root);
  try {
    return readCookieFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const cookie = crypto.randomBytes(32).toString('hex');
  try {
    fs.writeFileSync(file, cookie + '\n', { mode: 0o600, flag: 'wx' });
    return cookie;
  } catch (err) {
    // Another process created it first: use theirs.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return readCookieFile(file);
    throw err;
  }
}

/** Reads an existing cookie (clients never create one). */
export function readCookie(root: string): string {
  const fromEnv = process.env.HOTREL_COOKIE;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  return readCookieFile(cookiePath(root));
}

function readCookieFile(file: string): string {
  const st = fs.statSync(file);
  if ((st.mode & 0o077) !== 0) {
    throw new Error(
      `${file} is readable by others (mode ${(st.mode & 0o777).toString(8)}); run: chmod 600 ${file}`,
    );
  }
  const cookie = fs.readFileSync(file, 'utf8').trim();
  if (cookie === '')
    throw new Error(`${file} is empty; delete it and restart the node to create a new cookie`);
  return cookie;
}

/** The client's answer to a challenge: HMAC-SHA256 of the nonce keyed by the cookie. */
export function answerChallenge(cookie: string, nonce: string): string {
  return crypto.createHmac('sha256', cookie).update(nonce).digest('hex');
}

/** Constant-time check of a client's answer. */
export function verifyAnswer(cookie: string, nonce: string, answer: unknown): boolean {
  if (typeof answer !== 'string') return false;
  const expected = Buffer.from(answerChallenge(cookie, nonce), 'hex');
  const got = Buffer.from(answer, 'hex');
  return got.length === expected.length && crypto.timingSafeEqual(got, expected);
}

export function newNonce(): string {
  return crypto.randomBytes(32).toString('hex');
}
