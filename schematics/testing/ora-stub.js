// The devkit's package-manager task requires `ora` (a spinner, ESM only) when
// its module loads; jest's CommonJS runtime cannot load ESM, and these tests
// never run a package-manager task. This stand-in keeps the import working.
module.exports = function ora() {
  const spinner = { start: () => spinner, stop: () => spinner, succeed: () => spinner, fail: () => spinner, text: '' };
  return spinner;
};
module.exports.default = module.exports;
