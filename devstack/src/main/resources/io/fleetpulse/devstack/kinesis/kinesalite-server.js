// kinesalite (in memory) on 127.0.0.1:PORT, behind a front that adds StreamName to requests that
// name their stream only by StreamARN: kinesalite predates StreamARN parameters, which the Flink
// KinesisStreamsSource sends. Usage: NODE_PATH=.../node_modules node kinesalite-server.js PORT
const http = require('http');
const kinesalite = require('kinesalite');

const port = parseInt(process.argv[2], 10);
const backend = kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 1000 });

backend.listen(0, '127.0.0.1', () => {
  const inner = backend.address().port;
  const front = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      let body = Buffer.concat(chunks);
      if (body.length > 0 && String(req.headers['content-type'] || '').includes('json')) {
        try {
          const json = JSON.parse(body.toString('utf8'));
          if (json.StreamARN && !json.StreamName) {
            json.StreamName = json.StreamARN.substring(json.StreamARN.lastIndexOf('/') + 1);
            body = Buffer.from(JSON.stringify(json), 'utf8');
          }
        } catch (e) {
          // not JSON after all: pass it on untouched
        }
      }
      const headers = Object.assign({}, req.headers, { 'content-length': String(body.length) });
      const out = http.request(
        { host: '127.0.0.1', port: inner, method: req.method, path: req.url, headers },
        (r) => {
          res.writeHead(r.statusCode, r.headers);
          r.pipe(res);
        });
      out.on('error', (e) => {
        res.writeHead(502);
        res.end(String(e));
      });
      out.end(body);
    });
  });
  front.listen(port, '127.0.0.1', () => console.log('kinesalite listening on ' + port));
});
process.on('SIGTERM', () => process.exit(0));
