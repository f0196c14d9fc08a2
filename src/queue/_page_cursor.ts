/** The cursor of a page that ends with the message stored `seq`-th. */
export function pageCursor(seq: number): string {
  return String(seq);
}

/** The position a cursor stands for; 0 for none. */
export function readCursor(cursor: string | undefined): number {
  if (cursor === undefined) return 0;
  const seq = Number(cursor);
  if (!Number.isSafeInteger(seq) || seq < 0) {
    throw new TypeError(
      `The cursor is not one 'list' returned: ${JSON.stringify(cursor)}`,
    );
  }
  return seq;
}
