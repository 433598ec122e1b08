// Response building blocks every concept's API description uses.
import { z } from "zod";
import { named } from "./jsonSchema.js";

/** Ids are UUIDs (any version: some are derived, not random). */
export const entityId = () => z.guid();

/** Instants as the server writes them: Date#toISOString, UTC. */
export const instant = () => z.iso.datetime();

/** The answer of a DELETE. */
export const messageBody = named("Message", z.strictObject({ message: z.string() }));
