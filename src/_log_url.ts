/**
 * The form of a webhook URL that goes into log records: the user name and
 * password are removed. Input that does not parse is cut to 200 characters,
 * with anything that looks like credentials removed.
 */
export function logUrl(input: string | URL): string {
  try {
    const url = new URL(String(input));
    // Each setter re-parses the URL, even to clear an empty field: skip them
    // in the usual case of a URL without credentials (one per delivery).
    if (url.username !== "" || url.password !== "") {
      url.username = "";
      url.password = "";
    }
    return url.href;
  } catch {
    return String(input).slice(0, 200).replace(/\/\/[^/?#]*@/, "//");
  }
}
