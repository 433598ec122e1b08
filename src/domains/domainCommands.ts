// Application service for monitored domains: runs the domain decider and keeps the
// hostname reservation in step with it. Returns the position to wait for before reading.
import type { Clock } from "../shared/clock.js";
import { eachLimited } from "../shared/eachLimited.js";
import { ConflictError, UnavailableError } from "../shared/errors.js";
import type { CommandHandler, DecidedAppend } from "../infrastructure/commandHandling/commandHandler.js";
import { StreamConflictsError } from "../infrastructure/eventStore/eventStore.js";
import { newEntityId } from "../infrastructure/commandHandling/idempotentIds.js";
import { eventMetadata, type RequestContext } from "../infrastructure/commandHandling/requestContext.js";
import { combineWritten, type Written } from "../infrastructure/commandHandling/written.js";
import type { DomainFields } from "./domainDecider.js";
import { domainStream } from "./domainStream.js";
import { domainStreamName } from "./events.js";
import {
  ALREADY_MONITORED,
  reservationStream,
  reservationStreamName,
  type HolderStatus,
} from "./hostnameReservation.js";

export interface NewDomain {
  readonly hostname: string;
  readonly requestedHostname?: string;
  readonly port: number;
  readonly notes: string | null;
  readonly tags: readonly string[];
}

/**
 * Reservations are idempotent by domain id already (reserving for the holder, or releasing
 * what is not held, decides nothing), and one request may reserve, release and reserve one
 * stream again: their events must not take ids from the Idempotency-Key, or a retry would
 * take a released reservation for a held one.
 */
const reservationMetadata = (ctx: RequestContext) => {
  const { idempotencyKey: _, ...metadata } = eventMetadata(ctx);
  return metadata;
};

/**
 * Rows of addMany appended together: two streams each, so a transaction of 1,000 streams,
 * short enough not to hold the heads it locks for long.
 */
const ROWS_PER_APPEND = 500;
/** Rows addMany adds one by one at a time (EventStoreDB, and rows whose streams exist). */
const CONCURRENCY = 16;

export interface AddedDomain {
  readonly domainId: string;
  readonly position: Written | null;
}

export class DomainCommands {
  constructor(
    private readonly handler: CommandHandler,
    private readonly clock: Clock,
  ) {}

  /**
   * Adds a domain: its hostname reservation and its stream. Where the event store appends to
   * several streams atomically (PostgreSQL), both go in one flushed commit; a reservation stream
   * that exists already (the hostname was monitored before, or this is a retry) fails that as
   * a whole and the sequence below decides with it. Throws ConflictError when the caller
   * monitors hostname:port already.
   */
  async add(ctx: RequestContext & { userId: string }, input: NewDomain): Promise<AddedDomain> {
    const atomic = this.handler.atomicMultiStreamAppends;
    if (atomic) {
      const outcomes: AddedDomain[] = [];
      if ((await this.addTogether(ctx, [input], [0], outcomes)).length === 0) return outcomes[0]!;
    }
    return this.addInSequence(ctx, input, { reservationExists: atomic });
  }

  /**
   * Adds many domains (POST /domains/bulk): ROWS_PER_APPEND rows to a multi-stream append where
   * it is atomic, and the rows whose streams exist (or all rows, on EventStoreDB) one by one as
   * add() does. One outcome per input, in order: the domain, or the ConflictError of a hostname
   * monitored already. Other failures reject, with the rows added so far staying added.
   */
  async addMany(ctx: RequestContext & { userId: string }, inputs: readonly NewDomain[]): Promise<(AddedDomain | ConflictError)[]> {
    const outcomes: (AddedDomain | ConflictError)[] = new Array(inputs.length);
    const indices = inputs.map((_, i) => i);
    const oneByOne: number[] = [];
    if (this.handler.atomicMultiStreamAppends) {
      for (let start = 0; start < inputs.length; start += ROWS_PER_APPEND)
        oneByOne.push(...(await this.addTogether(ctx, inputs, indices.slice(start, start + ROWS_PER_APPEND), outcomes)));
    } else oneByOne.push(...indices);
    const existing = { reservationExists: this.handler.atomicMultiStreamAppends };
    await eachLimited(oneByOne, CONCURRENCY, async (i) => {
      try {
        outcomes[i] = await this.addInSequence(ctx, inputs[i]!, existing);
      } catch (err) {
        if (!(err instanceof ConflictError)) throw err;
        outcomes[i] = err;
      }
    });
    return outcomes;
  }

