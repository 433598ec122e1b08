/** Where the versioned API is mounted. */
export const API_PREFIX = "/api/v1";
