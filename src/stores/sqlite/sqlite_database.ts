/**
 * A value a statement takes as a parameter or gives back in a column.
 *
 * @example What a statement binds
 * ```ts
 * import type { SqliteValue } from "@omoi/webhook-delivery/sqlite";
 *
 * const params: SqliteValue[] = ["evt_1", 42, null];
 * console.log(params.length);
 * ```
 */
export type SqliteValue = string | number | bigint | null | Uint8Array;

/**
 * A prepared statement, as `node:sqlite`'s `StatementSync` has it.
 *
 * @example A statement of node:sqlite
 * ```ts
 * import { DatabaseSync } from "node:sqlite";
 * import type { SqliteStatement } from "@omoi/webhook-delivery/sqlite";
 *
 * const database = new DatabaseSync(":memory:");
 * const statement: SqliteStatement = database.prepare("SELECT 1 AS one");
 * console.log(statement.get()); // { one: 1 }
 * database.close();
 * ```
 */
export interface SqliteStatement {
  /** Runs the statement; `changes` counts the rows it wrote. */
  run(...params: SqliteValue[]): { changes: number | bigint };
  /** The first row, or `undefined` (`null` in bun:sqlite) when there is none. */
  get(...params: SqliteValue[]): unknown;
  /** Every row. */
  all(...params: SqliteValue[]): unknown[];
}

/**
 * An open SQLite database with the shape of `node:sqlite`'s `DatabaseSync`
 * (Deno ≥ 2.2, Node.js ≥ 22.5, Bun), which `bun:sqlite`'s `Database` and
 * better-sqlite3's also have.
 *
 * @example Handing the store a database that is open already
 * ```ts
 * import { DatabaseSync } from "node:sqlite";
 * import { SqliteStore, type SqliteDatabase } from "@omoi/webhook-delivery/sqlite";
 *
 * const database: SqliteDatabase = new DatabaseSync(":memory:");
 * const store = new SqliteStore({ database });
 * await store.close();
 * ```
 */
export interface SqliteDatabase {
  /** Runs SQL without parameters. */
  exec(sql: string): unknown;
  /** Compiles one statement. */
  prepare(sql: string): SqliteStatement;
  /** Closes the database. */
  close(): unknown;
}

/** `node:sqlite`, loaded only when a store opens a file by its path. */
export async function openSqliteFile(path: string): Promise<SqliteDatabase> {
  // A specifier in a variable keeps the package's type check and its npm
  // build free of Node.js's types, and `.` free of `node:sqlite` until used.
  const specifier = "node:sqlite";
  let sqlite: { DatabaseSync: new (path: string) => SqliteDatabase };
  try {
    sqlite = await import(specifier);
  } catch (cause) {
    throw new Error(
      "SqliteStore needs node:sqlite, which Deno ≥ 2.2, Node.js ≥ 22.5 and Bun have; on another runtime, pass an open database as 'database'",
      { cause },
    );
  }
  return new sqlite.DatabaseSync(path);
}
