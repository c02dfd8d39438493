const { pipeline } = require('@xenova/transformers');

async function load(name) {
  return pipeline('text-generation', name);
}
module.exports = { load };
