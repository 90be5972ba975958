'use strict';
// bench/outbox.js [N]: the outbox's sender. Queues N emails (anonymous requests with a contact
// email) while the SMTP server is down, then starts a real one (tests/http/smtp_sink.py, aiosmtpd)
// and a server with --smtp, and times until all N have arrived. Run after make build.
process.env.FD_BIN = process.env.FD_BIN || require('node:path').join(__dirname, '../build/frontdoor');
const { spawn } = require('node:child_process');
const net = require('node:net');
const H = require('../tests/http/helpers.js');
const N = Number(process.argv[2] || 500);
const freePort = () => new Promise((r) => { const s = net.createServer(); s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => r(p)); }); });
(async () => {
  const smtp = await freePort();
  // Queue N messages with SMTP down, then time the drain once it is up.
  const a = await H.startServer(['--access-log', 'off', '--smtp', `smtp://127.0.0.1:${smtp}`, '--outbox-every', '3600', '--slip-every', '0']);
  H.setDefaultToken(H.makeToken(a.db, 'agent'));
  for (let i = 0; i < N; i++) {
    const r = await H.request(a.port, 'POST', '/api/v1/requests', { body: { service: 'pothole', address: `${i} Bench Road`, description: 'Hole', contact_email: `r${i}@example.org` } });
    if (r.status !== 201) throw new Error(r.text);
  }
  await H.stopServer(a);
  let got = 0;
  const sink = spawn('/usr/bin/python3', [require('node:path').join(__dirname, '../tests/http/smtp_sink.py'), String(smtp)], { stdio: ['pipe', 'pipe', 'inherit'] });
  let t0;
  await new Promise((res) => sink.stdout.on('data', (d) => { const s = String(d); if (s.includes('listening')) res(); got += (s.match(/"data"/g) || []).length; }));
  t0 = Date.now();
  const b = await H.startServer(['--access-log', 'off', '--smtp', `smtp://127.0.0.1:${smtp}`, '--outbox-every', '1', '--slip-every', '0'], a.db);
  while (got < N) await new Promise((r) => setTimeout(r, 50));
  const s = (Date.now() - t0) / 1000;
  console.log(`${N} emails delivered to aiosmtpd in ${s.toFixed(2)} s (${(N / s).toFixed(0)} a second, including the server's start)`);
  await H.stopServer(b);
  sink.stdin.end();
})();
