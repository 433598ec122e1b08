// Channel targets are user-chosen outbound hosts: the SSRF guard refuses loopback, private and
// link-local addresses for webhook URLs, API base URLs and SMTP hosts alike (a 400 when the
// channel is saved, created or updated), unless private targets are allowed. One case per
// channel type, each naming the one setting that carries its host.
import { expect } from "chai";
import { channelTypes, type ChannelType } from "../../src/notifications/channelTypes.js";
import { expectError } from "../support/apiHelpers.js";
import { startTestServer, type ApiClient, type ApiResponse, type TestServer } from "../support/testServer.js";

const PUBLIC = "hooks.public.test";

/** Per type (a Record: a new type without a case does not compile): a valid config whose target is `host`. */
const targets: Record<ChannelType, (host: string) => Record<string, unknown>> = {
  email: (host) => ({ smtp_host: host.replace(/^\[|\]$/g, ""), from: "a@example.com", recipients: ["b@example.com"] }),
  slack: (host) => ({ webhook_url: `http://${host}:8080/services/T0/B0/x` }),
  teams: (host) => ({ webhook_url: `https://${host}/workflows/x` }),
  discord: (host) => ({ webhook_url: `https://${host}/api/webhooks/1/x` }),
  telegram: (host) => ({ bot_token: "123:abc", chat_id: "1", api_base_url: `https://${host}` }),
  pagerduty: (host) => ({ routing_key: "k", api_base_url: `http://${host}` }),
  opsgenie: (host) => ({ api_key: "k", api_base_url: `https://${host}` }),
  ntfy: (host) => ({ server_url: `http://${host}:80`, topic: "t" }),
  webhook: (host) => ({ url: `https://${host}/hook` }),
};

/** One refused address per type, across loopback, private (also behind a name), link-local and IPv6. */
const refusedHost: Record<ChannelType, string> = {
  email: "relay.internal.test",
  slack: "127.0.0.1",
  teams: "192.168.1.20",
  discord: "[fd00::1]",
  telegram: "10.0.0.7",
  pagerduty: "169.254.169.254",
  opsgenie: "relay.internal.test",
  ntfy: "[::1]",
  webhook: "172.16.5.5",
};

describe("Notification channel SSRF guard (e2e)", () => {
  let t: TestServer;
  let api: ApiClient;
  before(async () => {
    t = await startTestServer({
      env: {
        SSLTRACKR_ALLOW_PRIVATE_TARGETS: "false",
        SSLTRACKR_SECRETS_KEY: `k1:${Buffer.alloc(32, 9).toString("base64")}`,
        SSLTRACKR_RESOLVE: `relay.internal.test=10.1.2.3,${PUBLIC}=93.184.215.14`,
      },
    });
    api = t.client((await t.createUser()).key);
  });
  after(async () => t?.close());

  const create = (type: string, config: Record<string, unknown>) => api.post("/notification-channels", { type, name: type, config });
  /** A 400 {"error"} naming the refusal of a non-public address (not some other validation). */
  const expectRefused = (res: ApiResponse) => {
    expectError(res, 400);
    expect(res.body.error).to.match(/^Invalid config: \S+: \S+ resolves to non-public address .*refusing to connect/);
  };

  for (const type of channelTypes) {
    it(`${type}: refuses a private target on create and on update, and keeps the public one`, async () => {
      expectRefused(await create(type, targets[type](refusedHost[type])));

      const created = await create(type, targets[type](PUBLIC));
      expect(created.status, JSON.stringify(created.body)).to.equal(201);
      const path = `/notification-channels/${created.body.id}`;
      const saved = (await api.get(path)).body;
      expectRefused(await api.put(path, { config: targets[type](refusedHost[type]) }));
      expect((await api.get(path)).body, "the refused update changed nothing").to.deep.equal(saved);
      // Its neighbour: the same update to a public host is accepted.
      expect((await api.put(path, { config: targets[type](PUBLIC) })).status).to.equal(200);
    });
  }
});
