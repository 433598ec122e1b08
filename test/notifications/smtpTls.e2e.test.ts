// E-mail channels over TLS (issue #15): STARTTLS and implicit TLS to a relay whose certificate
// a private CA issued (trusted through SSLTRACKR_EXTRA_CA_FILE). The connection goes to the
// address the SSRF guard approved, yet the certificate is checked against the configured host
// name: a relay reached under a name its certificate does not carry is refused.
import { expect } from "chai";
import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createPki, type Pki } from "../support/pki.js";
import { startSmtpReceiver, type SmtpReceiver } from "../support/smtpReceiver.js";
import { startTestServer, type ApiClient, type TestServer } from "../support/testServer.js";

const CREDENTIALS = { username: "relay-user", password: "relay-pa55" };

describe("E-mail channels over TLS (e2e, local SMTP relays with a private CA)", function () {
  this.timeout(60_000);
  let pki: Pki;
  let starttls: SmtpReceiver;
  let implicit: SmtpReceiver;
  let t: TestServer;
  let api: ApiClient;

  before(async () => {
    pki = await createPki();
    const root = await pki.createRootCa({ cn: "Relay Test Root" });
    const leaf = await pki.createLeaf(root, { cn: "mail.relay.test", sans: ["mail.relay.test"] });
    const caFile = join(pki.dir, "relay-ca.pem");
    await writeFile(caFile, root.certPem);
    starttls = await startSmtpReceiver(CREDENTIALS, { tls: { key: leaf.keyPem, cert: leaf.certPem } });
    implicit = await startSmtpReceiver(CREDENTIALS, { tls: { key: leaf.keyPem, cert: leaf.certPem }, implicit: true });
    t = await startTestServer({
      env: {
        SSLTRACKR_SECRETS_KEY: `k1:${randomBytes(32).toString("base64")}`,
        SSLTRACKR_EXTRA_CA_FILE: caFile,
        SSLTRACKR_RESOLVE: "mail.relay.test=127.0.0.1,other-name.relay.test=127.0.0.1",
        SSLTRACKR_WEBHOOK_TIMEOUT_MS: "5000",
      },
    });
    api = t.client((await t.createUser()).key);
  });
  after(async () => {
    await t?.close();
    await starttls?.close();
    await implicit?.close();
    await pki?.cleanup();
  });

  const sendTest = async (config: Record<string, unknown>) => {
    const created = await api.post("/notification-channels", {
      type: "email",
      name: "relay",
      config: { ...CREDENTIALS, from: "alerts@ssltrackr.test", recipients: ["ops@example.com"], ...config },
    });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    const tested = await api.post(`/notification-channels/${created.body.id}/test`);
    expect(tested.status, JSON.stringify(tested.body)).to.equal(200);
    return tested.body as { status: string; last_error: string | null };
  };

  it("upgrades with STARTTLS before AUTH, verifying the relay's certificate for its host name", async () => {
    const delivery = await sendTest({ smtp_host: "mail.relay.test", smtp_port: starttls.port, security: "starttls" });
    expect(delivery).to.include({ status: "delivered", last_error: null });
    expect(starttls.mails.map((m) => [m.secure, m.user, m.parsed.subject])).to.deep.equal([[true, "relay-user", "Test notification from SSLTrackr: example.com"]]);
  });

  it("speaks TLS from the first byte with security: tls", async () => {
    const delivery = await sendTest({ smtp_host: "mail.relay.test", smtp_port: implicit.port, security: "tls" });
    expect(delivery).to.include({ status: "delivered" });
    expect(implicit.mails.map((m) => m.secure)).to.deep.equal([true]);
  });

  it("refuses a relay whose certificate does not name the configured host (nothing is sent)", async () => {
    const delivery = await sendTest({ smtp_host: "other-name.relay.test", smtp_port: starttls.port, security: "starttls" });
    expect(delivery.status).to.equal("dead");
    expect(delivery.last_error).to.match(/altnames|hostname|other-name/i);
    expect(starttls.mails).to.have.length(1);
  });
});
