export function queueCommand(
  _a: unknown,
  _b: unknown,
  _c: unknown,
): Promise<number> {
  return Promise.resolve(2);
}
