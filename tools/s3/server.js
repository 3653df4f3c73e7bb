// Starts s3rver on 127.0.0.1 with a port chosen by the system and prints "listening <port>" once it accepts requests.
// Usage: node server.js <data-directory>
'use strict';
const S3rver = require('s3rver');

const directory = process.argv[2];
const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, resetOnClose: true });
server.run().then(
  (address) => console.log(`listening ${address.port}`),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
