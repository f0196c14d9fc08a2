/**
 * The form of a webhook URL that goes into log records: the user name and
 * password are removed, every query value is replaced by `REDACTED` (tokens
 * often travel there), and the fragment, which is never sent, is dropped.
 * Input that does not parse gets the same treatment as far as it can be
 * read, and is cut to 200 characters.
 */
export function logUrl(input: unknown): string {
  try {
    const url = new URL(String(input));
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
    let text: string;
    try {
      text = String(input);
    } catch {
      return "(not a string)";
    }
    // Credentials first, up to the last '@': an unencoded '#', '?' or '/' in
    // a password is what can make such a URL unparseable in the first place.
    text = text.replace(/^([^:/?#]*:\/\/)[^]*@/, "$1").replace(/#.*$/s, "");
    const query = text.indexOf("?");
    const redacted = query === -1
      ? text
      : `${text.slice(0, query)}?${redactQuery(text.slice(query + 1))}`;
    return redacted.slice(0, 200);
  }
}

/**
 * Replaces the URLs in a text, such as a runtime's error message that quotes
 * the request URL, by their {@linkcode logUrl} form.
 */
export function redactUrls(text: string): string {
  return text.replace(/\bhttps?:\/\/[^\s"'<>()]+/gi, (url) => logUrl(url));
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
