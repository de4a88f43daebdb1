// The floor's webServer: a bare node:http server that answers {} to everything.
import http from 'node:http';

const port = Number(process.env.FLOOR_PORT);
http.createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
}).listen(port, '127.0.0.1');
