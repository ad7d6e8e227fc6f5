"""Writes NIfTI variants with nibabel into argv[1] and a manifest.json of nibabel's view of them.

For every file: the affine nibabel reports, the shape as monailabel's Volume has it (x, y, z[, c]),
the voxel type monailabel should produce, and <name>.bin holding the expected voxels as
little-endian bytes in file order (x fastest). Scaled files expect get_fdata() values, as float32
when the raw type has at most 16 bits and float64 otherwise.
"""
import json
import os
import struct
import sys

import nibabel as nib
import numpy as np

out = sys.argv[1]
rng = np.random.default_rng(20261127)
manifest = {}


def rotation(axis, degrees):
    axis = np.asarray(axis, float) / np.linalg.norm(axis)
    t = np.radians(degrees)
    k = np.array([[0, -axis[2], axis[1]], [axis[2], 0, -axis[0]], [-axis[1], axis[0], 0]])
    return np.eye(3) + np.sin(t) * k + (1 - np.cos(t)) * (k @ k)


def oblique(flip=True):
    a = np.eye(4)
    a[:3, :3] = rotation([0.3, -0.5, 0.8], 23) @ np.diag([0.9, 1.3, 2.2])
    if flip:
        a[:3, 0] *= -1
    a[:3, 3] = [12.5, -30.25, 7.75]
    return a


def random_data(dtype, shape):
    dt = np.dtype(dtype)
    if dt.kind == 'f':
        return (rng.standard_normal(shape) * 1000).astype(dt)
    info = np.iinfo(dt)
    arr = rng.integers(info.min, info.max, size=shape, endpoint=True, dtype=dt)
    flat = arr.reshape(-1)
    flat[0], flat[-1] = info.min, info.max
    return arr


def volume_shape(shape):
    s = list(shape) + [1] * max(0, 3 - len(shape))
    channels = int(np.prod(s[3:])) if len(s) > 3 else 1
    return s[:3] + ([channels] if channels > 1 else [])


def record(name, path):
    img = nib.load(path)
    raw = img.dataobj.get_unscaled()
    slope, inter = img.dataobj.slope, img.dataobj.inter
    if slope != 1 or inter != 0:
        wide = raw.dtype.itemsize >= 4 and raw.dtype != np.float32
        expected = img.get_fdata().astype(np.float64 if wide else np.float32)
    else:
        expected = raw
    expected = expected.astype(expected.dtype.newbyteorder('<'))
    with open(os.path.join(out, name + '.bin'), 'wb') as f:
        f.write(expected.tobytes(order='F'))
    manifest[name] = {
        'file': os.path.basename(path),
        'affine': img.affine.tolist(),
        'shape': volume_shape(expected.shape),
        'dtype': str(expected.dtype.newbyteorder('=').name),
    }


def save(name, img, ext='.nii'):
    path = os.path.join(out, name + ext)
    nib.save(img, path)
    record(name, path)