  /**
   * Appends the reservations and streams of inputs[indices] in one multi-stream append, into
   * `outcomes`. A row whose stream exists (a reservation taken before, by this caller or a
   * concurrent one) is left out and the rest appended again; returns those rows.
   */
  private async addTogether(
    ctx: RequestContext & { userId: string },
    inputs: readonly NewDomain[],
    indices: readonly number[],
    outcomes: (AddedDomain | ConflictError)[],
  ): Promise<number[]> {
    const now = this.clock.now();
    let rows = indices.map((i) => {
      const input = inputs[i]!;
      return { i, input, domainId: newEntityId(ctx, `domain ${input.hostname}:${input.port}`) };
    });
    const left: number[] = [];
    while (rows.length > 0) {
      try {
        const written = await this.handler.appendNew("AddDomain", () => rows.flatMap((r) => this.decideNewDomain(ctx, r.input, r.domainId, now)));
        rows.forEach((r, k) => (outcomes[r.i] = { domainId: r.domainId, position: combineWritten(written[2 * k], written[2 * k + 1]) }));
        break;
      } catch (err) {
        if (!(err instanceof StreamConflictsError)) throw err;
        const conflicting = new Set(err.conflicts.map((c) => c.streamName));
        const conflicts = (r: (typeof rows)[number]) =>
          conflicting.has(domainStreamName(r.domainId)) || conflicting.has(reservationStreamName(ctx.userId, r.input.hostname, r.input.port));
        left.push(...rows.filter(conflicts).map((r) => r.i));
        rows = rows.filter((r) => !conflicts(r));
      }
    }
    return left;
  }

  /** A new domain's reservation, then its stream: the order a sequential store appends them in. */
  private decideNewDomain(ctx: RequestContext & { userId: string }, input: NewDomain, domainId: string, now: Date): DecidedAppend[] {
    const reservation = this.handler.decideNew(
      reservationStreamName(ctx.userId, input.hostname, input.port),
      reservationStream,
      { type: "Reserve", domainId, now },
      reservationMetadata(ctx),
    );
    const domain = this.handler.decideNew(domainStreamName(domainId), domainStream, { type: "AddDomain", domainId, userId: ctx.userId, ...input, now }, eventMetadata(ctx));
    if (!reservation || !domain) throw new Error("a new domain decides a reservation and its DomainAdded");
    return [reservation, domain];
  }

  /**
   * The reservation, then the domain's stream, each a command of its own: on EventStoreDB (no
   * transaction across streams), and when the reservation stream exists.
   */
  private async addInSequence(ctx: RequestContext & { userId: string }, input: NewDomain, { reservationExists }: { reservationExists: boolean }): Promise<AddedDomain> {
    // Derived from the Idempotency-Key, if any: a retry adds the same domain, not another. The
    // hostname and port are part of it, as one request may add many (POST /domains/bulk).
    const domainId = newEntityId(ctx, `domain ${input.hostname}:${input.port}`);
    const now = this.clock.now();
    const reserved = await this.reserveForNewDomain(ctx, input.hostname, input.port, domainId, now, reservationExists);
    let added;
    try {
      added = await this.handler.handle(
        domainStreamName(domainId),
        domainStream,
        { type: "AddDomain", domainId, userId: ctx.userId, ...input, now },
        eventMetadata(ctx),
        { newStream: true },
      );
    } catch (err) {
      // Nothing was added, so the hostname is free again at once (not after the 60 s kept for
      // a crashed creator). Not when the outcome is unknown: the domain may exist, and a
      // retry with the same Idempotency-Key finds its reservation still held for it.
      if (!(err instanceof UnavailableError)) await this.release(ctx, input.hostname, input.port, domainId, now).catch(() => undefined);
      throw err;
    }
    return { domainId, position: combineWritten(reserved, added.position) };
  }

