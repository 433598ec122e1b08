// Settings > Notification channels (issue 15): GET/POST/PUT/DELETE /notification-channels,
// POST /notification-channels/{id}/test and the delivery log (/{id}/deliveries). The API types
// a channel's `config` as an open object, so the fields of each type come from the server's
// own config schemas, emitted as JSON Schema at build time (scripts/emitChannelForms.ts):
// strings, numbers, choices and lists become inputs, and the type's secret fields (passwords,
// tokens, webhook URLs) are password inputs that are sent but never shown back: the API only
// says which are set (`secrets_set`), and leaving one empty when editing keeps it.
import { useState, type FormEvent } from "react";
import forms from "../../generated/channelForms.json";
import { alertSeverityValues, alertTypeValues, pathsNotificationChannelsPostRequestBodyContentApplicationJsonTypeValues as channelTypes } from "../../generated/schema";
import { api, unwrap, type Schemas } from "../api/client";
import { formatInstant } from "../components/format";
import { useApi } from "../components/useApi";
import { Deliveries } from "../components/Deliveries";
import { NewSecret } from "../components/NewSecret";

type Channel = Schemas["NotificationChannel"];
type ChannelType = Channel["type"];

/** The JSON Schema subset the emitted config schemas use (zod's toJSONSchema output). */
interface FieldSchema {
  type?: "string" | "integer" | "number" | "array" | "boolean";
  enum?: string[];
  default?: unknown;
  format?: string;
  anyOf?: FieldSchema[];
}
interface TypeForm {
  config: { properties: Record<string, FieldSchema>; required?: string[] };
  secrets: string[];
}
const formOf = (type: ChannelType): TypeForm => (forms as unknown as Record<ChannelType, TypeForm>)[type];

const words = (name: string): string => {
  const text = name.replace(/_/g, " ").replace(/\burl\b/g, "URL").replace(/\bid\b/g, "ID").replace(/\bapi\b/g, "API").replace(/\bsmtp\b/g, "SMTP");
  return text.charAt(0).toUpperCase() + text.slice(1);
};
const list = (text: string): string[] => text.split(/[,\s]+/).filter(Boolean);

/** The config a form sends: typed by the schema; empty optional fields and empty secrets (kept) left out. */
function configFrom(form: FormData, type: ChannelType): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(formOf(type).config.properties)) {
    const raw = String(form.get(`config.${name}`) ?? "").trim();
    if (raw === "") continue;
    config[name] = field.type === "integer" || field.type === "number" ? Number(raw) : field.type === "array" ? list(raw) : raw;
  }
  return config;
}

function routingFrom(form: FormData): Channel["routing"] {
  return {
    alert_types: form.getAll("alert_types").map(String) as Channel["routing"]["alert_types"],
    min_severity: String(form.get("min_severity")) as Channel["routing"]["min_severity"],
    tags: list(String(form.get("tags") ?? "")),
  };
}

function ConfigField({ name, field, required, secret, channel }: { name: string; field: FieldSchema; required: boolean; secret: boolean; channel?: Channel }) {
  const current = channel?.config[name];
  const shown = current ?? field.default;
  const initial = Array.isArray(shown) ? shown.join(", ") : shown === undefined ? "" : String(shown);
  const label = `${words(name)}${required ? "" : " (optional)"}`;
  const inputName = `config.${name}`;
  if (field.enum) {
    return (
      <label>{label}
        <select name={inputName} defaultValue={initial}>
          {!required && field.default === undefined && <option value="">—</option>}
          {field.enum.map((v) => <option key={v} value={v}>{v}</option>)}
        </select>
      </label>
    );
  }
  if (secret) {
    // Never filled in: the API does not return secrets. Editing, empty keeps the stored one.
    const isSet = channel?.secrets_set.includes(name) ?? false;
    return (
      <label>{label}{isSet && <span className="hint"> (set; leave empty to keep)</span>}
        <input name={inputName} type="password" autoComplete="new-password" required={required && !isSet} />
      </label>
    );
  }
  const type = field.type === "integer" || field.type === "number" ? "number" : field.format === "uri" ? "url" : "text";
  return (
    <label>{label}{field.type === "array" && <span className="hint"> (comma-separated)</span>}
      <input name={inputName} type={type} required={required} defaultValue={initial} />
    </label>
  );
}

/** Create (no `channel`) or edit a channel: name, the type's config, routing. */
function ChannelForm({ channel, onSaved }: { channel?: Channel; onSaved: (created?: Schemas["CreatedNotificationChannel"]) => void }) {
  const [type, setType] = useState<ChannelType>(channel?.type ?? "email");
  const [error, setError] = useState<string | null>(null);
  const typeForm = formOf(type);
  const required = new Set(typeForm.config.required ?? []);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const body = { name: String(form.get("name")), config: configFrom(form, type), routing: routingFrom(form) };
    setError(null);
    try {
      if (channel) {
        unwrap(await api.PUT("/notification-channels/{id}", { params: { path: { id: channel.id } }, body }));
        onSaved();
      } else {
        const created = unwrap(await api.POST("/notification-channels", { body: { ...body, type } }));
        formElement.reset();
        onSaved(created);
      }
    } catch (e) {
      setError((e as Error).message);
    }
  }

  const what = channel ? `Edit ${channel.name}` : "Create a notification channel";
  return (
    <form className="card channel-form" onSubmit={(e) => void submit(e)} aria-label={what}>
      <label>Name<input name="name" required maxLength={100} defaultValue={channel?.name} placeholder="Ops on Slack" /></label>
      {!channel && (
        <label>Type
          <select name="type" value={type} onChange={(e) => setType(e.target.value as ChannelType)}>
            {channelTypes.map((t) => <option key={t} value={t}>{t}</option>)}
          </select>
        </label>
      )}
      <fieldset key={type}>
        <legend>{words(type)} settings</legend>
        {Object.entries(typeForm.config.properties).map(([name, field]) => (
          <ConfigField key={name} name={name} field={field} required={required.has(name)} secret={typeForm.secrets.includes(name)} channel={channel} />
        ))}
      </fieldset>
      <fieldset>
        <legend>Alert types (none checked: all)</legend>
        {alertTypeValues.map((t) => (
          <label key={t} className="check"><input type="checkbox" name="alert_types" value={t} defaultChecked={channel?.routing.alert_types.includes(t)} /> {t.replace(/_/g, " ")}</label>
        ))}
      </fieldset>
      <label>Minimum severity
        <select name="min_severity" defaultValue={channel?.routing.min_severity ?? "info"}>
          {alertSeverityValues.map((s) => <option key={s} value={s}>{s}</option>)}
        </select>
      </label>
      <label>Only domains tagged (optional, comma-separated)<input name="tags" defaultValue={channel?.routing.tags.join(", ")} /></label>
      <button type="submit" className="primary">{channel ? "Save channel" : "Create channel"}</button>
      {error && <p role="alert" className="error">{error}</p>}
    </form>
  );
}

