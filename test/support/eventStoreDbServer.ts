// Protocol test double of EventStoreDB: an in-process gRPC server that speaks the part of the
// Streams and ServerFeatures APIs the EventStoreDB adapter uses, built on the service
// definitions shipped inside @eventstore/db-client. It answers the way the real server does on
// the wire (reply shapes, error encodings, which positions are inclusive), but it is not the
// real server: see docs/eventstoredb.md for what it does not reproduce.
import codePb from "@eventstore/db-client/generated/code_pb.js";
import featuresGrpc from "@eventstore/db-client/generated/serverfeatures_grpc_pb.js";
import featuresPb from "@eventstore/db-client/generated/serverfeatures_pb.js";
import sharedPb from "@eventstore/db-client/generated/shared_pb.js";
import statusPb from "@eventstore/db-client/generated/status_pb.js";
import streamsGrpc from "@eventstore/db-client/generated/streams_grpc_pb.js";
import streamsPb from "@eventstore/db-client/generated/streams_pb.js";
import type { IStreamsServer } from "@eventstore/db-client/generated/streams_grpc_pb.js";
import type { BatchAppendReq, ReadReq } from "@eventstore/db-client/generated/streams_pb.js";
import * as grpc from "@grpc/grpc-js";
// The generated code's own runtime: the only way to build the google.protobuf.Any of an error.
import anyPb from "google-protobuf/google/protobuf/any_pb.js";
import { comparePositions, type GlobalPosition } from "../../src/infrastructure/eventStore/eventStore.js";

const { ReadResp, BatchAppendResp } = streamsPb;
const BACKWARDS = streamsPb.ReadReq.Options.ReadDirection.BACKWARDS;
const STREAMS = "event_store.client.streams.streams";

interface Proposed {
  readonly id: string;
  readonly type: string;
  readonly contentType: string;
  readonly data: Uint8Array;
  readonly metadata: Uint8Array;
}
interface StoredEvent extends Proposed, GlobalPosition {
  readonly stream: string;
  readonly revision: bigint;
  readonly createdMs: number;
}
type Expected = "any" | "no_stream" | "stream_exists" | bigint;
type AppendOutcome = { readonly written: StoredEvent } | { readonly current: bigint | "no_stream" };
type ReadCall = grpc.ServerWritableStream<ReadReq, streamsPb.ReadResp>;

// Positions are byte offsets in the transaction log; a record's size only has to be plausible.
const RECORD_OVERHEAD = 96n;
// Filtered reads search this many events per page unless the client sets max_search_window;
// checkpoints come every checkpoint_interval_multiplier × window events considered.
const DEFAULT_SEARCH_WINDOW = 32;
const BEFORE_START: GlobalPosition = { commit: -1n, prepare: -1n };
const AFTER_END: GlobalPosition = { commit: 2n ** 64n, prepare: 0n };

/** What an append with the same event ids already wrote, if any (EventStoreDB's idempotence). */
function alreadyWritten(stream: readonly StoredEvent[], expected: Expected, ids: readonly string[]) {
  let from = stream.findIndex((e) => e.id === ids[0]);
  if (expected === "no_stream") from = 0;
  else if (typeof expected === "bigint") from = Number(expected) + 1;
  const candidates = from < 0 ? [] : stream.slice(from, from + ids.length);
  const same = ids.length > 0 && candidates.length === ids.length && candidates.every((e, i) => e.id === ids[i]);
  return same ? candidates.at(-1) : undefined;
}

const expectationHolds = (expected: Expected, current: bigint) =>
  expected === "any" ||
  (expected === "no_stream" && current < 0n) ||
  (expected === "stream_exists" && current >= 0n) ||
  expected === current;

class EventLog {
  readonly all: StoredEvent[] = [];
  readonly streams = new Map<string, StoredEvent[]>();
  private nextPosition = 0n;

  constructor(private readonly appended: (events: readonly StoredEvent[]) => void) {}

