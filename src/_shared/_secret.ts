import { decodeBase64 } from "./_base64.ts";

const PREFIX = "whsec_";

/** What a secret is checked for, and who names it in error messages. */
export interface SecretRules {
  /** The class whose constructor reports the problem. */
  owner: string;
  /** The name of the option or argument, such as `'secret'`. */
  name: string;
  /** The fewest bytes the key may decode to. */
  minBytes: number;
}

/**
 * Decodes one `whsec_` secret, or an array of them, into raw HMAC keys.
 * Throws a `TypeError` that names the problem and where it is, never the
 * secret itself: error messages end up in logs and bug reports.
 */
export function decodeSecrets(
  value: unknown,
  rules: SecretRules,
): Uint8Array<ArrayBuffer>[] {
  const fail = (name: string, problem: string): never => {
    throw new TypeError(`Cannot create ${rules.owner} as ${name} ${problem}`);
  };
  const secrets: unknown[] = Array.isArray(value) ? value : [value];
  if (secrets.length === 0) fail(`'${rules.name}'`, "holds no secret");
  return secrets.map((secret, index) => {
    const name = Array.isArray(value)
      ? `'${rules.name}[${index}]'`
      : `'${rules.name}'`;
    if (typeof secret !== "string") {
      return fail(
        name,
        `must be a 'whsec_' secret string: current value is of type ${
          secret === null ? "null" : typeof secret
        }`,
      );
    }
    if (secret === "") return fail(name, "is empty");
    if (!secret.startsWith(PREFIX)) {
      return fail(name, "must start with 'whsec_' followed by base64");
    }
    const key = decodeBase64(secret.slice(PREFIX.length));
    if (key === undefined) {
      return fail(name, "is not valid base64 after 'whsec_'");
    }
    if (key.length === 0) return fail(name, "holds no key after 'whsec_'");
    if (key.length < rules.minBytes) {
      return fail(
        name,
        `must decode to at least ${rules.minBytes} bytes: it decodes to ${key.length}`,
      );
    }
    return key;
  });
}

/**
 * Imports raw keys for HMAC-SHA256 once, so no attempt or verification pays
 * for it again. The keys cannot be exported back out of Web Crypto.
 */
export function importHmacKeys(
  keys: readonly Uint8Array<ArrayBuffer>[],
  usage: "sign" | "verify",
): Promise<CryptoKey[]> {
  const imported = Promise.all(keys.map((key) =>
    crypto.subtle.importKey(
      "raw",
      key,
      { name: "HMAC", hash: "SHA-256" },
      false,
      [usage],
    )
  ));
  // Awaited later, where a failure is reported; this only keeps a rejection
  // that nobody awaits yet from being reported as unhandled.
  imported.catch(() => {});
  return imported;
}
