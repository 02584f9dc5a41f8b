// The reference PeerJS server (npm `peer` 1.0.2) as an oracle, run in a worker thread of the test
// process so that the test can stop it, its never-ending check timers included, with terminate().
// workerData holds PeerServer options; the worker posts { port } once it listens on 127.0.0.1.
import { parentPort, workerData } from 'node:worker_threads';
import { PeerServer } from 'peer';

const server = PeerServer({ ...workerData, host: '127.0.0.1', port: 0 }, (http) => {
  parentPort.postMessage({ port: http.address().port });
});
// The `peerjs` command survives a client's invalid JSON by logging the error it raises; so does the oracle.
server.on('error', () => {});
