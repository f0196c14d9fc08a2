import { storeContract } from "../queue/store_contract.ts";
import { openStore } from "./_postgres.ts";

// The contract moves time by hand, so these stores follow the caller's
// clock; postgres_clock_test.ts covers the database's.
storeContract(
  "PostgresStore (pg)",
  () => openStore("pg", { clock: "caller" }),
);
storeContract(
  "PostgresStore (postgres.js)",
  () => openStore("postgres.js", { clock: "caller" }),
);
