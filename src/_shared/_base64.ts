/** Encodes bytes as standard base64 with padding (RFC 4648, section 4). */
export function encodeBase64(bytes: Uint8Array): string {
  let binary = "";
  // Chunks keep `String.fromCharCode` under engines' argument limits.
  for (let start = 0; start < bytes.length; start += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(start, start + 0x8000));
  }
  return btoa(binary);
}

const BASE64 =
  /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Decodes standard base64, with or without padding, or returns `undefined`.
 * Stricter than `atob`: no white space, no URL-safe alphabet, and no stray
 * bits after the last byte, so each byte string has exactly one accepted
 * spelling.
 */
export function decodeBase64(
  text: string,
): Uint8Array<ArrayBuffer> | undefined {
  const padded = text.length % 4 === 0 ? text : text + "=".repeat(
    (4 - text.length % 4) % 4,
  );
  if (text.length % 4 === 1 || !BASE64.test(padded)) return undefined;
  const binary = atob(padded);
  const bytes = Uint8Array.from(binary, (char) => char.charCodeAt(0));
  return encodeBase64(bytes) === padded ? bytes : undefined;
}