  append(name: string, expected: Expected, proposed: readonly Proposed[]): AppendOutcome {
    const stream = this.streams.get(name) ?? [];
    const previous = alreadyWritten(stream, expected, proposed.map((p) => p.id));
    if (previous) return { written: previous };
    const current = BigInt(stream.length) - 1n;
    if (!expectationHolds(expected, current)) return { current: current < 0n ? "no_stream" : current };
    // The real server accepts an empty append; the adapter never makes one.
    if (proposed.length === 0) throw new RangeError("empty appends are not modelled");
    // One append is one implicit transaction: its events share the commit position.
    const commit = this.nextPosition;
    const written = proposed.map((p, i): StoredEvent => {
      const prepare = this.nextPosition;
      this.nextPosition += RECORD_OVERHEAD + BigInt(p.data.length + p.metadata.length);
      return { ...p, stream: name, revision: current + 1n + BigInt(i), commit, prepare, createdMs: Date.now() };
    });
    stream.push(...written);
    this.streams.set(name, stream);
    this.all.push(...written);
    this.appended(written);
    return { written: written.at(-1)! };
  }
}

const systemEvent = (type: string, data: unknown): Proposed => {
  const json = new TextEncoder().encode(JSON.stringify(data));
  return { id: crypto.randomUUID(), type, contentType: "application/json", data: json, metadata: new Uint8Array() };
};

const nameOf = (id: sharedPb.StreamIdentifier | undefined) => Buffer.from(id?.getStreamName_asU8() ?? []).toString();
const streamIdentifier = (name: string) => new sharedPb.StreamIdentifier().setStreamName(Buffer.from(name));

function eventResponse(e: StoredEvent): streamsPb.ReadResp {
  const recorded = new ReadResp.ReadEvent.RecordedEvent()
    .setId(new sharedPb.UUID().setString(e.id))
    .setStreamIdentifier(streamIdentifier(e.stream))
    .setStreamRevision(`${e.revision}`)
    .setCommitPosition(`${e.commit}`)
    .setPreparePosition(`${e.prepare}`)
    .setData(e.data)
    .setCustomMetadata(e.metadata);
  // "created" is in .NET ticks (100 ns) since the Unix epoch.
  const created = `${e.createdMs * 10_000}`;
  recorded.getMetadataMap().set("type", e.type).set("content-type", e.contentType).set("created", created);
  return new ReadResp().setEvent(new ReadResp.ReadEvent().setEvent(recorded).setCommitPosition(`${e.commit}`));
}

function startOf(all: ReadReq.Options.AllOptions | undefined): GlobalPosition {
  const position = all?.getPosition();
  if (position) return { commit: BigInt(position.getCommitPosition()), prepare: BigInt(position.getPreparePosition()) };
  return all?.hasEnd() ? AFTER_END : BEFORE_START;
}

/** The events a read asks for, or undefined for a stream that does not exist. */
function read(log: EventLog, options: ReadReq.Options): StoredEvent[] | undefined {
  const backwards = options.getReadDirection() === BACKWARDS;
  const stream = options.getStream();
  let found: StoredEvent[];
  if (stream) {
    const events = log.streams.get(nameOf(stream.getStreamIdentifier()));
    if (!events) return undefined;
    const from = stream.hasRevision() ? BigInt(stream.getRevision()) : stream.hasEnd() ? BigInt(events.length) : -1n;
    found = events.filter((e) => (backwards ? e.revision <= from : e.revision >= from));
  } else {
    // Forwards reads include the event at the position, backwards reads stop before it.
    const from = startOf(options.getAll());
    found = log.all.filter((e) => (backwards ? comparePositions(e, from) < 0 : comparePositions(e, from) >= 0));
  }
  return (backwards ? found.reverse() : found).slice(0, Number(options.getCount()));
}

