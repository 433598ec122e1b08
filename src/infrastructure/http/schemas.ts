// Building blocks shared by route schemas.
import { z } from "zod";

/**
 * A path's `{id}`: a UUID in either case (RFC 9562 §4: input is case-insensitive), passed on in
 * lower case, the form ids are generated, stored and named in stream names with. Both cases
 * are spelled out in the pattern rather than by an `i` flag: the OpenAPI document carries a
 * regex's source, not its flags.
 */
export const uuidParam = (what: string) =>
  z.strictObject({
    id: z
      .string()
      .regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, `${what} id must be a UUID`)
      .toLowerCase(),
  });

/**
 * A whole-number query parameter from `min` to `max`, `fallback` when absent. Query
 * parameters arrive as strings (parseQuery refuses a repeated one); digits only, so no
 * 1e3, 0x10 or empty value slips through as a number, and any run of digits past `max`
 * is refused with the same message.
 */
export const intParam = (min: number, max: number, fallback: number) =>
  z
    .string()
    .regex(/^\d+$/, "must be a whole number")
    .transform(Number)
    // max first: the first issue is the one reported, and past 2^53 int() fails too.
    .pipe(z.number().max(max).min(min).int())
    .default(fallback);

export const paginationQuery = {
  page: intParam(1, 1_000_000, 1),
  per_page: intParam(1, 100, 20),
};

export const paginated = <T extends z.ZodType>(item: T) =>
  z.object({
    data: z.array(item),
    pagination: z.object({
      page: z.number().int(),
      per_page: z.number().int(),
      total: z.number().int(),
      total_pages: z.number().int(),
    }),
  });
