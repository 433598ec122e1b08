// /api-keys in the OpenAPI document: the routes' request schemas and what they answer.
import { z } from "zod";
import { entityId, instant } from "../infrastructure/http/openapi/common.js";
import { described, named } from "../infrastructure/http/openapi/jsonSchema.js";
import type { ApiOperation } from "../infrastructure/http/openapi/operation.js";
import { paginated, uuidParam } from "../infrastructure/http/schemas.js";
import { createApiKeyBody, listApiKeysQuery, revokeApiKeyQuery } from "./apiKeyRoutes.js";
import { permissionSchema } from "./events.js";

const keyFields = {
  id: entityId(),
  label: z.string(),
  permissions: z.array(permissionSchema),
  expires_at: instant().nullable(),
  created_at: instant(),
};

export const createdApiKey = named(
  "CreatedApiKey",
  z.object({
    ...keyFields,
    key: described(z.string(), "The key itself (`ssa_...`): shown this once, only its hash is stored."),
    last_used_at: z.null(),
  }),
);

export const apiKeyListItem = named(
  "ApiKey",
  z.object({
    ...keyFields,
    key_prefix: described(z.string(), "The first characters of the key, to recognise it."),
    last_used_at: described(instant().nullable(), "Kept to within about 10 seconds (uses are written in batches)."),
  }),
);

export type ApiKeyListItem = z.output<typeof apiKeyListItem>;

export const revokedApiKeys = named(
  "RevokedApiKeys",
  z.object({
    message: z.string(),
    revoked_key_ids: described(z.array(entityId()), "The key revoked first, then (with `cascade=true`) the keys it created, transitively."),
  }),
);

const tags = ["API keys"];

export const apiKeyOperations: readonly ApiOperation[] = [
  {
    id: "createApiKey",
    method: "post",
    path: "/api-keys",
    summary: "Create an API key",
    description:
      "The full key is returned only once. A key cannot create a key with more permissions than it has (403), nor one that outlives it: when the calling key expires, `expires_at` must be given and no later than the calling key's (403). `expires_at` must be in the future.",
    tags,
    auth: "bearer",
    origin: "spec",
    rateLimit: { limit: 5, windowSeconds: 60 },
    request: { body: createApiKeyBody },
    responses: { 201: { description: "The new key, with its secret.", schema: createdApiKey } },
    errors: [503],
  },
  {
    id: "listApiKeys",
    method: "get",
    path: "/api-keys",
    summary: "List the caller's active API keys",
    description: "Newest first; never the key itself.",
    tags,
    auth: "bearer",
    origin: "addition",
    request: { query: listApiKeysQuery },
    responses: { 200: { description: "One page of keys.", schema: named("ApiKeyList", paginated(apiKeyListItem)) } },
  },
  {
    id: "revokeApiKey",
    method: "delete",
    path: "/api-keys/{id}",
    summary: "Revoke an API key",
    description:
      "At once: the key then gets 401. A key may revoke itself. Keys it created stay valid (so a key can be rotated: mint the replacement with it, then revoke it) unless `cascade=true`, which also revokes every key it created, and theirs (for a leaked key).",
    tags,
    auth: "bearer",
    origin: "addition",
    request: { params: uuidParam("API key"), query: revokeApiKeyQuery },
    responses: { 200: { description: "`API key revoked` and the ids revoked.", schema: revokedApiKeys } },
    errors: [404, 503],
  },
];