/** Feeds one $all subscription: the events its filter wants, and checkpoints as it goes. */
function subscriber(call: ReadCall, options: ReadReq.Options): (e: StoredEvent) => void {
  const filter = options.getFilter();
  const expression = filter?.getEventType() ?? filter?.getStreamIdentifier();
  if (!filter || !expression) return (e) => call.write(eventResponse(e));
  const field = filter.hasEventType() ? "type" : "stream";
  const prefixes = expression.getPrefixList();
  const regex = new RegExp(expression.getRegex());
  const matches = (value: string) => (prefixes.length ? prefixes.some((p) => value.startsWith(p)) : regex.test(value));
  const window = filter.hasMax() ? filter.getMax() : DEFAULT_SEARCH_WINDOW;
  const checkpointEvery = filter.getCheckpointintervalmultiplier() * window;
  let considered = 0;
  return (e) => {
    if (matches(e[field])) call.write(eventResponse(e));
    if (++considered < checkpointEvery) return;
    considered = 0;
    const checkpoint = new ReadResp.Checkpoint().setCommitPosition(`${e.commit}`).setPreparePosition(`${e.prepare}`);
    call.write(new ReadResp().setCheckpoint(checkpoint));
  };
}

function wrongExpectedVersion(current: bigint | "no_stream", expected: Expected): statusPb.Status {
  const details = new sharedPb.WrongExpectedVersion();
  if (current === "no_stream") details.setCurrentNoStream(new sharedPb.Empty());
  else details.setCurrentStreamRevision(`${current}`);
  if (expected === "any") details.setExpectedAny(new sharedPb.Empty());
  else if (expected === "no_stream") details.setExpectedNoStream(new sharedPb.Empty());
  else if (expected === "stream_exists") details.setExpectedStreamExists(new sharedPb.Empty());
  else details.setExpectedStreamPosition(`${expected}`);
  const any = new anyPb.Any();
  any.pack(details.serializeBinary(), "event_store.client.WrongExpectedVersion");
  return new statusPb.Status().setCode(codePb.Code.ALREADY_EXISTS).setMessage("WrongExpectedVersion").setDetails(any);
}

function appendResponse(outcome: AppendOutcome, expected: Expected): streamsPb.BatchAppendResp {
  if ("current" in outcome) return new BatchAppendResp().setError(wrongExpectedVersion(outcome.current, expected));
  const { written } = outcome;
  const position = new sharedPb.AllStreamPosition().setCommitPosition(`${written.commit}`);
  const success = new BatchAppendResp.Success()
    .setCurrentRevision(`${written.revision}`)
    .setPosition(position.setPreparePosition(`${written.prepare}`));
  return new BatchAppendResp().setSuccess(success);
}

function expectedOf(options: BatchAppendReq.Options): Expected {
  if (options.hasNoStream()) return "no_stream";
  if (options.hasStreamExists()) return "stream_exists";
  return options.hasAny() ? "any" : BigInt(options.getStreamPosition());
}

const proposedOf = (m: BatchAppendReq.ProposedMessage): Proposed => ({
  id: m.getId()?.getString() ?? "",
  type: m.getMetadataMap().get("type") ?? "",
  contentType: m.getMetadataMap().get("content-type") ?? "application/octet-stream",
  data: m.getData_asU8(),
  metadata: m.getCustomMetadata_asU8(),
});

type Subscriptions = Map<ReadCall, (e: StoredEvent) => void>;

function subscribe(log: EventLog, subscriptions: Subscriptions, call: ReadCall, options: ReadReq.Options): void {
  if (!options.hasAll()) return void call.emit("error", { code: grpc.status.UNIMPLEMENTED, details: "to a stream" });
  const offer = subscriber(call, options);
  const confirmation = new ReadResp.SubscriptionConfirmation().setSubscriptionId(crypto.randomUUID());
  call.write(new ReadResp().setConfirmation(confirmation));
  // Subscriptions start after the given position, unlike reads.
  const after = startOf(options.getAll());
  for (const e of log.all) if (comparePositions(e, after) > 0) offer(e);
  call.write(new ReadResp().setCaughtUp(new ReadResp.CaughtUp()));
  subscriptions.set(call, offer);
  call.on("cancelled", () => subscriptions.delete(call));
}

