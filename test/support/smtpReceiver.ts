// A local SMTP server for tests (smtp-server), whose messages are parsed with mailparser:
// headers, the text and HTML parts, and who it was for. It requires AUTH with the given
// credentials, so a test also proves the password reached it (opened from its sealed form).
import type { AddressInfo } from "node:net";
import { simpleParser, type ParsedMail } from "mailparser";
import { SMTPServer } from "smtp-server";
import { eventually } from "./eventually.js";

export interface ReceivedMail {
  readonly envelopeTo: string[];
  readonly user: string | undefined;
  /** Whether the session was encrypted (STARTTLS or implicit TLS) when the message came. */
  readonly secure: boolean;
  readonly parsed: ParsedMail;
}

export interface SmtpReceiver {
  readonly port: number;
  readonly mails: ReceivedMail[];
  waitForCount(count: number, timeoutMs?: number): Promise<ReceivedMail[]>;
  /** Until `predicate` holds for the messages received so far (`what` names it in the timeout error). */
  waitFor(what: string, predicate: (mails: readonly ReceivedMail[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * Without `tls`: plain SMTP (the channel's `security: none`). With `tls` and `implicit`: TLS
 * from the first byte (`security: tls`); with `tls` only: STARTTLS offered (`starttls`).
 */
export async function startSmtpReceiver(
  credentials: { username: string; password: string },
  options: { tls?: { key: string; cert: string }; implicit?: boolean } = {},
): Promise<SmtpReceiver> {
  const mails: ReceivedMail[] = [];
  const server = new SMTPServer({
    ...(options.tls ? { key: options.tls.key, cert: options.tls.cert, secure: options.implicit === true } : { disabledCommands: ["STARTTLS"] }),
    // AUTH is required either way; over plain SMTP only because the test relay is on loopback.
    allowInsecureAuth: !options.tls,
    authMethods: ["PLAIN", "LOGIN"],
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === credentials.username && auth.password === credentials.password) callback(null, { user: auth.username });
      else callback(new Error("Invalid username or password"));
    },
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((parsed) => {
          mails.push({ envelopeTo: session.envelope.rcptTo.map((r) => r.address), user: session.user as string | undefined, secure: session.secure, parsed });
          callback();
        })
        .catch((err: Error) => callback(err));
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.server.address() as AddressInfo;
  const waitFor: SmtpReceiver["waitFor"] = async (what, predicate, timeoutMs = 10_000) => {
    await eventually(() => `the SMTP server gets ${what} (it got ${mails.length} messages)`, () => predicate(mails), { timeoutMs });
  };
  return {
    port,
    mails,
    async waitForCount(count, timeoutMs = 10_000) {
      await waitFor(`${count} messages`, () => mails.length >= count, timeoutMs);
      return mails;
    },
    waitFor,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
