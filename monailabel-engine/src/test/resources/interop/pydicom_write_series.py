"""Writes DICOM series with pydicom into argv[1]/<series>/ and series.json describing them.

Provenance: written for monailabel's DicomSeries tests; pydicom (an independent DICOM writer)
encodes the slices and numpy computes the expected geometry, so the Java assembler is checked
against values it did not compute itself. Series:
  oblique   5 slices of 4 columns x 3 rows, signed 16-bit, rotated orientation, 2.5 mm apart,
            written in shuffled file order with shuffled InstanceNumber, slope 1 intercept -1024
  scaled    3 axial slices, unsigned 16-bit, slope 0.5 intercept -10 (floating-point values)
  missing   the oblique series without its middle slice (uneven spacing)
  tilted    oblique, but one slice has another ImageOrientationPatient
  resized   oblique, but one slice has 4 rows
  gantry    5 axial slices 2.5 mm apart, each shifted 0.6 mm along the column direction from the
            last (a gantry tilt of about 13.5 degrees): its grid is sheared, kept exactly
For each valid series: the expected RAS affine (LPS direction columns times spacing, first slice
position, flipped to RAS), shape (columns, rows, slices), voxel values after rescale in Volume
order (x fastest, then rows, then slices sorted along the normal) and the SOPInstanceUID of each
slice in that order.
"""
import json
import os
import sys

import numpy as np
from pydicom.dataset import FileDataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian

out = sys.argv[1]
rng = np.random.default_rng(20261203)
CT = "1.2.840.10008.5.1.4.1.1.2"
counter = [1000]
expected = {}


def slice_ds(series_uid, position, orientation, spacing, pixels, slope, intercept, number):
    counter[0] += 1
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = CT
    meta.MediaStorageSOPInstanceUID = "1.2.826.0.1.3680043.8.498." + str(counter[0])
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = FileDataset("x", {}, file_meta=meta, preamble=b"\0" * 128)
    ds.is_little_endian = True
    ds.is_implicit_VR = False
    ds.SOPClassUID = CT
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.SeriesInstanceUID = series_uid
    ds.Modality = "CT"
    ds.InstanceNumber = number
    ds.ImagePositionPatient = [float(v) for v in position]
    ds.ImageOrientationPatient = [float(v) for v in orientation]
    ds.PixelSpacing = [float(v) for v in spacing]
    ds.SliceThickness = 2.5
    ds.RescaleSlope = slope
    ds.RescaleIntercept = intercept
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.Rows, ds.Columns = pixels.shape
    ds.BitsAllocated = 16
    ds.BitsStored = 16
    ds.HighBit = 15
    ds.PixelRepresentation = 1 if pixels.dtype == np.int16 else 0
    ds.PixelData = pixels.astype(pixels.dtype.newbyteorder("<")).tobytes()
    return ds


def write_series(name, n, rows, columns, orientation, spacing, gap, dtype, slope, intercept,
                 drop=None, odd_orientation=None, odd_rows=None, tilt=0.0):
    os.makedirs(os.path.join(out, name))
    row = np.array(orientation[:3], dtype=float)
    col = np.array(orientation[3:], dtype=float)
    normal = np.cross(row, col)
    origin = np.array([-100.25, 80.5, -30.0])
    info = np.iinfo(dtype)
    stack = rng.integers(max(info.min, -3000), min(info.max, 3000), (n, rows, columns)).astype(dtype)
    kept = [k for k in range(n) if k != drop]
    order = rng.permutation(len(kept))
    numbers = rng.permutation(len(kept)) + 1
    uids = {}
    for written, idx in enumerate(order):
        k = kept[idx]
        position = origin + k * gap * normal + k * tilt * col  # tilt: gantry tilt, mm per slice
        pixels = stack[k]
        o = orientation
        if odd_orientation is not None and written == 1:
            o = odd_orientation
        if odd_rows is not None and written == 1:
            pixels = rng.integers(0, 100, (odd_rows, columns)).astype(dtype)
        ds = slice_ds("1.2.826.0.1.3680043.8.498.2." + str(len(expected) + 1), position, o,
                      spacing, pixels, slope, intercept, int(numbers[written]))
        uids[k] = ds.SOPInstanceUID
        ds.save_as(os.path.join(out, name, "slice%02d.dcm" % written), write_like_original=False)
    lps = np.eye(4)
    lps[:3, 0] = row * spacing[1]
    lps[:3, 1] = col * spacing[0]
    lps[:3, 2] = normal * gap + col * tilt  # the step between slices: sheared when tilted
    lps[:3, 3] = origin
    ras = np.diag([-1.0, -1.0, 1.0, 1.0]) @ lps
    values = stack[kept].astype(np.float64) * slope + intercept
    expected[name] = {
        "shape": [columns, rows, len(kept)],
        "affine": ras.tolist(),
        "values": values.reshape(-1).tolist(),  # C order of (slice, row, column): x fastest
        "type": None,
        "sop_instance_uids": [uids[k] for k in kept],
    }


c, s = np.cos(0.3), np.sin(0.3)
oblique = [c, s, 0.0, -s * 0.8, c * 0.8, 0.6]  # orthonormal: |(-0.8s, 0.8c, 0.6)| = 1
write_series("oblique", 5, 3, 4, oblique, [0.7, 0.9], 2.5, np.int16, 1, -1024)
expected["oblique"]["type"] = "int16"
write_series("scaled", 3, 2, 3, [1, 0, 0, 0, 1, 0], [1.0, 1.0], 3.0, np.uint16, 0.5, -10)
expected["scaled"]["type"] = "float32"
write_series("missing", 5, 3, 4, oblique, [0.7, 0.9], 2.5, np.int16, 1, -1024, drop=2)
write_series("tilted", 5, 3, 4, oblique, [0.7, 0.9], 2.5, np.int16, 1, -1024,
             odd_orientation=[1, 0, 0, 0, 1, 0])
write_series("resized", 5, 3, 4, oblique, [0.7, 0.9], 2.5, np.int16, 1, -1024, odd_rows=4)
write_series("gantry", 5, 3, 4, [1, 0, 0, 0, 1, 0], [0.7, 0.9], 2.5, np.int16, 1, -1024,
             tilt=0.6)
expected["gantry"]["type"] = "int16"
for name in ("missing", "tilted", "resized"):
    del expected[name]

with open(os.path.join(out, "series.json"), "w") as f:
    json.dump(expected, f)
