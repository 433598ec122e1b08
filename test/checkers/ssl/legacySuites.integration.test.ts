// RC4/3DES detection with raw ClientHellos. Local OpenSSL cannot serve those suites, so a fake
// server answers ServerHellos for them; placed in front of a real TLS server it lets a whole
// check see a server that "also accepts 3DES".
import { expect } from "chai";
import net from "node:net";
import { checkSsl, type SslCheckOk } from "../../../src/checkers/ssl/index.js";
import { probeLegacySuites } from "../../../src/checkers/ssl/legacySuites.js";
import type { ProbeTarget } from "../../../src/checkers/ssl/connection.js";
import { createPki, startTlsServer, type Pki, type RunningServer } from "../../support/pki.js";

interface ClientHello {
  version: number;
  suites: number[];
  sni: boolean;
}

/** Enough of a ClientHello record to play server: its version and offered suites. */
function parseClientHello(record: Buffer): ClientHello | null {
  if (record.length < 5 || record[0] !== 22 || record.length < 5 + record.readUInt16BE(3)) return null;
  const sidLength = record[43]!;
  const suitesAt = 44 + sidLength;
  const count = record.readUInt16BE(suitesAt) / 2;
  const suites = Array.from({ length: count }, (_, i) => record.readUInt16BE(suitesAt + 2 + 2 * i));
  return { version: record.readUInt16BE(9), suites, sni: record.includes(Buffer.from("legacy.test")) };
}

function serverHello(version: number, suite: number): Buffer {
  const body = Buffer.concat([Buffer.from([version >> 8, version & 255]), Buffer.alloc(32, 1), Buffer.from([0, suite >> 8, suite & 255, 0])]);
  const handshake = Buffer.concat([Buffer.from([2, 0, 0, body.length]), body]);
  return Buffer.concat([Buffer.from([22, 3, 3, 0, handshake.length]), handshake]);
}
const HANDSHAKE_FAILURE_ALERT = Buffer.from([21, 3, 3, 0, 2, 2, 40]);

interface FakeOptions {
  /** Suites the fake accepts, in its order of preference. */
  accepts: number[];
  /** Answer with this version instead of the client's. */
  answerVersion?: number;
  /** Where to send every other connection (a real TLS server); otherwise they get an alert. */
  forwardTo?: number;
}

async function startFake(options: FakeOptions): Promise<RunningServer & { hellos: ClientHello[] }> {
  const hellos: ClientHello[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => undefined);
    let buffered = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      const hello = parseClientHello(buffered);
      if (!hello) return;
      socket.off("data", onData);
      hellos.push(hello);
      const choice = options.accepts.find((s) => hello.suites.includes(s));
      if (choice !== undefined) return socket.end(serverHello(options.answerVersion ?? hello.version, choice));
      if (options.forwardTo === undefined) return socket.end(HANDSHAKE_FAILURE_ALERT);
      const upstream = net.connect(options.forwardTo, "127.0.0.1", () => upstream.write(buffered));
      upstream.on("error", () => socket.destroy());
      socket.pipe(upstream).pipe(socket);
    };
    socket.on("data", onData);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  const close = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  return { host: "127.0.0.1", port, servernames: [], hellos, connectionCount: () => hellos.length, close };
}

describe("legacy suite probes (RC4, 3DES)", function () {
  this.timeout(30_000);
  const servers: RunningServer[] = [];
  let pki: Pki;
  const target = (port: number): ProbeTarget => ({ ip: "127.0.0.1", port, servername: "legacy.test", timeoutMs: 1000, ca: [] });

  before(async () => {
    pki = await createPki();
  });
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });
  after(async () => {
    await pki.cleanup();
  });

  it("lists every accepted legacy suite, in the server's order, sending SNI", async () => {
    const fake = await startFake({ accepts: [0xc012, 0x000a, 0x0005] });
    servers.push(fake);
    expect(await probeLegacySuites(target(fake.port), "TLSv1.2")).to.deep.equal([
      "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA",
      "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
      "TLS_RSA_WITH_RC4_128_SHA",
    ]);
    expect(fake.hellos).to.have.length(4); // three accepted, then the refusal
    expect(fake.hellos.every((h) => h.version === 0x0303 && h.sni)).to.equal(true);
  });

  it("does not count a suite the server only accepts with another version", async () => {
    const fake = await startFake({ accepts: [0x000a], answerVersion: 0x0301 });
    servers.push(fake);
    expect(await probeLegacySuites(target(fake.port), "TLSv1.2")).to.deep.equal([]);
  });

  it("finds nothing on a real OpenSSL server, or one that never answers", async () => {
    const root = await pki.createRootCa({ cn: "Legacy Root" });
    const leaf = await pki.createLeaf(root, { cn: "legacy.test", sans: ["legacy.test"] });
    const real = await startTlsServer({ leaf, tls: { minVersion: "TLSv1", ciphers: "DEFAULT:@SECLEVEL=0" } });
    servers.push(real);
    expect(await probeLegacySuites(target(real.port), "TLSv1")).to.deep.equal([]);
    const silent = net.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const started = Date.now();
    const port = (silent.address() as net.AddressInfo).port;
    expect(await probeLegacySuites({ ...target(port), timeoutMs: 300 }, "TLSv1.2")).to.deep.equal([]);
    expect(Date.now() - started).to.be.lessThan(1500);
    silent.close();
  });

  it("caps a whole check at C when 3DES is accepted with TLS 1.2", async () => {
    const root = await pki.createRootCa({ cn: "Legacy Root" });
    const leaf = await pki.createLeaf(root, { cn: "legacy.test", sans: ["legacy.test"] });
    const real = await startTlsServer({ leaf, hsts: "max-age=31536000" });
    const fake = await startFake({ accepts: [0x000a], forwardTo: real.port });
    servers.push(real, fake);
    const result = await checkSsl(
      { hostname: "legacy.test", port: fake.port },
      { allowPrivateTargets: true, resolveOverrides: new Map([["legacy.test", ["127.0.0.1"]]]), timeoutMs: 2000, extraCa: [root.certPem] },
    );
    const r = result as SslCheckOk;
    expect(r.outcome).to.equal("ok");
    expect(r.cipher_suites.accepted["TLSv1.2"]).to.include("TLS_RSA_WITH_3DES_EDE_CBC_SHA");
    expect(r.cipher_suites.triple_des).to.equal(true);
    expect(r.grade).to.equal("C");
    expect(r.grade_reasons.map((g) => `${g.code}:${g.cap}`)).to.deep.equal(["block_cipher_64bit:C"]);
  });
});
