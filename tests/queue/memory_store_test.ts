import { MemoryStore } from "../../mod.ts";
import { storeContract } from "./store_contract.ts";

storeContract("MemoryStore", () => new MemoryStore());
