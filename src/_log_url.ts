/**
 * The form of a webhook URL that goes into log records: the user name and
 * password are removed. Input that does not parse is cut to 200 characters,
 * with anything that looks like credentials removed.
 */
export function logUrl(input: unknown): string {
  try {
    const url = new URL(String(input));
    url.username = "";
    url.password = "";
    return url.href;
  } catch {
    try {
      return String(input).slice(0, 200).replace(/\/\/[^/?#]*@/, "//");
    } catch {
      return "(not a string)";
    }
  }
}
