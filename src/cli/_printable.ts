/**
 * Text from the outside world (a request's headers and body, a stored URL,
 * an error message, a receiver's answer) made safe for a terminal.
 *
 * @module
 */

/**
 * Replaces control characters but line breaks and tabs (C0, DEL and C1,
 * which carry terminal escape sequences) with `\u{…}` escapes, so that what
 * a request or a stored message holds cannot move the cursor, retitle the
 * window or hide text on the terminal that shows it.
 */
export function printable(text: string): string {
  return text.replace(
    // deno-lint-ignore no-control-regex
    /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g,
    (char) => `\\u{${char.codePointAt(0)!.toString(16)}}`,
  );
}
