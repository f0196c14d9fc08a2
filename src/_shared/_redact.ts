/**
 * The one redaction rule of the package, for log records and results alike:
 * a URL loses its user name and password, every query value becomes
 * `REDACTED` (tokens often travel there) and its fragment, which is never
 * sent, is dropped. The path is kept: it is what tells endpoints apart.
 *
 * @module
 */

/** How long the redacted form of a URL that does not parse may be. */
const MAX_UNPARSED_LENGTH = 200;

/**
 * A URL inside a text, such as a runtime's error message that quotes the
 * request: a scheme of the kind `fetch` sends (`http:`, `https:`, in any
 * case, with or without slashes) and everything up to the next white space.
 * Taking all of it over-redacts punctuation around the URL rather than
 * leaving a token behind: the URL parser keeps `(`, `)`, quotes and brackets
 * as they are in paths and queries.
 */
const URL_IN_TEXT = /https?:[^\s]+/gi;

/**
 * The form of a webhook URL that log records and results show; see the
 * module doc. Input that does not parse is treated as far as it can be
 * read: everything before its last `@` goes, so does its query, and it is
 * cut to 200 characters.
 */
export function redactUrl(input: unknown): string {
  let text: string;
  try {
    text = String(input);
  } catch {
    return "(not a string)";
  }
  try {
    const url = new URL(text);
    // Each setter re-parses the URL, even to clear an empty field: skip them
    // in the usual case of a URL without credentials, query or fragment.
    if (url.username !== "" || url.password !== "") {
      url.username = "";
      url.password = "";
    }
    if (url.hash !== "") url.hash = "";
    // Assigned as text, not through `searchParams`, so the names keep their
    // original encoding and nothing else of the URL is rewritten.
    if (url.search !== "") url.search = redactQuery(url.search.slice(1));
    return url.href;
  } catch {
    return redactUnparsed(text);
  }
}

/**
 * Replaces every URL in a text by its {@linkcode redactUrl} form; trailing
 * punctuation that closes the sentence around the URL is kept outside it.
 */
export function redactText(text: string): string {
  return text.replace(URL_IN_TEXT, (match) => {
    const [url, after] = splitTrailingPunctuation(match);
    return redactUrl(url) + after;
  });
}

/**
 * Without the authority the parser would have found, credentials may hold
 * any character (an unencoded `/`, `?` or `#` is what breaks the parse), and
 * a scheme-relative or slash-less form (`//user:pw@host`, `http:user:pw@…`)
 * has no `//` to anchor on: all that stands before the last `@` goes, but
 * for an `http:`/`https:` scheme.
 */
function redactUnparsed(input: string): string {
  let text = input;
  const at = text.lastIndexOf("@");
  if (at !== -1) {
    const scheme = /^https?:[/\\]*/i.exec(text)?.[0] ?? "";
    text = (scheme.length <= at ? scheme : "") + text.slice(at + 1);
  }
  text = text.replace(/#[^]*$/, "");
  const query = text.indexOf("?");
  const redacted = query === -1
    ? text
    : `${text.slice(0, query)}?${redactQuery(text.slice(query + 1))}`;
  return redacted.slice(0, MAX_UNPARSED_LENGTH);
}

/**
 * `(http://h/?t=1).` is `http://h/?t=1` and `).`: sentence punctuation and
 * closing brackets that have no opening one inside the URL.
 */
function splitTrailingPunctuation(match: string): [string, string] {
  let end = match.length;
  while (end > 0) {
    const last = match[end - 1]!;
    if (/[.,;:!?'"]/.test(last)) {
      end--;
      continue;
    }
    const open = CLOSING[last];
    if (open === undefined) break;
    const url = match.slice(0, end);
    if (count(url, open) >= count(url, last)) break;
    end--;
  }
  return [match.slice(0, end), match.slice(end)];
}

const CLOSING: Record<string, string> = { ")": "(", "]": "[", ">": "<" };

function count(text: string, char: string): number {
  return text.split(char).length - 1;
}

/** `a=1&b&c=` becomes `a=REDACTED&REDACTED&c=`: a bare entry may be a key. */
function redactQuery(query: string): string {
  return query
    .split("&")
    .map((entry) => {
      const equals = entry.indexOf("=");
      if (equals === -1) return entry === "" ? "" : "REDACTED";
      return equals === entry.length - 1
        ? entry
        : `${entry.slice(0, equals)}=REDACTED`;
    })
    .join("&");
}

/** A text without the URLs it holds, for matching words in error messages. */
export function withoutUrls(text: string): string {
  return text.replace(URL_IN_TEXT, "");
}
