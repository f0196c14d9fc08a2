/**
 * Plain-text tables for the `queue` commands.
 *
 * @module
 */

import { printable } from "./_printable.ts";

/** Rows under a header, each column as wide as its widest cell. */
export function formatTable(
  header: readonly string[],
  cells: readonly (readonly string[])[],
): string {
  const rows = cells.map((row) => row.map(printable));
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length))
  );
  const line = (cells: readonly string[]): string =>
    cells.map((cell, column) =>
      column === cells.length - 1 ? cell : cell.padEnd(widths[column]!)
    ).join("  ").trimEnd();
  return [line(header), ...rows.map(line)].map((text) => `${text}\n`).join("");
}

/** Aligned `name: value` lines. */
export function formatFields(
  fields: readonly (readonly [string, string])[],
): string {
  const width = Math.max(...fields.map(([name]) => name.length)) + 1;
  return fields.map(([name, value]) =>
    `${`${name}:`.padEnd(width)} ${printable(value)}\n`
  )
    .join("");
}
