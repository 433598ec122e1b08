// DDL of the PostgreSQL event store. Idempotent; run under an advisory lock so that
// several processes starting at once do not race on CREATE.
import type pg from "pg";

const SCHEMA_LOCK_KEY = 0x55_3c_e5_01;
/** First key of the per-stream advisory locks (the second is the stream name's hashtext). */
const STREAM_LOCK_KEY = 0x55_3c_e5_02;

/**
 * The append functions' statements are planned once per session, not on every call. Their
 * arrays (streams, ids, data) are parameters, and PostgreSQL's plan cache keeps planning a
 * statement anew while a plan for the given values looks cheaper than the generic one, which it
 * does for any array shorter than the ten elements the generic plan assumes. So every append
 * planned its three statements over streams and events again: about 0.7 ms of PostgreSQL's
 * CPU per call, more than executing them (pg_stat_statements with track_planning, workload 5;
 * bench/profiles/5-create.md, session 11). Every lookup in them is by a unique key (stream
 * name, event id, stream and revision), so the generic plan is the custom one.
 */
const GENERIC_PLANS = "set plan_cache_mode = force_generic_plan";

const ddl = (schema: string) => `
create schema if not exists ${schema};

create table if not exists ${schema}.streams (
  stream_name text primary key,
  revision    bigint not null
);

create table if not exists ${schema}.events (
  position       bigint generated always as identity primary key,
  -- The writing transaction. Readers take only events of transactions older than every
  -- running one that may be ours (read_horizon), so a late commit is never skipped.
  transaction_id xid8 not null default pg_current_xact_id(),
  stream_name    text not null,
  revision       bigint not null,
  event_id       uuid not null unique,
  event_type     text not null,
  data           jsonb not null,
  metadata       jsonb not null,
  created_at     timestamptz not null default now(),
  unique (stream_name, revision)
);

create index if not exists events_global_order on ${schema}.events (transaction_id, position);
-- Readers of a few event types (projections, issue 12) walk this per type: the newest event
-- of a type, or a page of a rare type, is found without scanning the others.
create index if not exists events_type_order on ${schema}.events (event_type, transaction_id, position);

-- The read horizon of the calling statement's snapshot: the oldest running transaction that
-- may write here. Transaction ids are server-wide, but only backends connected to this
-- database can write its events, so a running xid is passed over only when pg_stat_activity
-- positively shows it held by a backend of another database (an xid names one transaction,
-- for its whole life). Anything not known (a prepared transaction, a backend that has ended,
-- one with no database) holds the horizon back: a transaction of ours that commits after the
-- snapshot must never be passed. With nothing running, or where the snapshot does not list
-- the running xids (a standby lists none), the snapshot's xmin. So too when no event after
-- the reader's position (p_after, p_position) lies at or above xmin: a higher horizon would
-- read nothing more, and pg_stat_activity (about 1 ms at 80 connections) is read only where
-- it can gain something, not on every idle poll. STABLE, so it reads with the caller's
-- snapshot (a VOLATILE one would take its own, later one), and PL/pgSQL, so its plans are
-- cached per session: it runs on every read of the log.
create or replace function ${schema}.read_horizon(p_after xid8, p_position bigint) returns xid8 language plpgsql stable as $$
declare
  s constant pg_snapshot := pg_current_snapshot();
  v_xmin constant xid8 := pg_snapshot_xmin(s);
  v_xip constant xid8[] := array(select pg_snapshot_xip(s));
begin
  if not v_xmin = any(v_xip) then
    return v_xmin;
  end if;
  -- PERFORM, not EXISTS: as an expression, EXISTS was planned as a scan (2 ms, not 0.1).
  -- An event after the reader's position at or above xmin, as one row comparison from the
  -- higher of the two bounds: with "transaction_id >= v_xmin" beside the row comparison the
  -- scan started at the reader's position and walked to the log's end whenever nothing lay
  -- above xmin (a rebuild's own writers running: 9 ms a page at 1M events).
  perform from ${schema}.events
  where (transaction_id, position) > (greatest(p_after, v_xmin), case when v_xmin > p_after then 0 else p_position end)
  order by transaction_id, position limit 1;
  if not found then
    return v_xmin;
  end if;
  -- backend_xid is the xid's low 32 bits; running xids lie within 2^31 of each other, so
  -- equal low bits mean the same transaction. A null must not count: "<> all" would fail.
  return least(pg_snapshot_xmax(s), (
    select min(x) from unnest(v_xip) x where x::xid <> all(array(
      select a.backend_xid from pg_stat_get_activity(null) a
      where a.backend_xid is not null
        and a.datid <> (select oid from pg_database where datname = current_database())))));
end;
$$;

-- The log's order is (transaction_id, position), so a stream's events must get transaction
-- ids in the order of their revisions. A transaction takes its id at its first write, or at
-- its first row lock, and may then wait there for the stream's head behind a transaction that
-- took its id later: 8 writers appending to one stream with expectation "any" put a third of
-- its events out of revision order in the log, and projections folding in log order undid
-- later events with earlier ones. So an append first takes an advisory lock per stream, which
-- assigns no id, and writes only once it holds them all: whoever held a stream before has
-- its id already, ours comes after. The appending transaction must have written nothing
-- before (else it has an id already), which lock_streams checks. Locks are taken in key
-- order, so two multi-stream appends cannot deadlock on them.
create or replace function ${schema}.lock_streams(p_streams text[]) returns void language plpgsql as $$
declare
  v_key int;
begin
  if pg_current_xact_id_if_assigned() is not null then
    raise exception using errcode = 'ES500',
      message = 'an append must be the first write of its transaction (the log orders events by transaction id)';
  end if;
  for v_key in select distinct hashtext(n) from unnest(p_streams) as t(n) order by 1 loop
    perform pg_advisory_xact_lock(${STREAM_LOCK_KEY}, v_key);
  end loop;
end;
$$;

-- One round trip per append: lock the stream head, check the expected revision,
-- recognise a retried append by its event ids, insert, advance the head. A rejected
-- append raises (SQLSTATE ES409, detail = actual revision) so nothing of it commits.
create or replace function ${schema}.append_events(
  p_stream text, p_expected text, p_expected_revision bigint,
  p_ids uuid[], p_types text[], p_data jsonb[], p_metadata jsonb[]
) returns table (next_revision bigint, last_transaction xid8, last_position bigint)
language plpgsql ${GENERIC_PLANS} as $$
declare
  v_current bigint;
  v_found boolean;
  v_count int := cardinality(p_ids);
  v_existing bigint;
  v_last bigint;
begin
  perform ${schema}.lock_streams(array[p_stream]);
  select s.revision into v_current from ${schema}.streams s where s.stream_name = p_stream for update;
  v_found := found;
  if not v_found then
    insert into ${schema}.streams as s (stream_name, revision) values (p_stream, -1)
      on conflict (stream_name) do nothing;
    if found then
      v_current := -1;
    else
      -- Another transaction created the stream meanwhile: take its head.
      select s.revision into v_current from ${schema}.streams s where s.stream_name = p_stream for update;
      v_found := true;
    end if;
  end if;

  -- Idempotent retry: the same event ids are already stored in this stream, in order.
  select e.revision into v_existing from ${schema}.events e
    where e.event_id = p_ids[1] and e.stream_name = p_stream;
  if found then
    return query select e.revision, e.transaction_id, e.position
      from ${schema}.events e
      where e.stream_name = p_stream and e.revision = v_existing + v_count - 1
        and e.event_id = p_ids[v_count];
    if not found then
      raise exception using errcode = 'ES409', message = 'event ids already used differently',
        detail = v_current::text;
    end if;
    return;
  end if;

  if (p_expected = 'no_stream' and v_found)
     or (p_expected = 'stream_exists' and not v_found)
     or (p_expected = 'exact' and v_current <> p_expected_revision) then
    raise exception using errcode = 'ES409', message = 'wrong expected version',
      detail = case when v_found then v_current::text else 'no_stream' end;
  end if;

  with inserted as (
    insert into ${schema}.events (stream_name, revision, event_id, event_type, data, metadata)
      select p_stream, v_current + t.ord, t.id, t.type, t.data, t.metadata
      from unnest(p_ids, p_types, p_data, p_metadata) with ordinality as t(id, type, data, metadata, ord)
      returning position
  ) select max(position) into v_last from inserted;

  update ${schema}.streams s set revision = v_current + v_count where s.stream_name = p_stream;

  return query select v_current + v_count, pg_current_xact_id(), v_last;
end;
$$;

-- Several streams in one transaction (one commit, one WAL flush): append_events' rules per
-- stream, set-based. p_firsts/p_counts cut the event arrays into the streams' parts (0-based
-- offset, count). Every expectation is checked before anything is written; the conflicts go
-- out together (SQLSTATE ES409, detail = [{"index": 1-based, "actual": revision|"no_stream"}]).
-- Heads are created and locked in name order, so concurrent calls wait for one another in one
-- order instead of deadlocking.
create or replace function ${schema}.append_to_streams(
  p_streams text[], p_expected text[], p_expected_revisions bigint[], p_firsts int[], p_counts int[],
  p_ids uuid[], p_types text[], p_data jsonb[], p_metadata jsonb[]
) returns table (stream_index int, next_revision bigint, last_transaction xid8, last_position bigint)
language plpgsql ${GENERIC_PLANS} as $$
declare
  v_created text[];
  v_conflicts jsonb;
begin
  perform ${schema}.lock_streams(p_streams);
  with created as (
    insert into ${schema}.streams as s (stream_name, revision)
      select t.name, -1 from unnest(p_streams) as t(name) order by t.name
      on conflict (stream_name) do nothing
      returning s.stream_name
  ) select coalesce(array_agg(created.stream_name), '{}') into v_created from created;
  perform 1 from ${schema}.streams s where s.stream_name = any(p_streams) order by s.stream_name for update;

  -- A stream whose first event id is stored in it already is a retried append (done, if its
  -- last id is where it belongs); the others must meet their expectation.
  select jsonb_agg(jsonb_build_object('index', c.idx, 'actual', case when c.missing then 'no_stream' else c.current::text end) order by c.idx)
    into v_conflicts
  from (
    select i.idx, i.expected, i.expected_revision, s.revision as current, i.name = any(v_created) as missing,
           first_e.revision as retried_from, last_e.event_id as retried_last, p_ids[i.first + i.n] as last_id
    from unnest(p_streams, p_expected, p_expected_revisions, p_firsts, p_counts) with ordinality
           as i(name, expected, expected_revision, first, n, idx)
    join ${schema}.streams s on s.stream_name = i.name
    left join ${schema}.events first_e on first_e.event_id = p_ids[i.first + 1] and first_e.stream_name = i.name
    left join ${schema}.events last_e on last_e.stream_name = i.name and last_e.revision = first_e.revision + i.n - 1
  ) c
  where case when c.retried_from is not null then c.retried_last is distinct from c.last_id
        else (c.expected = 'no_stream' and not c.missing)
          or (c.expected = 'stream_exists' and c.missing)
          or (c.expected = 'exact' and (c.missing or c.current <> c.expected_revision)) end;
  if v_conflicts is not null then
    raise exception using errcode = 'ES409', message = 'wrong expected version', detail = v_conflicts::text;
  end if;

  return query
  with heads as (
    select i.idx::int as idx, i.name, i.first, i.n, s.revision as current, retried.revision as retried_from
    from unnest(p_streams, p_firsts, p_counts) with ordinality as i(name, first, n, idx)
    join ${schema}.streams s on s.stream_name = i.name
    left join ${schema}.events retried on retried.event_id = p_ids[i.first + 1] and retried.stream_name = i.name
  ), inserted as (
    insert into ${schema}.events (stream_name, revision, event_id, event_type, data, metadata)
      select h.name, h.current + g.k, p_ids[h.first + g.k], p_types[h.first + g.k], p_data[h.first + g.k], p_metadata[h.first + g.k]
      from heads h cross join lateral generate_series(1, h.n) as g(k)
      where h.retried_from is null
      order by h.idx, g.k
      returning events.stream_name, events.position
  ), advanced as (
    update ${schema}.streams s set revision = h.current + h.n from heads h
      where s.stream_name = h.name and h.retried_from is null
  )
  select h.idx, h.current + h.n, pg_current_xact_id(), ins.last
    from heads h join (select ins.stream_name, max(ins.position) as last from inserted ins group by ins.stream_name) ins
      on ins.stream_name = h.name
  union all
  select h.idx, e.revision, e.transaction_id, e.position
    from heads h join ${schema}.events e on e.stream_name = h.name and e.revision = h.retried_from + h.n - 1
    where h.retried_from is not null;
end;
$$;
`;

export async function ensureEventStoreSchema(pool: pg.Pool, schema: string): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query("begin");
    await client.query("select pg_advisory_xact_lock($1)", [SCHEMA_LOCK_KEY]);
    await client.query(ddl(schema));
    await client.query("commit");
  } catch (err) {
    await client.query("rollback");
    throw err;
  } finally {
    client.release();
  }
}
