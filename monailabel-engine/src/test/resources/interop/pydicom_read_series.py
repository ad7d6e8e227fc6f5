"""Reads a folder of single-frame DICOM instances with pydicom and numpy: argv[1] in, argv[2] out.

Provenance: written for monailabel's DicomSeriesWriter tests; pydicom (an independent DICOM
reader) decodes the files the Java writer made and numpy computes the geometry, so the writer is
checked by code it did not write. Every warning is an error. The script sorts the slices along
the normal of ImageOrientationPatient, requires one series, study and frame of reference, distinct
SOP instances, evenly spaced slices stacked along the normal, and writes JSON with the RAS affine
(LPS direction columns times PixelSpacing, the step between slices, the first position, x and y
negated), the shape (columns, rows, slices), the rescaled values in Volume order (x fastest, then
rows, then slices), the SOPInstanceUIDs in slice order, and the shared attributes.
"""
import json
import os
import sys
import warnings

warnings.simplefilter("error")

import numpy as np  # noqa: E402
import pydicom  # noqa: E402

folder, out = sys.argv[1], sys.argv[2]
slices = [pydicom.dcmread(os.path.join(folder, f)) for f in sorted(os.listdir(folder))]
o = np.array([float(v) for v in slices[0].ImageOrientationPatient])
row, col = o[:3], o[3:]
normal = np.cross(row, col)
slices.sort(key=lambda s: float(np.dot(normal, [float(v) for v in s.ImagePositionPatient])))
for key in ("SeriesInstanceUID", "StudyInstanceUID", "FrameOfReferenceUID", "SOPClassUID", "Modality"):
    if len({str(getattr(s, key)) for s in slices}) != 1:
        raise SystemExit("slices differ in " + key)
uids = [str(s.SOPInstanceUID) for s in slices]
if len(set(uids)) != len(uids):
    raise SystemExit("two slices share a SOPInstanceUID")
positions = np.array([[float(v) for v in s.ImagePositionPatient] for s in slices])
n = len(slices)
step = (positions[-1] - positions[0]) / (n - 1) if n > 1 else normal * float(slices[0].SliceThickness)
for k in range(n):
    if np.linalg.norm(positions[k] - positions[0] - k * step) > 1e-4:
        raise SystemExit("slice %d is off the even stack" % k)
if np.linalg.norm(np.cross(step, normal)) > 1e-4 * np.linalg.norm(step):
    raise SystemExit("slices are not stacked along the normal")
spacing = [float(v) for v in slices[0].PixelSpacing]
lps = np.eye(4)
lps[:3, 0] = row * spacing[1]
lps[:3, 1] = col * spacing[0]
lps[:3, 2] = step
lps[:3, 3] = positions[0]
ras = np.diag([-1.0, -1.0, 1.0, 1.0]) @ lps
values = np.stack([s.pixel_array.astype(np.float64) * float(s.RescaleSlope) + float(s.RescaleIntercept)
                   for s in slices])
first = slices[0]
result = {
    "affine": ras.tolist(),
    "shape": [int(first.Columns), int(first.Rows), n],
    "values": values.reshape(-1).tolist(),
    "sop_instance_uids": uids,
    "instance_numbers": [int(s.InstanceNumber) for s in slices],
    "slice_thickness": float(first.SliceThickness),
    "pixel_representation": int(first.PixelRepresentation),
    "bits_stored": int(first.BitsStored),
    "rescale_type": str(first.get("RescaleType", "")),
    "image_type": list(first.ImageType),
}
for key in ("SOPClassUID", "Modality", "SeriesInstanceUID", "StudyInstanceUID", "FrameOfReferenceUID",
            "PatientName", "PatientID", "PatientBirthDate", "PatientSex", "StudyDate", "StudyTime",
            "StudyID", "AccessionNumber", "ReferringPhysicianName", "StudyDescription",
            "SeriesDescription", "SpecificCharacterSet"):
    result[key] = str(first.get(key, ""))
with open(out, "w") as f:
    json.dump(result, f)