  /** Applies the changes; `moved` when the hostname or port changed (a new target to check). */
  async update(
    ctx: RequestContext & { userId: string },
    domainId: string,
    changes: Partial<DomainFields>,
  ): Promise<{ position: Written | null; moved: boolean }> {
    const now = this.clock.now();
    const { state } = await this.handler.load(domainStreamName(domainId), domainStream);
    const current = state.domain.status === "monitored" && state.domain.userId === ctx.userId ? state.domain : null;
    const target = current && { hostname: changes.hostname ?? current.hostname, port: changes.port ?? current.port };
    const moves = current && target && (target.hostname !== current.hostname || target.port !== current.port);
    const reserved = moves ? await this.reserve(ctx, target.hostname, target.port, domainId, now) : null;
    let result;
    try {
      result = await this.handler.handle(
        domainStreamName(domainId),
        domainStream,
        { type: "UpdateDomain", userId: ctx.userId, changes, now },
        eventMetadata(ctx),
      );
    } catch (err) {
      if (moves) await this.release(ctx, target.hostname, target.port, domainId, now);
      throw err;
    }
    // Once moved, the new reservation must stay even if releasing the old one fails; a
    // reservation left behind is reclaimed later (holder "moved").
    const released = moves ? await this.release(ctx, current.hostname, current.port, domainId, now) : null;
    return { position: combineWritten(reserved, result.position, released), moved: Boolean(moves) && result.events.length > 0 };
  }

  async remove(ctx: RequestContext & { userId: string }, domainId: string): Promise<Written | null> {
    const now = this.clock.now();
    const result = await this.handler.handle(
      domainStreamName(domainId),
      domainStream,
      { type: "RemoveDomain", userId: ctx.userId, now },
      eventMetadata(ctx),
    );
    const removed = result.state.domain.status === "removed" ? result.state.domain : null;
    const released = removed ? await this.release(ctx, removed.hostname, removed.port, domainId, now) : null;
    return combineWritten(result.position, released);
  }

  /**
   * Reservations are appended without waiting for the WAL flush: each is followed by the
   * domain's own append, flushed, before anything is acknowledged, and the log is flushed in
   * order (a crash in between loses only an unacknowledged reservation, as if the request had
   * failed before it). One disk flush less per create.
   *
   * Reserves hostname:port for a domain that is being created. Most hostnames were never
   * reserved, so it first appends as if the reservation stream were new, without reading it
   * (a stream that exists makes the handler read it and decide again); only a refusal makes
   * it find out whether the holder is gone (then it decides again with what it found). When
   * the stream is known to exist (a multi-stream append found it), it reads it first.
   */
  private async reserveForNewDomain(ctx: RequestContext & { userId: string }, hostname: string, port: number, domainId: string, now: Date, exists: boolean) {
    const stream = reservationStreamName(ctx.userId, hostname, port);
    try {
      const result = await this.handler.handle(stream, reservationStream, { type: "Reserve", domainId, now }, reservationMetadata(ctx), {
        newStream: !exists,
        deferFlush: true,
      });
      return result.position;
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
    }
    return this.reserve(ctx, hostname, port, domainId, now);
  }

  private async reserve(ctx: RequestContext & { userId: string }, hostname: string, port: number, domainId: string, now: Date) {
    const stream = reservationStreamName(ctx.userId, hostname, port);
    let { state } = await this.handler.load(stream, reservationStream);
    if (state.status === "held" && state.domainId === domainId) {
      // A leftover of this domain's own failed or raced move: renew it, or its age would let
      // another create in (holder "moved" and stale) while this move is under way.
      await this.release(ctx, hostname, port, domainId, now);
      ({ state } = await this.handler.load(stream, reservationStream));
    }
    const knownHolder =
      state.status === "held" && state.domainId !== domainId
        ? { domainId: state.domainId, status: await this.holderStatus(state.domainId, hostname, port) }
        : undefined;
    try {
      const result = await this.handler.handle(stream, reservationStream, { type: "Reserve", domainId, now, knownHolder }, reservationMetadata(ctx), {
        deferFlush: true,
      });
      return result.position;
    } catch (err) {
      if (err instanceof ConflictError) throw new ConflictError(ALREADY_MONITORED);
      throw err;
    }
  }


  private async release(ctx: RequestContext & { userId: string }, hostname: string, port: number, domainId: string, now: Date) {
    const stream = reservationStreamName(ctx.userId, hostname, port);
    const result = await this.handler.handle(stream, reservationStream, { type: "Release", domainId, now }, reservationMetadata(ctx));
    return result.position;
  }

  private async holderStatus(domainId: string, hostname: string, port: number): Promise<HolderStatus> {
    const { domain } = (await this.handler.load(domainStreamName(domainId), domainStream)).state;
    if (domain.status === "absent" || domain.status === "removed") return domain.status;
    return domain.hostname === hostname && domain.port === port ? "monitored" : "moved";
  }
}
