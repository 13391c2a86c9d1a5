#!/usr/bin/env node
// Runs ONNX models in ONNX Runtime (onnxruntime-node, CPU execution provider, one thread, graph
// optimizations disabled) and writes its outputs as .npy: the reference that
// tests/conformance/random_models_vs_ort.cc compares tinymlops with. Optimizations are off
// because some change results against the ONNX definition of the model: e.g. the basic level
// merges QuantizeLinear -> DequantizeLinear -> QuantizeLinear -> DequantizeLinear chains into one
// quantization, which rounds differently from the two the model asks for.
//
// Usage: node bench/peer/ort_run.js MODELS_DIR
// For every MODELS_DIR/*/model.onnx, reads input_J.npy (J in graph-input order) beside it and
// writes ort_output_J.npy (J in graph-output order). Exits non-zero, naming the model, when
// ONNX Runtime cannot load or run one.
'use strict';
const fs = require('fs');
const path = require('path');

let ort;
try {
  ort = require('onnxruntime-node');
} catch (error) {
  console.error(`ort_run.js: onnxruntime-node does not load (${error.message}); ` +
                'install it with: cd bench/peer && npm ci --ignore-scripts');
  process.exit(2);
}
const {readNpy, writeNpy} = require('./npy');

async function runModel(modelDir) {
  const session = await ort.InferenceSession.create(path.join(modelDir, 'model.onnx'), {
    executionProviders: ['cpu'],
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'disabled',
  });
  const feeds = {};
  session.inputNames.forEach((name, j) => {
    feeds[name] = readNpy(path.join(modelDir, `input_${j}.npy`));
  });
  const results = await session.run(feeds);
  session.outputNames.forEach((name, j) => {
    writeNpy(path.join(modelDir, `ort_output_${j}.npy`), results[name]);
  });
  await session.release();
}

async function main() {
  if (process.argv.length !== 3) {
    console.error('usage: node ort_run.js MODELS_DIR');
    process.exit(2);
  }
  const modelsDir = process.argv[2];
  const modelDirs = fs.readdirSync(modelsDir).sort()
      .map((name) => path.join(modelsDir, name))
      .filter((dir) => fs.existsSync(path.join(dir, 'model.onnx')));
  for (const modelDir of modelDirs) {
    try {
      await runModel(modelDir);
    } catch (error) {
      console.error(`ort_run.js: ${modelDir}: ${error.message}`);
      process.exit(1);
    }
  }
  console.log(`ort_run.js: ONNX Runtime ${ort.env.versions.common} ran ${modelDirs.length} ` +
              `models in ${modelsDir}`);
}

main();
