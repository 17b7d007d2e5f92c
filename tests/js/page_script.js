// Loading one of the map page's scripts (resources/web) into node for its unit tests.
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const vm = require("node:vm");

const WEB = path.join(__dirname, "..", "..", "resources", "web");

/*
 * Run resources/web/`file` as the page does, a plain script that sets a property of
 * `window`, and return that property (`name`, e.g. "EventAtlasGroups").
 */
function pageScript(file, name) {
  globalThis.window = globalThis.window || {};
  vm.runInThisContext(fs.readFileSync(path.join(WEB, file), "utf8"), { filename: file });
  return globalThis.window[name];
}

module.exports = { pageScript };
