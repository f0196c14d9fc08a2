// Encoding keeps no state between calls: one encoder serves every module.
const encoder = new TextEncoder();

/** The UTF-8 bytes of a text: a delivery's JSON, a signed content, a header. */
export function utf8(text: string): Uint8Array<ArrayBuffer> {
  return encoder.encode(text);
}
