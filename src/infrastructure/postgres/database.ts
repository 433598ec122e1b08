// Creates the application database on a server if it is missing.
import pg from "pg";

export async function ensureDatabase(serverUrl: string, database: string): Promise<string> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    const { rowCount } = await admin.query("select 1 from pg_database where datname = $1", [database]);
    if (!rowCount) {
      await admin.query(`create database "${database.replaceAll('"', '""')}"`).catch((err: unknown) => {
        // Another process created it meanwhile.
        if (!(err instanceof pg.DatabaseError && err.code === "42P04")) throw err;
      });
    }
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}
