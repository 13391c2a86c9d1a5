#!/usr/bin/env node
// ONNX Runtime (CPU execution provider, one thread) as the speed peer of `tinymlops model bench`.
//
// Usage:
//   node ort_bench.js --overhead-model TRIVIAL.onnx [--runs R] [--warmup W] [--outputs DIR]
//                     MODEL.onnx INPUT.npy [MODEL.onnx INPUT.npy ...]
//
// For each MODEL (single input, fed INPUT.npy, batch 1): creates a session with one intra-op and
// one inter-op thread, sequential execution and every graph optimization, runs it W times to warm
// up, then times R runs one by one and reports the median and 90th percentile in microseconds.
// TRIVIAL (an Add of a 1-element tensor) measures node's cost of one session.run() call (binding,
// tensor marshalling, promise): its runs alternate with each model's, so that both see the same
// machine state, and each model is also reported with the median of its paired TRIVIAL runs
// subtracted. With --outputs, the outputs of INPUT are written as
// DIR/<model file stem>/<output name>.npy for the agreement check.
//
// Prints one JSON object on stdout:
//   {"runs", "warmup", "onnxruntime_version", "call_overhead": {median_us, p90_us} (over every
//    TRIVIAL run), "models": [{"model", "name", "median_us", "p90_us", "call_overhead_us",
//    "median_minus_overhead_us"}]}
// Exits 1 with a one-line message on bad arguments or a model ONNX Runtime cannot run.
'use strict';

const fs = require('fs');
const path = require('path');
const ort = require('onnxruntime-node');
const {readNpy, writeNpy} = require('./npy');

const USAGE = 'usage: node ort_bench.js --overhead-model TRIVIAL.onnx [--runs R] [--warmup W] ' +
              '[--outputs DIR] MODEL.onnx INPUT.npy [MODEL.onnx INPUT.npy ...]';

const SESSION_OPTIONS = {
  executionProviders: ['cpu'],
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  graphOptimizationLevel: 'all',
  executionMode: 'sequential',
};

function parseArguments(argv) {
  const options = {runs: 200, warmup: 20, outputs: null, overheadModel: null, pairs: []};
  const positional = [];
  for (let i = 0; i < argv.length; ++i) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${arg} needs a value; ${USAGE}`);
      return argv[++i];
    };
    const count = (name) => {
      const n = Number(value());
      if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer`);
      return n;
    };
    if (arg === '--runs') options.runs = count('--runs');
    else if (arg === '--warmup') options.warmup = count('--warmup');
    else if (arg === '--outputs') options.outputs = value();
    else if (arg === '--overhead-model') options.overheadModel = value();
    else if (arg === '--help' || arg === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else if (arg.startsWith('--')) throw new Error(`unknown option ${arg}; ${USAGE}`);
    else positional.push(arg);
  }
  if (!options.overheadModel) throw new Error(`--overhead-model is required; ${USAGE}`);
  if (positional.length === 0 || positional.length % 2 !== 0) {
    throw new Error(`expected MODEL.onnx INPUT.npy pairs; ${USAGE}`);
  }
  for (let i = 0; i < positional.length; i += 2) {
    options.pairs.push({model: positional[i], input: positional[i + 1]});
  }
  return options;
}

async function createSession(modelPath) {
  try {
    return await ort.InferenceSession.create(modelPath, SESSION_OPTIONS);
  } catch (error) {
    throw new Error(`${modelPath}: ONNX Runtime cannot load it: ${error.message}`);
  }
}

// The nearest-rank percentile of sorted values.
function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

// Microseconds taken by one session.run().
async function timeRun(session, feeds) {
  const start = process.hrtime.bigint();
  await session.run(feeds);
  return Number(process.hrtime.bigint() - start) / 1000;
}

// Warms both sessions up, then times R runs of each, alternating; returns the sorted times.
async function timeAlternating(model, trivial, options) {
  for (let i = 0; i < options.warmup; ++i) {
    await model.session.run(model.feeds);
    await trivial.session.run(trivial.feeds);
  }
  const modelMicros = new Float64Array(options.runs);
  const trivialMicros = new Float64Array(options.runs);
  for (let i = 0; i < options.runs; ++i) {
    modelMicros[i] = await timeRun(model.session, model.feeds);
    trivialMicros[i] = await timeRun(trivial.session, trivial.feeds);
  }
  return {model: modelMicros.sort(), trivial: trivialMicros.sort()};
}

function round(us) {
  return Math.round(us * 100) / 100;
}

async function main() {
  const options = parseArguments(process.argv.slice(2));

  const trivialSession = await createSession(options.overheadModel);
  const trivial = {session: trivialSession, feeds: {}};
  for (const input of trivialSession.inputMetadata) {
    const count = input.shape.reduce((a, b) => a * b, 1);
    trivial.feeds[input.name] = new ort.Tensor('float32', new Float32Array(count), input.shape);
  }
  const allTrivialMicros = [];

  const models = [];
  for (const pair of options.pairs) {
    const session = await createSession(pair.model);
    if (session.inputNames.length !== 1) {
      throw new Error(`${pair.model}: has ${session.inputNames.length} inputs; ` +
                      'ort_bench.js feeds single-input models only');
    }
    const feeds = {[session.inputNames[0]]: readNpy(pair.input)};
    const name = path.basename(pair.model).replace(/\.onnx$/, '');
    let outputs;
    try {
      outputs = await session.run(feeds);
    } catch (error) {
      throw new Error(`${pair.model}: ONNX Runtime cannot run it on ${pair.input}: ` +
                      error.message);
    }
    if (options.outputs) {
      const dir = path.join(options.outputs, name);
      fs.mkdirSync(dir, {recursive: true});
      for (const outputName of session.outputNames) {
        writeNpy(path.join(dir, `${outputName}.npy`), outputs[outputName]);
      }
    }
    const micros = await timeAlternating({session, feeds}, trivial, options);
    allTrivialMicros.push(...micros.trivial);
    const median = percentile(micros.model, 50);
    const overhead = percentile(micros.trivial, 50);
    models.push({
      model: pair.model,
      name,
      median_us: round(median),
      p90_us: round(percentile(micros.model, 90)),
      call_overhead_us: round(overhead),
      median_minus_overhead_us: round(median - overhead),
    });
    await session.release();
  }
  await trivialSession.release();
  allTrivialMicros.sort((a, b) => a - b);

  console.log(JSON.stringify({
    runs: options.runs,
    warmup: options.warmup,
    onnxruntime_version: require('onnxruntime-node/package.json').version,
    call_overhead: {
      median_us: round(percentile(allTrivialMicros, 50)),
      p90_us: round(percentile(allTrivialMicros, 90)),
    },
    models,
  }, null, 2));
}

main().catch((error) => {
  console.error(`ort_bench: ${error.message}`);
  process.exit(1);
});
