/**
 * The dashboard's credentials, with Web Crypto only: the token compared in
 * constant time, a session cookie signed with a key derived from the token
 * (so changing the token ends every session), and a CSRF token bound to
 * the session.
 *
 * @module
 */
import { utf8 } from "../_shared/_utf8.ts";

/** How a request proved it knows the token. */
export type Credential =
  | { kind: "bearer" }
  | { kind: "session"; nonce: string };

/** Signs and checks sessions and CSRF tokens for one configured token. */
export class SessionKeys {
  readonly #token: Promise<Uint8Array<ArrayBuffer>>;
  readonly #key: Promise<CryptoKey>;
  readonly #maxAgeMs: number;

  /** Derives the keys from the token; nothing of the token is kept in clear. */
  constructor(token: string, maxAgeMs: number) {
    this.#maxAgeMs = maxAgeMs;
    this.#token = sha256(utf8(token));
    this.#key = sha256(utf8(`webhook-delivery dashboard session\0${token}`))
      .then((raw) =>
        crypto.subtle.importKey(
          "raw",
          raw,
          { name: "HMAC", hash: "SHA-256" },
          false,
          ["sign"],
        )
      );
  }

  /** Whether `candidate` is the token, in time that does not depend on where they differ. */
  async isToken(candidate: string): Promise<boolean> {
    const [expected, given] = await Promise.all([
      this.#token,
      sha256(utf8(candidate)),
    ]);
    return equalBytes(expected, given);
  }

  /** A new session's cookie value. */
  async newSession(now: number): Promise<string> {
    const nonce = base64Url(crypto.getRandomValues(new Uint8Array(18)));
    const body = `${now.toString(36)}.${nonce}`;
    return `${body}.${await this.#mac(`session\0${body}`)}`;
  }

  /** The session a cookie value proves, or `undefined` when it is forged, malformed or expired. */
  async checkSession(
    value: string,
    now: number,
  ): Promise<Credential | undefined> {
    const parts = value.split(".");
    if (parts.length !== 3) return undefined;
    const [issued, nonce, mac] = parts as [string, string, string];
    const issuedAt = parseInt(issued, 36);
    if (!/^[0-9a-z]{1,12}$/.test(issued) || !Number.isSafeInteger(issuedAt)) {
      return undefined;
    }
    if (!/^[A-Za-z0-9_-]{24}$/.test(nonce)) return undefined;
    const expected = await this.#mac(`session\0${issued}.${nonce}`);
    if (!equalText(expected, mac)) return undefined;
    if (issuedAt > now + 60_000 || now - issuedAt > this.#maxAgeMs) {
      return undefined;
    }
    return { kind: "session", nonce };
  }

  /** The CSRF token of a credential: forms carry it, POSTs must return it. */
  csrfToken(credential: Credential): Promise<string> {
    return this.#mac(
      `csrf\0${credential.kind === "bearer" ? "bearer" : credential.nonce}`,
    );
  }

  /** Whether `candidate` is the credential's CSRF token, compared in constant time. */
  async checkCsrf(credential: Credential, candidate: string): Promise<boolean> {
    return equalText(await this.csrfToken(credential), candidate);
  }

  async #mac(text: string): Promise<string> {
    const signature = await crypto.subtle.sign(
      "HMAC",
      await this.#key,
      utf8(text),
    );
    return base64Url(new Uint8Array(signature));
  }
}

async function sha256(
  bytes: Uint8Array<ArrayBuffer>,
): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let index = 0; index < a.length; index++) {
    difference |= a[index]! ^ b[index]!;
  }
  return difference === 0;
}

/** Constant time over the expected length; a length mismatch fails at once (lengths are public). */
function equalText(expected: string, given: string): boolean {
  if (expected.length !== given.length) return false;
  let difference = 0;
  for (let index = 0; index < expected.length; index++) {
    difference |= expected.charCodeAt(index) ^ given.charCodeAt(index);
  }
  return difference === 0;
}

function base64Url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(
    /=+$/,
    "",
  );
}