for dtype in ['uint8', 'int8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'float32', 'float64']:
    img = nib.Nifti1Image(random_data(dtype, (5, 4, 3)), oblique(), dtype=dtype)
    save('dtype_' + dtype, img)
    save('dtype_' + dtype + '_gz', nib.Nifti1Image(random_data(dtype, (3, 4, 5)), oblique(), dtype=dtype),
         '.nii.gz')

img = nib.Nifti1Image(random_data('int16', (6, 5, 4)), oblique())
img.set_qform(None, code=0)
img.set_sform(oblique(), code=2)
save('sform_only', img)

img = nib.Nifti1Image(random_data('int16', (6, 5, 4)), oblique())
img.set_sform(None, code=0)
img.set_qform(oblique(flip=False), code=1)
save('qform_only', img)

img = nib.Nifti1Image(random_data('int16', (6, 5, 4)), oblique())
img.set_qform(oblique(flip=False), code=1)
other = oblique()
other[:3, 3] = [-4, 5, 6]
img.set_sform(other, code=1)
save('both_disagree', img)

img = nib.Nifti1Image(random_data('int16', (6, 5, 4)), None)
img.header.set_zooms((0.7, 1.1, 3.0))
img.set_qform(None, code=0)
img.set_sform(None, code=0)
save('no_xform_pixdim_fallback', img)

for raw in ['int16', 'uint8', 'int32']:
    data = rng.standard_normal((7, 6, 5)) * 300 + 40
    img = nib.Nifti1Image(data, oblique())
    img.set_data_dtype(raw)
    save('scaled_' + raw, img)
img = nib.Nifti1Image(random_data('float32', (4, 4, 4)), oblique())
img.header.set_slope_inter(2.5, -7.0)
save('scaled_float32', img)
img = nib.Nifti1Image(random_data('int16', (4, 4, 4)), oblique())
img.header.set_slope_inter(0.25, 100.0)
save('scaled_int16_gz', img, '.nii.gz')

save('four_d_float32', nib.Nifti1Image(random_data('float32', (4, 3, 2, 5)), oblique()))
img = nib.Nifti1Image(random_data('float32', (4, 3, 2, 1, 3)), oblique())
img.header.set_intent('vector')
save('five_d_vector', img, '.nii.gz')
save('two_d_uint8', nib.Nifti1Image(random_data('uint8', (6, 5)), np.diag([0.5, 0.75, 1, 1])))

hdr = nib.Nifti1Header(endianness='>')
hdr.set_data_dtype('>i2')
save('big_endian_int16', nib.Nifti1Image(random_data('int16', (5, 4, 3)).astype('>i2'), oblique(), hdr))
hdr = nib.Nifti1Header(endianness='>')
hdr.set_data_dtype('>f8')
save('big_endian_float64_gz', nib.Nifti1Image(random_data('float64', (5, 4, 3)).astype('>f8'), oblique(), hdr),
     '.nii.gz')

save('nifti2_float32', nib.Nifti2Image(random_data('float32', (5, 4, 3)), oblique()))
save('nifti2_int64_gz', nib.Nifti2Image(random_data('int64', (3, 4, 5)), oblique(), dtype='int64'), '.nii.gz')
hdr = nib.Nifti2Header(endianness='>')
hdr.set_data_dtype('>u2')
save('nifti2_big_endian_uint16', nib.Nifti2Image(random_data('uint16', (5, 4, 3)).astype('>u2'), oblique(), hdr))

img = nib.Nifti1Image(random_data('int16', (5, 4, 3)), oblique())
img.header.extensions.append(nib.nifti1.Nifti1Extension('comment', b'monailabel test extension ' * 5))
save('with_extension', img)



def patched(name, patches, base_affine=None, qform_only=True):
    """Saves an int16 image, then overwrites header fields (offset, struct format, value) on disk."""
    affine = oblique(flip=False) if base_affine is None else base_affine
    img = nib.Nifti1Image(random_data('int16', (5, 4, 3)), affine)
    if qform_only:
        img.set_sform(None, code=0)
        img.set_qform(affine, code=1)
    path = os.path.join(out, name + '.nii')
    nib.save(img, path)
    with open(path, 'r+b') as f:
        for offset, fmt, value in patches:
            f.seek(offset)
            f.write(struct.pack(fmt, value))
    record(name, path)


# nibabel's load-time header fixes: qfac not +-1 -> 1, negative pixdim -> abs, zero pixdim -> 1
patched('qform_qfac_zero', [(76, '<f', 0.0)])
patched('qform_qfac_half', [(76, '<f', -0.5)])
patched('qform_negative_pixdim', [(80, '<f', -0.9), (88, '<f', -2.2)])
patched('fallback_zero_pixdim', [(84, '<f', 0.0), (252, '<h', 0)])
patched('fallback_negative_pixdim', [(80, '<f', -1.5), (252, '<h', 0)])
img = nib.Nifti1Image(random_data('int16', (5, 4, 3)), oblique())
img.header.set_xyzt_units('meter', 'sec')
save('units_meters', img)
manifest['units_meters']['unit_scale'] = 1000.0
img = nib.Nifti1Image(random_data('int16', (5, 4, 3)), oblique())
img.header.set_xyzt_units('micron', 'sec')
save('units_micrometres', img)
manifest['units_micrometres']['unit_scale'] = 0.001

save('large_int16_gz', nib.Nifti1Image(random_data('int16', (128, 128, 72)), oblique()), '.nii.gz')

with open(os.path.join(out, 'manifest.json'), 'w') as f:
    json.dump(manifest, f, indent=1)
