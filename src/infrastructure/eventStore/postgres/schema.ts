// DDL of the PostgreSQL event store. Idempotent; run under an advisory lock so that
// several processes starting at once do not race on CREATE.
import type pg from "pg";

const SCHEMA_LOCK_KEY = 0x55_3c_e5_01;

const ddl = (schema: string) => `
create schema if not exists ${schema};

create table if not exists ${schema}.streams (
  stream_name text primary key,
  revision    bigint not null
);

create table if not exists ${schema}.events (
  position       bigint generated always as identity primary key,
  -- The writing transaction. Readers take only events of transactions older than every
  -- running one (snapshot xmin), so a late commit is never skipped by a subscriber.
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

-- One round trip per append: lock the stream head, check the expected revision,
-- recognise a retried append by its event ids, insert, advance the head. A rejected
-- append raises (SQLSTATE ES409, detail = actual revision) so nothing of it commits.
create or replace function ${schema}.append_events(
  p_stream text, p_expected text, p_expected_revision bigint,
  p_ids uuid[], p_types text[], p_data jsonb[], p_metadata jsonb[]
) returns table (next_revision bigint, last_transaction xid8, last_position bigint)
language plpgsql as $$
declare
  v_current bigint;
  v_found boolean;
  v_count int := cardinality(p_ids);
  v_existing bigint;
  v_last bigint;
begin
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
