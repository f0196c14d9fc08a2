/**
 * The statements of PostgresStore's claims and recorded results, kept
 * together so a reader can check the queue's state changes by eye. Each
 * takes the tables' qualified names.
 *
 * @module
 */

/** PostgreSQL's clock, in milliseconds since the epoch, fixed for a transaction. */
export const DB_NOW = "(extract(epoch from now()) * 1000)::bigint";

/**
 * Claims and recorded results commit without waiting for the WAL flush:
 * a server crash or power cut can lose only the last of them, which repeats
 * an attempt (at-least-once), never a confirmed enqueue, whose commit waits.
 * `SET LOCAL` as an expression, inside the first statement of the
 * transaction (also of a statement that is a transaction of its own).
 */
export const RELAXED_COMMIT = "set_config('synchronous_commit', 'off', true)";

/**
 * Records a batch of results (`$1`: a JSON array of rows, see the
 * recordset's columns) in one statement: a result is written only while
 * its token holds the lease; each written row comes back with its `ord`.
 */
export function recordSql(messages: string): string {
  return `UPDATE ${messages} AS m SET
         lease_token = NULL, lease_until = 0,
         updated_at = COALESCE(r.now, ${DB_NOW}), status = r.status,
         next_attempt_at = COALESCE(r.now, ${DB_NOW}) + r.delay_ms,
         dead_reason = r.dead_reason,
         claims = CASE WHEN r.released THEN greatest(m.claims - 1, 0) ELSE 0 END,
         attempts = CASE WHEN r.attempt IS NULL THEN m.attempts
           ELSE m.attempts || jsonb_build_array(r.attempt) END,
         schedule_index = m.schedule_index
           + CASE WHEN r.attempt IS NULL THEN 0 ELSE 1 END
       FROM jsonb_to_recordset($1::text::jsonb) AS r(
         ord int, id text, token text, now bigint, status text,
         delay_ms bigint, dead_reason text, released boolean, attempt jsonb,
         closes boolean)
       WHERE (SELECT ${RELAXED_COMMIT}) IS NOT NULL
         AND m.id = r.id AND m.lease_token = r.token AND m.status = 'pending'
       RETURNING r.ord, r.closes, m.endpoint, m.updated_at AS now`;
}

/**
 * {@linkcode recordSql}, and the breakers that the batch's successes close
 * (each locked, in one order; the trips it had, to report "resumed").
 */
export function recordClosingSql(record: string, endpoints: string): string {
  return `WITH written AS (${record}
       ), open AS (
         SELECT e.endpoint, e.trips FROM ${endpoints} AS e
         WHERE e.endpoint IN (SELECT endpoint FROM written WHERE closes)
           AND (e.failures > 0 OR e.trips > 0 OR e.paused_until > 0)
         ORDER BY e.endpoint FOR UPDATE
       ), closed AS (
         UPDATE ${endpoints} AS e SET failures = 0, trips = 0, paused_until = 0
         FROM open WHERE e.endpoint = open.endpoint
         RETURNING e.endpoint, open.trips
       )
       SELECT w.ord, w.closes, w.endpoint, w.now, c.trips
       FROM written AS w LEFT JOIN closed AS c ON c.endpoint = w.endpoint`;
}

/**
 * The transaction's time (and its relaxed commit, see RELAXED_COMMIT);
 * messages whose claims ran out go dead; then the due messages, locked:
 * rows another claim holds are skipped, not waited for, so workers
 * share the due messages instead of queueing behind each other. The
 * statement sees rows as they were before its own update, so the
 * candidates leave out the abandoned by their condition. Then one claim
 * at a time per endpoint, across processes: advisory locks, taken in
 * one order so that two claims never wait for each other in a circle,
 * and held to the commit, so that the leases the next statement counts
 * include every other claim's. Last, when the next message is due.
 */
export function claimSql(messages: string): string {
  return `WITH clock AS (
         SELECT COALESCE($1::bigint, ${DB_NOW}) AS now,
           ${RELAXED_COMMIT} AS relaxed
       ), abandoned AS (
         UPDATE ${messages} SET status = 'dead', dead_reason = $2,
           updated_at = (SELECT now FROM clock), lease_token = NULL, lease_until = 0
         WHERE id IN (
           SELECT id FROM ${messages}
           WHERE status = 'pending' AND lease_until > 0
             AND lease_until <= (SELECT now FROM clock) AND claims >= $3
           FOR UPDATE SKIP LOCKED)
         RETURNING id
       ), candidates AS (
         SELECT id, endpoint, next_attempt_at, seq FROM ${messages}
         WHERE status = 'pending' AND next_attempt_at <= (SELECT now FROM clock)
           AND lease_until <= (SELECT now FROM clock)
           AND NOT (lease_until > 0 AND claims >= $3)
         ORDER BY next_attempt_at, seq LIMIT $4
         FOR UPDATE SKIP LOCKED
       ), locked AS (
         SELECT count(pg_advisory_xact_lock(k)) AS n FROM (
           SELECT DISTINCT hashtextextended($5::text || endpoint, 0) AS k
           FROM candidates ORDER BY k) AS keys
       )
       SELECT clock.now, clock.relaxed, (SELECT n FROM locked) AS locked,
         (SELECT coalesce(json_agg(id), '[]') FROM abandoned)::text AS abandoned,
         (SELECT coalesce(json_agg(json_build_object('id', id, 'endpoint', endpoint)
            ORDER BY next_attempt_at, seq), '[]') FROM candidates)::text AS candidates,
         (SELECT min(next_attempt_at) FROM ${messages}
          WHERE status = 'pending' AND next_attempt_at > clock.now) AS next_at
       FROM clock`;
}
