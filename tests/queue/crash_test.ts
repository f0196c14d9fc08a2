import assert from "node:assert/strict";
import { startReceiver } from "./_receiver.ts";

const CHILD = new URL("./_crash_child.ts", import.meta.url).pathname;

/** Starts the child; `lines` fills with what it prints. */
function spawn(...args: string[]) {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      "--allow-write",
      "--allow-net=127.0.0.1",
      CHILD,
      ...args,
    ],
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const lines: string[] = [];
  const waiters: { prefix: string; resolve: () => void }[] = [];
  const reading = (async () => {
    let buffered = "";
    for await (
      const chunk of child.stdout.pipeThrough(new TextDecoderStream())
    ) {
      buffered += chunk;
      const parts = buffered.split("\n");
      buffered = parts.pop()!;
      for (const line of parts) {
        lines.push(line);
        for (const waiter of waiters) {
          if (line.startsWith(waiter.prefix)) {
            waiter.resolve();
          }
        }
      }
    }
  })();
  return {
    lines,
    /** Resolves when a line starting with `prefix` is printed. */
    printed(prefix: string): Promise<void> {
      if (lines.some((line) => line.startsWith(prefix))) {
        return Promise.resolve();
      }
      return new Promise((resolve) => waiters.push({ prefix, resolve }));
    },
    async kill(): Promise<void> {
      try {
        child.kill("SIGKILL");
      } catch {
        // It ended already.
      }
      await child.status;
      await reading;
    },
    async done(): Promise<Deno.CommandStatus> {
      const status = await child.status;
      await reading;
      return status;
    },
  };
}

// Deterministic kill points: a few delays in milliseconds, one per round.
const ROUNDS = [
  { produceKillMs: 150, deliverKillMs: 120 },
  { produceKillMs: 400, deliverKillMs: 300 },
  { produceKillMs: 700, deliverKillMs: 60 },
];

for (const [round, { produceKillMs, deliverKillMs }] of ROUNDS.entries()) {
  Deno.test(`crash round ${round + 1}: every id printed as stored reaches the receiver after SIGKILLs (producer at ${produceKillMs} ms, deliverer at ${deliverKillMs} ms)`, async () => {
    await using receiver = startReceiver(async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      return new Response(null, { status: 204 });
    });
    const path = `${await Deno.makeTempDir()}/webhooks.db`;
    const url = `${receiver.origin}/hook`;

    const producer = spawn("produce", path, url, "1500");
    await producer.printed("stored ");
    await new Promise((resolve) => setTimeout(resolve, produceKillMs));
    await producer.kill();
    const stored = producer.lines.filter((l) => l.startsWith("stored ")).map((
      l,
    ) => l.slice(7));
    assert.ok(stored.length > 0);

    const deliverer = spawn("deliver", path);
    await deliverer.printed("started");
    await receiver.waitFor(1);
    await new Promise((resolve) => setTimeout(resolve, deliverKillMs));
    const beforeKill = receiver.received.length;
    await deliverer.kill();

    const finisher = spawn("finish", path);
    assert.equal((await finisher.done()).code, 0);
    const stats = JSON.parse(finisher.lines.at(-1)!);
    assert.equal(stats.pending, 0);
    assert.equal(stats.dead, 0);

    const counts = new Map<string, number>();
    for (const request of receiver.received) {
      const id = request.headers.get("webhook-id")!;
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    const missing = stored.filter((id) => !counts.has(id));
    assert.deepEqual(
      missing,
      [],
      `${missing.length} of ${stored.length} stored ids never arrived`,
    );
    const duplicates = [...counts.values()].filter((n) => n > 1).length;
    // Only attempts in flight when the deliverer was killed may arrive twice:
    // at most its concurrency.
    assert.ok(duplicates <= 4, `${duplicates} ids arrived twice`);
    assert.ok(beforeKill > 0 && counts.size >= stored.length);
  });
}
