// A process's LISTENs share one connection: every channel its subscribers name is listened on
// there, a NOTIFY reaches exactly the subscribers of its channel, a lost connection makes all
// of them deaf and then listening again on one new connection, and the connection closes with
// its last subscriber.
import { expect } from "chai";
import { LISTEN_APPLICATION_NAME, ListenSession, type ChannelEvents } from "../../../src/infrastructure/postgres/listenSession.js";
import { createTestDatabase, type TestDatabase } from "../../support/database.js";
import { eventually } from "../../support/eventually.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A subscriber that records what it was told, in order. */
function recorder(): ChannelEvents & { told: string[]; heard: (string | undefined)[] } {
  const told: string[] = [];
  const heard: (string | undefined)[] = [];
  return {
    told,
    heard,
    onListening: () => told.push("listening"),
    onDeaf: () => told.push("deaf"),
    onNotification: (payload) => heard.push(payload),
  };
}

describe("ListenSession: one LISTEN connection per process (integration)", function () {
  this.timeout(20_000);
  let db: TestDatabase;
  let session: ListenSession;

  beforeEach(async () => {
    db = await createTestDatabase();
    session = new ListenSession(db.url);
  });
  afterEach(async () => {
    await session?.close();
    await db?.drop();
  });

  /** The session's connections to this test's database, with the channels' last statement. */
  const connections = async () =>
    (
      await db.pool.query<{ pid: number }>(
        "select pid from pg_stat_activity where datname = current_database() and application_name = $1",
        [LISTEN_APPLICATION_NAME],
      )
    ).rows;
  const notify = async (channel: string, payload: string) => {
    await db.pool.query("select pg_notify($1, $2)", [channel, payload]);
  };

  it("listens on every subscriber's channel over one connection, and delivers each NOTIFY to its channel's subscribers only", async () => {
    const a1 = recorder();
    const a2 = recorder();
    const b = recorder();
    await Promise.all([session.listen("chan_a", a1).ready, session.listen("chan_a", a2).ready, session.listen("chan_b", b).ready]);
    expect([a1.told, a2.told, b.told]).to.deep.equal([["listening"], ["listening"], ["listening"]]);
    expect(await connections()).to.have.length(1);

    await notify("chan_a", "to a");
    await notify("chan_b", "to b");
    await notify("chan_c", "to no one");
    await eventually("both channels heard", () => a1.heard.length === 1 && a2.heard.length === 1 && b.heard.length === 1, { timeoutMs: 5000 });
    await sleep(100);
    expect([a1.heard, a2.heard, b.heard]).to.deep.equal([["to a"], ["to a"], ["to b"]]);
  });

  it("tells a subscriber who joins a channel already listened on at once, on the same connection", async () => {
    await session.listen("chan_a", recorder()).ready;
    const [before] = await connections();
    const late = recorder();
    await session.listen("chan_a", late).ready;
    expect(late.told).to.deep.equal(["listening"]);
    expect(await connections()).to.deep.equal([before]);
    await notify("chan_a", "hello");
    await eventually("the late subscriber hears", () => late.heard.length === 1, { timeoutMs: 5000 });
  });

  it("stops one subscriber (deaf, hears nothing more) while the others keep hearing; the last one's stop closes the connection", async () => {
    const stays = recorder();
    const leaves = recorder();
    const other = recorder();
    const staying = session.listen("chan_a", stays);
    const leaving = session.listen("chan_a", leaves);
    const elsewhere = session.listen("chan_b", other);
    await Promise.all([staying.ready, leaving.ready, elsewhere.ready]);

    await leaving.stop();
    expect(leaves.told).to.deep.equal(["listening", "deaf"]);
    await notify("chan_a", "after");
    await eventually("the staying subscriber hears", () => stays.heard.length === 1, { timeoutMs: 5000 });
    await sleep(100);
    expect(leaves.heard).to.deep.equal([]);

    // chan_b's only subscriber leaves: its channel is unlistened, the connection stays for chan_a.
    await elsewhere.stop();
    expect(await connections()).to.have.length(1);
    await notify("chan_b", "unheard");
    await sleep(100);
    expect(other.heard).to.deep.equal([]);

    await staying.stop();
    await eventually("the connection is closed", async () => (await connections()).length === 0, { timeoutMs: 5000 });
  });

  it("makes every subscriber deaf when its connection is lost, then listening again on one new connection that hears every channel", async () => {
    const a = recorder();
    const b = recorder();
    await Promise.all([session.listen("chan_a", a).ready, session.listen("chan_b", b).ready]);
    const [lost] = await connections();
    await db.pool.query("select pg_terminate_backend($1)", [lost!.pid]);
    await eventually("both deaf", () => a.told.includes("deaf") && b.told.includes("deaf"), { timeoutMs: 5000 });
    await eventually("both listening again", () => a.told.at(-1) === "listening" && b.told.at(-1) === "listening", { timeoutMs: 5000 });
    expect(a.told).to.deep.equal(["listening", "deaf", "listening"]);
    expect(b.told).to.deep.equal(["listening", "deaf", "listening"]);
    const now = await connections();
    expect(now).to.have.length(1);
    expect(now[0]!.pid).to.not.equal(lost!.pid);
    await notify("chan_a", "again");
    await notify("chan_b", "again");
    await eventually("both hear again", () => a.heard.length === 1 && b.heard.length === 1, { timeoutMs: 5000 });
  });

  it("settles a subscription it cannot listen for (no server), telling the subscriber it is deaf and never that it listens", async () => {
    const unreachable = new ListenSession("postgres://postgres@127.0.0.1:1/postgres");
    try {
      const s = recorder();
      await unreachable.listen("chan_a", s).ready;
      expect(s.told).to.deep.equal(["deaf"]);
    } finally {
      await unreachable.close();
    }
  });

  it("on close, tells every subscriber it is deaf and ends the connection; a later subscriber is deaf at once", async () => {
    const a = recorder();
    await session.listen("chan_a", a).ready;
    await session.close();
    expect(a.told).to.deep.equal(["listening", "deaf"]);
    await eventually("the connection is closed", async () => (await connections()).length === 0, { timeoutMs: 5000 });
    const late = recorder();
    await session.listen("chan_a", late).ready;
    expect(late.told).to.deep.equal(["deaf"]);
  });
});
