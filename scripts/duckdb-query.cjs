// Runs the SQL on stdin in an in-memory DuckDB and prints the rows as JSON: the tests' independent
// reader of gitwalk's Parquet tables. DUCKDB_API is the path of the @duckdb/node-api package
// (scripts/duckdb-node.sh installs it).
const { DuckDBInstance } = require(process.env.DUCKDB_API);
(async () => {
  const sql = require('fs').readFileSync(0, 'utf8');
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  const res = await conn.runAndReadAll(sql);
  process.stdout.write(JSON.stringify(res.getRowObjectsJson()));
})().catch(e => { console.error(e.message); process.exit(1); });
