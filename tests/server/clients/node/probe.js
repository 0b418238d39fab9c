// Connects to lakebox with node-postgres, queries with and without parameters, browses the catalog.
// Prints one JSON object; the Python test asserts on it. Usage: node probe.js <port> <user> <password>
const { Client } = require('pg');

async function main() {
  const [port, user, password] = process.argv.slice(2);
  const client = new Client({ host: '127.0.0.1', port: Number(port), user, password, database: 'dev' });
  await client.connect();
  const out = {};
  out.simple = (await client.query('SELECT id, name, price, ok, day FROM items ORDER BY id')).rows;
  out.param = (await client.query('SELECT name FROM items WHERE id = $1', [2])).rows;
  out.prepared = [];
  for (let i = 1; i <= 3; i++) {
    const r = await client.query({ name: 'by_id', text: 'SELECT id, name FROM items WHERE id = $1', values: [i] });
    out.prepared.push(r.rows[0]);
  }
  out.tables = (await client.query(
    "SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema = 'spectrum' ORDER BY 2")).rows;
  try {
    await client.query('SELECT * FROM no_such_table');
  } catch (e) {
    out.error = { code: e.code, message: e.message };
  }
  out.after_error = (await client.query('SELECT 1 AS one')).rows;
  await client.end();
  console.log(JSON.stringify(out));
}

main().catch((e) => { console.error(e); process.exit(1); });
