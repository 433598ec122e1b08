// RC4 and 64-bit block cipher (3DES, DES, IDEA) suites, which OpenSSL 3 cannot negotiate,
// probed with raw ClientHellos: the grade rules for them need to know if a server accepts them.
import type net from "node:net";
import { buildClientHello, parseServerReply, VERSION_CODES, type LegacyVersion, type ServerReply } from "./clientHello.js";
import { closeQuietly, connectTcpOrNull, type ProbeTarget } from "./connection.js";

/** IANA code point -> name. */
const LEGACY_SUITES: ReadonlyMap<number, string> = new Map([
  [0x0004, "TLS_RSA_WITH_RC4_128_MD5"],
  [0x0005, "TLS_RSA_WITH_RC4_128_SHA"],
  [0x0018, "TLS_DH_anon_WITH_RC4_128_MD5"],
  [0xc002, "TLS_ECDH_ECDSA_WITH_RC4_128_SHA"],
  [0xc007, "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA"],
  [0xc00c, "TLS_ECDH_RSA_WITH_RC4_128_SHA"],
  [0xc011, "TLS_ECDHE_RSA_WITH_RC4_128_SHA"],
  [0xc016, "TLS_ECDH_anon_WITH_RC4_128_SHA"],
  [0x0003, "TLS_RSA_EXPORT_WITH_RC4_40_MD5"],
  [0x000a, "TLS_RSA_WITH_3DES_EDE_CBC_SHA"],
  [0x000d, "TLS_DH_DSS_WITH_3DES_EDE_CBC_SHA"],
  [0x0010, "TLS_DH_RSA_WITH_3DES_EDE_CBC_SHA"],
  [0x0013, "TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA"],
  [0x0016, "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA"],
  [0x001b, "TLS_DH_anon_WITH_3DES_EDE_CBC_SHA"],
  [0xc003, "TLS_ECDH_ECDSA_WITH_3DES_EDE_CBC_SHA"],
  [0xc008, "TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA"],
  [0xc00d, "TLS_ECDH_RSA_WITH_3DES_EDE_CBC_SHA"],
  [0xc012, "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA"],
  [0xc017, "TLS_ECDH_anon_WITH_3DES_EDE_CBC_SHA"],
  [0x0007, "TLS_RSA_WITH_IDEA_CBC_SHA"],
  [0x0009, "TLS_RSA_WITH_DES_CBC_SHA"],
  [0x0012, "TLS_DHE_DSS_WITH_DES_CBC_SHA"],
  [0x0015, "TLS_DHE_RSA_WITH_DES_CBC_SHA"],
]);

// Bounds the rounds per version should a server keep answering with suites we did not offer.
const MAX_ROUNDS = LEGACY_SUITES.size;

function waitForReply(socket: net.Socket, timeoutMs: number): Promise<ServerReply> {
  return new Promise((resolve) => {
    let received = Buffer.alloc(0);
    const finish = (reply: ServerReply) => {
      clearTimeout(timer);
      closeQuietly(socket);
      resolve(reply);
    };
    // Silence and hang-ups are how some servers say no.
    const timer = setTimeout(() => finish({ kind: "invalid" }), timeoutMs);
    socket.on("data", (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const reply = parseServerReply(received);
      if (reply.kind !== "incomplete") finish(reply);
    });
    socket.on("close", () => finish({ kind: "invalid" }));
  });
}

/** The suite the server picks from `suites` for exactly `version`, or null if it declines. */
async function serverChoice(target: ProbeTarget, version: LegacyVersion, suites: readonly number[]): Promise<number | null> {
  const socket = await connectTcpOrNull(target);
  if (!socket) return null;
  const reply = waitForReply(socket, target.timeoutMs);
  socket.write(buildClientHello(version, suites, target.servername));
  const answer = await reply;
  const accepted = answer.kind === "hello" && answer.version === VERSION_CODES[version] && suites.includes(answer.suite);
  return accepted ? answer.suite : null;
}

/** IANA names of the legacy suites the server accepts with `version`, in the order it chose them. */
export async function probeLegacySuites(target: ProbeTarget, version: LegacyVersion): Promise<string[]> {
  const remaining = [...LEGACY_SUITES.keys()];
  const accepted: string[] = [];
  for (let round = 0; round < MAX_ROUNDS && remaining.length > 0; round++) {
    const suite = await serverChoice(target, version, remaining);
    if (suite === null) break;
    remaining.splice(remaining.indexOf(suite), 1);
    accepted.push(LEGACY_SUITES.get(suite)!);
  }
  return accepted;
}
