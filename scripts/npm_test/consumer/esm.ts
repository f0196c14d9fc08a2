// A TypeScript consumer of the packed package, as an ES module: type-checked
// (never run) by tsc under `nodenext` and `bundler` resolution, against the
// declarations of the `import` condition.
import {
  createJsonLogger,
  DEFAULT_RETRY_DELAYS_MS,
  type DeliveryErrorKind,
  type DeliveryResult,
  type FetchFunction,
  type Logger,
  type SendOptions,
  silentLogger,
  type WebhookDeliveryOptions,
  WebhookDeliveryService,
} from "@omoi/webhook-delivery";
import {
  WebhookVerifier,
  type WebhookVerifierOptions,
} from "@omoi/webhook-delivery/verify";
import {
  pgClient,
  type PgPoolLike,
  type PostgresClient,
  PostgresStore,
} from "@omoi/webhook-delivery/postgres";

const options: WebhookDeliveryOptions = {
  timeoutMs: 5_000,
  retryDelaysMs: [...DEFAULT_RETRY_DELAYS_MS, 8_000],
  jitter: 0.2,
  retryOnStatus: (status) => status === 429 || status >= 500,
  headers: { authorization: "Bearer example-token" },
  logger: createJsonLogger({ level: "warn" }),
};
const service = new WebhookDeliveryService(options);

const ok: boolean = await service.deliver("https://receiver.test/hooks", {
  event_type: "task.completed",
});
const sendOptions: SendOptions = {
  id: "evt_1",
  headers: { "x-tenant": "acme" },
  signal: AbortSignal.timeout(30_000),
};
const result: DeliveryResult = await service.send(
  new URL("https://receiver.test/hooks"),
  { ok },
  sendOptions,
);
const kinds: (DeliveryErrorKind | undefined)[] = result.attempts.map((
  attempt,
) => attempt.error?.kind);
const statuses: (number | undefined)[] = result.attempts.map((attempt) =>
  attempt.status
);

const countingFetch: FetchFunction = (url, init) => fetch(url, init);
const logger: Logger = console;
new WebhookDeliveryService({ logger, fetch: countingFetch });
new WebhookDeliveryService({ logger: silentLogger });

// The types are real, not `any`: each of these must be an error.
// @ts-expect-error timeoutMs is a number
new WebhookDeliveryService({ timeoutMs: "5s" });
// @ts-expect-error the outcomes are a closed set
const outcome: DeliveryResult["outcome"] = "lost";
// @ts-expect-error deliver() resolves a boolean
const text: string = await service.deliver("https://receiver.test", {});

// The receiver's entry point resolves with its own declarations.
const verifierOptions: WebhookVerifierOptions = { toleranceSeconds: 60 };
const verifier = new WebhookVerifier(
  "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
  verifierOptions,
);
const payload: Promise<unknown> = verifier.verify("{}", {});

// The PostgreSQL entry point: its adapters take a client of this shape, so
// neither `pg` nor its types are needed to compile against it.
const pool: PgPoolLike = {
  query: () => Promise.resolve({ rows: [] }),
  connect: () =>
    Promise.resolve({ query: () => Promise.resolve({ rows: [] }) }),
};
const client: PostgresClient = pgClient(pool);
const store = new PostgresStore({ client, schema: "webhooks" });
const migrated: Promise<void> = store.migrate();
// @ts-expect-error the clock is "database" or "caller"
new PostgresStore({ client, clock: "local" });

export { kinds, migrated, outcome, payload, statuses, text };
