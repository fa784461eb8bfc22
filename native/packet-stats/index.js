'use strict';
// The compiled addon (Node-API, so the same build loads in Node and in Electron). See src/packet_stats.c.
module.exports = require('./build/Release/packet_stats.node');
