/**
 * The main job in one command: `deno task demo`.
 *
 * Starts a local receiver that answers 503 twice and then 200, delivers a
 * `task.completed` event with the default schedule (waits of 1 s and 2 s),
 * prints each attempt's JSON log line and what the receiver got, and exits 0
 * once the event is delivered.
 *
 * @module
 */
import { WebhookDeliveryService } from "../mod.ts";

let requests = 0;
let received: { headers: Record<string, string>; body: unknown } | undefined;

await using receiver = Deno.serve(
  { hostname: "127.0.0.1", port: 0, onListen() {} },
  async (request) => {
    requests++;
    const body = await request.json();
    if (requests <= 2) {
      console.log(`receiver: request ${requests} -> 503 Service Unavailable`);
      return new Response("warming up", { status: 503 });
    }
    console.log(`receiver: request ${requests} -> 200 OK`);
    received = {
      headers: Object.fromEntries(
        ["content-type", "user-agent", "webhook-id"].map((name) => [
          name,
          request.headers.get(name) ?? "",
        ]),
      ),
      body,
    };
    return new Response(null, { status: 200 });
  },
);

const event = {
  event_type: "task.completed",
  timestamp: new Date().toISOString(),
  project_id: "proj_demo",
  ticket_id: "TICKET-42",
  task_id: "task_7f3a",
  agent_id: "agent_builder_1",
  data: { status: "completed", duration_seconds: 184, files_changed: 3 },
};

// The default service: 4 attempts at most, 1 s, 2 s and 4 s apart, JSON logs.
const service = new WebhookDeliveryService();
const result = await service.send(
  `http://127.0.0.1:${receiver.addr.port}/hooks/monitoring`,
  event,
);

console.log("receiver got:", JSON.stringify(received, null, 2));
console.log(
  `delivery ${result.id}: ${result.outcome} after ${result.attempts.length} attempts in ${result.durationMs} ms`,
);
if (!result.ok) Deno.exitCode = 1;