function streamsService(log: EventLog, subscriptions: Subscriptions): Pick<IStreamsServer, "read" | "batchAppend"> {
  return {
    read(call) {
      const options = call.request.getOptions();
      if (!options) return call.emit("error", { code: grpc.status.INVALID_ARGUMENT, details: "options missing" });
      if (options.hasSubscription()) return subscribe(log, subscriptions, call, options);
      const events = read(log, options);
      if (!events) {
        const notFound = new ReadResp.StreamNotFound().setStreamIdentifier(options.getStream()?.getStreamIdentifier());
        call.write(new ReadResp().setStreamNotFound(notFound));
      }
      for (const e of events ?? []) call.write(eventResponse(e));
      call.end();
    },
    // One long-lived stream carries many appends, told apart by correlation id; an append may
    // span several requests and is written when its final one arrives.
    batchAppend(call) {
      const pending = new Map<string, { readonly options: BatchAppendReq.Options; readonly events: Proposed[] }>();
      call.on("data", (request: BatchAppendReq) => {
        const correlation = request.getCorrelationId();
        const key = correlation?.getString() ?? "";
        const options = request.getOptions();
        if (options) pending.set(key, { options, events: [] });
        const append = pending.get(key);
        if (!append) return;
        append.events.push(...request.getProposedMessagesList().map(proposedOf));
        if (!request.getIsFinal()) return;
        pending.delete(key);
        const stream = nameOf(append.options.getStreamIdentifier());
        const expected = expectedOf(append.options);
        const response = appendResponse(log.append(stream, expected, append.events), expected);
        call.write(response.setCorrelationId(correlation).setStreamIdentifier(streamIdentifier(stream)));
      });
      call.on("end", () => call.end());
    },
  };
}

/** Streams methods the double serves; advertising batchappend makes the client use it. */
function supportedMethods(): featuresPb.SupportedMethods {
  const method = (name: string, ...features: string[]) =>
    new featuresPb.SupportedMethod().setServiceName(STREAMS).setMethodName(name).setFeaturesList(features);
  const methods = [method("read", "position", "events"), method("batchappend", "deadline_duration")];
  return new featuresPb.SupportedMethods().setEventStoreServerVersion("23.10.0").setMethodsList(methods);
}

export interface EventStoreDbTestServer {
  /** esdb://127.0.0.1:<port>?tls=false */
  readonly connectionString: string;
  /** Drops every live subscription, as a node restart ("error") or a closing server ("end") would. */
  killSubscriptions(how?: "error" | "end"): void;
  /** Writes a system event, like the node's periodic $statsCollected. */
  appendSystemEvent(): void;
  stop(): Promise<void>;
}

export async function startEventStoreDbServer(): Promise<EventStoreDbTestServer> {
  const subscriptions: Subscriptions = new Map();
  const log = new EventLog((events) => {
    for (const offer of subscriptions.values()) for (const e of events) offer(e);
  });
  // A fresh node's log starts with system events.
  log.append("$$$users", "any", [systemEvent("$metadata", { $acl: { $r: "$admins" } })]);
  log.append("$user-admin", "any", [systemEvent("$UserCreated", { loginName: "admin" })]);

  const server = new grpc.Server();
  server.addService(featuresGrpc.ServerFeaturesService, {
    getSupportedMethods: (_call: unknown, callback: grpc.sendUnaryData<featuresPb.SupportedMethods>) =>
      callback(null, supportedMethods()),
  });
  server.addService(streamsGrpc.StreamsService, streamsService(log, subscriptions));
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );

  const killSubscriptions = (how: "error" | "end" = "error") => {
    for (const call of subscriptions.keys()) {
      if (how === "end") call.end();
      else call.emit("error", { code: grpc.status.UNAVAILABLE, details: "Subscription dropped" });
    }
    subscriptions.clear();
  };
  return {
    connectionString: `esdb://127.0.0.1:${port}?tls=false`,
    killSubscriptions,
    appendSystemEvent: () => void log.append("$stats-127.0.0.1:2113", "any", [systemEvent("$statsCollected", {})]),
    async stop() {
      killSubscriptions("end");
      server.forceShutdown();
    },
  };
}
