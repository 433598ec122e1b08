// Sending e-mail over SMTP with nodemailer (a maintained library: SMTP, STARTTLS and AUTH are
// not ours to write). Reusable beyond alerts (digests, issue #15 part 3). The connection goes
// to an address the SSRF guard approved, while TLS still verifies the certificate against the
// configured host name (SNI and name check use `servername`), as for webhooks. nodemailer is
// loaded at the first message: a server without mail channels never holds it
// (bench/profiles/8-memory.md).
import { rootCertificates } from "node:tls";

export interface SmtpSettings {
  readonly host: string;
  readonly port: number;
  /** starttls: upgrade required (RFC 3207); tls: implicit TLS (RFC 8314, port 465); none: no TLS (a local relay). */
  readonly security: "starttls" | "tls" | "none";
  readonly username?: string | undefined;
  readonly password?: string | undefined;
  readonly from: string;
}

export interface Mail {
  readonly to: readonly string[];
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface MailSent {
  readonly messageId: string;
  readonly accepted: readonly string[];
  readonly rejected: readonly string[];
}

/** Sends one message to `address` (approved for `settings.host`); rejects with the SMTP error. */
export async function sendMail(
  settings: SmtpSettings,
  mail: Mail,
  options: { address: string; timeoutMs: number; /** Extra trusted roots (PEM), e.g. a private relay's CA. */ extraCa?: readonly string[] | undefined },
): Promise<MailSent> {
  const { default: nodemailer } = await import("nodemailer");
  const transport = nodemailer.createTransport({
    host: options.address,
    port: settings.port,
    secure: settings.security === "tls",
    requireTLS: settings.security === "starttls",
    ignoreTLS: settings.security === "none",
    tls: { servername: settings.host, ...(options.extraCa ? { ca: [...rootCertificates, ...options.extraCa] } : {}) },
    ...(settings.username ? { auth: { user: settings.username, pass: settings.password ?? "" } } : {}),
    connectionTimeout: options.timeoutMs,
    greetingTimeout: options.timeoutMs,
    socketTimeout: options.timeoutMs,
  });
  try {
    const info = await transport.sendMail({
      from: settings.from,
      to: [...mail.to],
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      headers: { ...mail.headers },
    });
    const addresses = (list: unknown[]) => list.map((a) => (typeof a === "string" ? a : (a as { address: string }).address));
    return { messageId: String(info.messageId), accepted: addresses(info.accepted), rejected: addresses(info.rejected) };
  } finally {
    transport.close();
  }
}