/** The channel's settings as a line: its config, which secrets are set (never their values), when created. */
const describe = (c: Channel): string =>
  [
    ...Object.entries(c.config).map(([k, v]) => `${words(k)}: ${Array.isArray(v) ? v.join(", ") : String(v)}`),
    ...(c.secrets_set.length ? [`secrets set: ${c.secrets_set.map(words).join(", ")}`] : []),
    `created ${formatInstant(c.created_at)}`,
  ].join(" · ");

export function NotificationChannels() {
  const channels = useApi(async () => unwrap(await api.GET("/notification-channels", { params: { query: { per_page: 100 } } })), []);
  const [secret, setSecret] = useState<{ key: string; label: string } | null>(null);
  const [open, setOpen] = useState<{ id: string; what: "deliveries" | "edit" } | null>(null);
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);

  async function act(done: string, action: () => Promise<unknown>) {
    setMessage(null);
    try {
      await action();
      setMessage({ text: done, error: false });
      channels.reload();
    } catch (e) {
      setMessage({ text: (e as Error).message, error: true });
    }
  }
  const toggle = (id: string, what: "deliveries" | "edit") => setOpen(open?.id === id && open.what === what ? null : { id, what });
  const path = (c: Channel) => ({ params: { path: { id: c.id } } });

  return (
    <section aria-labelledby="channels">
      <h2 id="channels">Notification channels</h2>
      <p className="hint">E-mail, chat and incident tools that get alerts as they are raised, acknowledged and resolved (docs/notifications.md).</p>
      <ChannelForm
        onSaved={(created) => {
          if (created?.signing_secret) setSecret({ key: created.signing_secret, label: `signing secret of ${created.name}` });
          channels.reload();
        }}
      />
      {channels.error && <p role="alert" className="error">{channels.error}</p>}
      {message && <p role={message.error ? "alert" : "status"} className={message.error ? "error" : "notice"}>{message.text}</p>}
      {secret && <NewSecret created={secret} onDismiss={() => setSecret(null)} />}
      <ul className="plain channels">
        {channels.data?.data.map((c) => (
          <li key={c.id} className="card" aria-label={c.name}>
            <div className="title-row">
              <strong>{c.name}</strong>
              <span className="badge">{c.type}</span>
              <span className="hint">
                {c.routing.alert_types.length ? c.routing.alert_types.map((t) => t.replace(/_/g, " ")).join(", ") : "all alert types"}, {c.routing.min_severity} and above
                {c.routing.tags.length ? `, tagged ${c.routing.tags.join(" or ")}` : ""}
                {c.is_active ? "" : " (paused)"}
              </span>
            </div>
            <p className="hint">{describe(c)}</p>
            <div className="buttons">
              <button type="button" onClick={() => void act(`Test sent to ${c.name}: see its deliveries.`, async () => unwrap(await api.POST("/notification-channels/{id}/test", path(c))))}>Send test</button>
              <button type="button" aria-expanded={open?.id === c.id && open.what === "deliveries"} onClick={() => toggle(c.id, "deliveries")}>Deliveries</button>
              <button type="button" aria-expanded={open?.id === c.id && open.what === "edit"} onClick={() => toggle(c.id, "edit")}>Edit</button>
              <button type="button" onClick={() => void act(c.is_active ? `Paused ${c.name}.` : `Resumed ${c.name}.`, async () => unwrap(await api.PUT("/notification-channels/{id}", { ...path(c), body: { is_active: !c.is_active } })))}>
                {c.is_active ? "Pause" : "Resume"}
              </button>
              <button type="button" className="danger" onClick={() => void act(`Deleted ${c.name}.`, async () => unwrap(await api.DELETE("/notification-channels/{id}", path(c))))}>Delete</button>
            </div>
            {open?.id === c.id && open.what === "deliveries" && (
              <Deliveries load={async (page) => unwrap(await api.GET("/notification-channels/{id}/deliveries", { params: { path: { id: c.id }, query: { page, per_page: 20 } } }))} deps={[c.id]} />
            )}
            {open?.id === c.id && open.what === "edit" && (
              <ChannelForm channel={c} onSaved={() => { setOpen(null); setMessage({ text: `Saved ${c.name}.`, error: false }); channels.reload(); }} />
            )}
          </li>
        ))}
        {channels.data?.data.length === 0 && <li className="empty">No notification channels.</li>}
      </ul>
    </section>
  );
}
