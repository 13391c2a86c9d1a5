// Reading and writing NumPy .npy files (format 1.0-3.0, little-endian, C order) as
// onnxruntime-node tensors, for the peer scripts. Supported dtypes: float32, float64, int8,
// uint8, int32, int64, bool. Errors are thrown as Error with a message naming the file.
'use strict';

const fs = require('fs');
const ort = require('onnxruntime-node');

const MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]);  // "\x93NUMPY"

// .npy descr <-> ONNX Runtime tensor type and typed array.
const DTYPES = [
  {descr: '<f4', type: 'float32', array: Float32Array},
  {descr: '<f8', type: 'float64', array: Float64Array},
  {descr: '|i1', type: 'int8', array: Int8Array},
  {descr: '|u1', type: 'uint8', array: Uint8Array},
  {descr: '<i4', type: 'int32', array: Int32Array},
  {descr: '<i8', type: 'int64', array: BigInt64Array},
  {descr: '|b1', type: 'bool', array: Uint8Array},
];

function parseHeader(header, path) {
  const field = (name) => {
    const match = header.match(new RegExp(`'${name}':\\s*([^,}]+(?:\\([^)]*\\))?)`));
    if (!match) throw new Error(`${path}: .npy header has no '${name}' field: ${header}`);
    return match[1].trim();
  };
  const descr = field('descr').replace(/'/g, '');
  const dtype = DTYPES.find((d) => d.descr === descr);
  if (!dtype) {
    throw new Error(`${path}: unsupported .npy dtype '${descr}' (supported: ` +
                    `${DTYPES.map((d) => d.descr).join(' ')})`);
  }
  if (field('fortran_order') !== 'False') {
    throw new Error(`${path}: Fortran-order .npy is not supported; save a C-order array`);
  }
  const shapeText = header.match(/'shape':\s*\(([^)]*)\)/);
  if (!shapeText) throw new Error(`${path}: .npy header has no shape tuple: ${header}`);
  const shape = shapeText[1].split(',').map((s) => s.trim()).filter((s) => s).map(Number);
  return {dtype, shape};
}

// Reads FILE.npy into an ort.Tensor of its dtype and shape.
function readNpy(path) {
  const bytes = fs.readFileSync(path);
  if (bytes.length < 10 || !bytes.subarray(0, 6).equals(MAGIC)) {
    throw new Error(`${path}: not a .npy file (bad magic)`);
  }
  const major = bytes[6];
  const lengthBytes = major === 1 ? 2 : 4;
  const headerLength = lengthBytes === 2 ? bytes.readUInt16LE(8) : bytes.readUInt32LE(8);
  const dataStart = 8 + lengthBytes + headerLength;
  if (dataStart > bytes.length) throw new Error(`${path}: truncated .npy header`);
  const {dtype, shape} = parseHeader(bytes.toString('latin1', 8 + lengthBytes, dataStart), path);
  const count = shape.reduce((a, b) => a * b, 1);
  const byteLength = count * dtype.array.BYTES_PER_ELEMENT;
  if (bytes.length - dataStart !== byteLength) {
    throw new Error(`${path}: .npy holds ${bytes.length - dataStart} data bytes, its header ` +
                    `says ${byteLength}`);
  }
  // Copy into a fresh, aligned buffer: the typed array needs element alignment.
  const data = new dtype.array(count);
  Buffer.from(data.buffer).set(bytes.subarray(dataStart));
  return new ort.Tensor(dtype.type, dtype.type === 'bool' ? data.map((v) => v !== 0) : data,
                        shape);
}

// Writes an ort.Tensor as .npy version 1.0.
function writeNpy(path, tensor) {
  const dtype = DTYPES.find((d) => d.type === tensor.type);
  if (!dtype) throw new Error(`${path}: cannot write a tensor of type ${tensor.type} as .npy`);
  const dims = tensor.dims.map(String);
  const shape = dims.length === 1 ? `(${dims[0]},)` : `(${dims.join(', ')})`;
  let header = `{'descr': '${dtype.descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  // Pad with spaces so that magic + version + length + header + '\n' is a multiple of 64.
  const unpadded = 10 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const prefix = Buffer.alloc(10);
  MAGIC.copy(prefix);
  prefix[6] = 1;
  prefix[7] = 0;
  prefix.writeUInt16LE(header.length, 8);
  const data = tensor.type === 'bool' ? Uint8Array.from(tensor.data, (v) => (v ? 1 : 0))
                                      : tensor.data;
  const payload = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  fs.writeFileSync(path, Buffer.concat([prefix, Buffer.from(header, 'latin1'), payload]));
}

module.exports = {readNpy, writeNpy};
