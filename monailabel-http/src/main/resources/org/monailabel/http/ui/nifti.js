// NIfTI-1 reading and writing (single file .nii, optionally gzipped), no dependencies.

const TYPES = {
  2: { name: 'uint8', bytes: 1, get: (v, o, le) => v.getUint8(o) },
  4: { name: 'int16', bytes: 2, get: (v, o, le) => v.getInt16(o, le) },
  8: { name: 'int32', bytes: 4, get: (v, o, le) => v.getInt32(o, le) },
  16: { name: 'float32', bytes: 4, get: (v, o, le) => v.getFloat32(o, le) },
  64: { name: 'float64', bytes: 8, get: (v, o, le) => v.getFloat64(o, le) },
  256: { name: 'int8', bytes: 1, get: (v, o, le) => v.getInt8(o) },
  512: { name: 'uint16', bytes: 2, get: (v, o, le) => v.getUint16(o, le) },
  768: { name: 'uint32', bytes: 4, get: (v, o, le) => v.getUint32(o, le) },
};

export async function gunzipIfNeeded(buffer) {
  const b = new Uint8Array(buffer);
  if (b.length > 2 && b[0] === 0x1f && b[1] === 0x8b) {
    const stream = new Blob([b]).stream().pipeThrough(new DecompressionStream('gzip'));
    return await new Response(stream).arrayBuffer();
  }
  return buffer;
}

export async function gzip(bytes) {
  const stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function quaternAffine(v, le, pixdim) {
  const b = v.getFloat32(256, le), c = v.getFloat32(260, le), d = v.getFloat32(264, le);
  const qx = v.getFloat32(268, le), qy = v.getFloat32(272, le), qz = v.getFloat32(276, le);
  let a = 1 - (b * b + c * c + d * d);
  a = a < 1e-7 ? 0 : Math.sqrt(a);
  const qfac = pixdim[0] < 0 ? -1 : 1;
  const [dx, dy, dz] = [pixdim[1] || 1, pixdim[2] || 1, (pixdim[3] || 1) * qfac];
  const R = [
    [a * a + b * b - c * c - d * d, 2 * (b * c - a * d), 2 * (b * d + a * c)],
    [2 * (b * c + a * d), a * a + c * c - b * b - d * d, 2 * (c * d - a * b)],
    [2 * (b * d - a * c), 2 * (c * d + a * b), a * a + d * d - c * c - b * b],
  ];
  return [
    [R[0][0] * dx, R[0][1] * dy, R[0][2] * dz, qx],
    [R[1][0] * dx, R[1][1] * dy, R[1][2] * dz, qy],
    [R[2][0] * dx, R[2][1] * dy, R[2][2] * dz, qz],
    [0, 0, 0, 1],
  ];
}

/** Parses a NIfTI-1 file: {dims, spacing, affine (voxel -> RAS mm), data (Float32Array, scaled), header (the 348 bytes)}. */
export function parseNifti(buffer) {
  const v = new DataView(buffer);
  let le = true;
  if (v.getInt32(0, true) !== 348) {
    if (v.getInt32(0, false) !== 348) throw new Error('Not a NIfTI-1 file (sizeof_hdr is not 348)');
    le = false;
  }
  const magic = String.fromCharCode(v.getUint8(344), v.getUint8(345), v.getUint8(346));
  if (magic !== 'n+1') throw new Error(`Not a single-file NIfTI-1 image (magic '${magic}')`);
  const dim = [];
  for (let i = 0; i < 8; i++) dim.push(v.getInt16(40 + 2 * i, le));
  const pixdim = [];
  for (let i = 0; i < 8; i++) pixdim.push(v.getFloat32(76 + 4 * i, le));
  const datatype = v.getInt16(70, le);
  const type = TYPES[datatype];
  if (!type) throw new Error(`Unsupported NIfTI datatype ${datatype}`);
  const dims = [dim[1], Math.max(1, dim[2]), Math.max(1, dim[3])];
  const voxOffset = Math.round(v.getFloat32(108, le));
  let slope = v.getFloat32(112, le);
  const inter = v.getFloat32(116, le);
  if (!slope || !isFinite(slope)) slope = 1;
  const sformCode = v.getInt16(254, le);
  const qformCode = v.getInt16(252, le);
  let affine;
  if (sformCode > 0) {
    affine = [0, 1, 2].map((r) => [0, 1, 2, 3].map((c) => v.getFloat32(280 + 16 * r + 4 * c, le)));
    affine.push([0, 0, 0, 1]);
  } else if (qformCode > 0) {
    affine = quaternAffine(v, le, pixdim);
  } else {
    affine = [[pixdim[1] || 1, 0, 0, 0], [0, pixdim[2] || 1, 0, 0], [0, 0, pixdim[3] || 1, 0], [0, 0, 0, 1]];
  }
  const n = dims[0] * dims[1] * dims[2];
  if (voxOffset + n * type.bytes > buffer.byteLength) throw new Error('NIfTI file is truncated');
  const data = new Float32Array(n);
  for (let i = 0, o = voxOffset; i < n; i++, o += type.bytes) data[i] = type.get(v, o, le) * slope + inter;
  const spacing = [0, 1, 2].map((c) => Math.hypot(affine[0][c], affine[1][c], affine[2][c]) || 1);
  return { dims, spacing, affine, data, littleEndian: le, header: new Uint8Array(buffer, 0, 348).slice() };
}

/** A uint8 NIfTI-1 (.nii bytes) with the image's header (its exact sform and qform). */
export function writeLabelNifti(image, labels) {
  const out = new ArrayBuffer(352 + labels.length);
  const bytes = new Uint8Array(out);
  bytes.set(image.header, 0);
  const v = new DataView(out);
  const le = image.littleEndian;
  v.setInt16(40, 3, le);
  v.setInt16(42, image.dims[0], le);
  v.setInt16(44, image.dims[1], le);
  v.setInt16(46, image.dims[2], le);
  for (let i = 4; i < 8; i++) v.setInt16(40 + 2 * i, 1, le);
  v.setInt16(70, 2, le); // uint8
  v.setInt16(72, 8, le); // bitpix
  v.setFloat32(108, 352, le); // vox_offset
  v.setFloat32(112, 1, le); // scl_slope
  v.setFloat32(116, 0, le); // scl_inter
  v.setFloat32(124, 0, le); // cal_max
  v.setFloat32(128, 0, le); // cal_min
  v.setUint32(348, 0, le); // no extensions
  bytes.set(labels, 352);
  return bytes;
}
