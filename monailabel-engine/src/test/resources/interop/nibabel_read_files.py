"""Reads every NIfTI file named in argv[2:] (inside argv[1]) with nibabel and prints JSON facts.

For each file: nibabel's affine, sform and qform (with codes), the shape, dtype, and the sha256 of
the voxels (np.asanyarray(dataobj)) as little-endian bytes in file order.
"""
import hashlib
import json
import os
import sys

import nibabel as nib
import numpy as np

facts = {}
for name in sys.argv[2:]:
    img = nib.load(os.path.join(sys.argv[1], name))
    data = np.asanyarray(img.dataobj)
    data = data.astype(data.dtype.newbyteorder('<'))
    sform, scode = img.header.get_sform(coded=True)
    qform, qcode = img.header.get_qform(coded=True)
    facts[name] = {
        'affine': img.affine.tolist(),
        'sform': None if sform is None else sform.tolist(),
        'qform': None if qform is None else qform.tolist(),
        'sform_code': int(scode),
        'qform_code': int(qcode),
        'shape': list(data.shape),
        'dtype': str(data.dtype.newbyteorder('=').name),
        'sha256': hashlib.sha256(data.tobytes(order='F')).hexdigest(),
        'version': 2 if isinstance(img, nib.Nifti2Image) else 1,
        'units': list(img.header.get_xyzt_units()),
        'zooms': [float(z) for z in img.header.get_zooms()[:3]],
    }
print(json.dumps(facts))
