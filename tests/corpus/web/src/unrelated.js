// No Transformers.js here: a pipeline of build steps.
const pipeline = (name, step) => [name, step];
pipeline('build', 'org/not-transformers');
