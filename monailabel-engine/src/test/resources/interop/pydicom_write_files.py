"""Writes DICOM Part 10 test files with pydicom into argv[1], and expected.json describing them.

Provenance: written for monailabel's DicomParser tests; pydicom (an independent DICOM writer) does
the encoding, so the Java reader is checked against another implementation rather than itself.
Every value below is chosen here; expected.json repeats the attribute values and the pixel values
(as written, flattened frame by frame, row by row, column fastest) for the test to compare with.
Files: explicit VR LE (unsigned 16-bit, BitsStored 12, an undefined-length sequence with a nested
undefined-length sequence), implicit VR LE (signed 16-bit, 2 frames, an undefined-length sequence
and an unknown private tag), deflated explicit VR LE (unsigned 8-bit, odd pixel count), and two
files that must be refused: explicit VR big endian and JPEG Baseline (encapsulated pixel data).
"""
import json
import os
import sys

import numpy as np
import pydicom
from pydicom.dataset import Dataset, FileDataset, FileMetaDataset
from pydicom.encaps import encapsulate
from pydicom.sequence import Sequence
from pydicom.uid import (
    DeflatedExplicitVRLittleEndian,
    ExplicitVRBigEndian,
    ExplicitVRLittleEndian,
    ImplicitVRLittleEndian,
    JPEGBaseline8Bit,
)

out = sys.argv[1]
rng = np.random.default_rng(20261203)
CT = "1.2.840.10008.5.1.4.1.1.2"
expected = {}


def base(name, syntax, rows, columns, bits, signed, values, frames=1):
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = CT
    meta.MediaStorageSOPInstanceUID = "1.2.826.0.1.3680043.8.498." + str(len(expected) + 11)
    meta.TransferSyntaxUID = syntax
    meta.ImplementationClassUID = "1.2.826.0.1.3680043.8.498.1"
    ds = FileDataset(name, {}, file_meta=meta, preamble=b"\0" * 128)
    ds.is_little_endian = syntax != ExplicitVRBigEndian
    ds.is_implicit_VR = syntax == ImplicitVRLittleEndian
    ds.SOPClassUID = CT
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.StudyInstanceUID = "1.2.826.0.1.3680043.8.498.100"
    ds.SeriesInstanceUID = "1.2.826.0.1.3680043.8.498.101"
    ds.FrameOfReferenceUID = "1.2.826.0.1.3680043.8.498.102"
    ds.Modality = "CT"
    ds.PatientID = "P1234"  # odd length: pydicom pads it with a space
    ds.ImageType = ["ORIGINAL", "PRIMARY", "AXIAL"]
    ds.InstanceNumber = len(expected) + 1
    ds.ImagePositionPatient = [-125.5, -130.0, 40.25]
    ds.ImageOrientationPatient = [1, 0, 0, 0, 0.9848077530, -0.1736481777]
    ds.PixelSpacing = [0.75, 0.8]
    ds.SliceThickness = 2.5
    ds.RescaleSlope = 1
    ds.RescaleIntercept = -1024
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.Rows = rows
    ds.Columns = columns
    if frames > 1:
        ds.NumberOfFrames = frames
    ds.BitsAllocated = bits
    ds.BitsStored = 12 if bits == 16 and not signed else bits
    ds.HighBit = ds.BitsStored - 1
    ds.PixelRepresentation = 1 if signed else 0
    dtype = {(8, False): "<u1", (16, False): "<u2", (16, True): "<i2"}[(bits, signed)]
    arr = np.asarray(values, dtype=dtype)
    ds.PixelData = arr.astype(arr.dtype.newbyteorder(">" if syntax == ExplicitVRBigEndian else "<")).tobytes()
    expected[name] = {
        "transferSyntax": syntax,
        "sopClassUid": CT,
        "sopInstanceUid": ds.SOPInstanceUID,
        "studyInstanceUid": ds.StudyInstanceUID,
        "seriesInstanceUid": ds.SeriesInstanceUID,
        "frameOfReferenceUid": ds.FrameOfReferenceUID,
        "modality": "CT",
        "patientId": "P1234",
        "imageType": ["ORIGINAL", "PRIMARY", "AXIAL"],
        "instanceNumber": int(ds.InstanceNumber),
        "imagePositionPatient": [-125.5, -130.0, 40.25],
        "imageOrientationPatient": [1, 0, 0, 0, 0.9848077530, -0.1736481777],
        "pixelSpacing": [0.75, 0.8],
        "sliceThickness": 2.5,
        "rescaleSlope": 1.0,
        "rescaleIntercept": -1024.0,
        "rows": rows,
        "columns": columns,
        "frames": frames,
        "bitsAllocated": bits,
        "bitsStored": int(ds.BitsStored),
        "pixelRepresentation": int(ds.PixelRepresentation),
        "pixels": [int(v) for v in arr.reshape(-1)],
    }
    return ds


def nested_sequence(ds, name):
    """ReferencedImageSequence (2 items, undefined lengths) whose first item nests another one."""
    inner = Dataset()
    inner.ReferencedSOPClassUID = CT
    inner.ReferencedSOPInstanceUID = "1.2.826.0.1.3680043.8.498.7.1"
    first = Dataset()
    first.ReferencedSOPClassUID = CT
    first.ReferencedSOPInstanceUID = "1.2.826.0.1.3680043.8.498.7"
    first.SourceImageSequence = Sequence([inner])
    second = Dataset()
    second.ReferencedSOPClassUID = CT
    second.ReferencedSOPInstanceUID = "1.2.826.0.1.3680043.8.498.8"
    ds.ReferencedImageSequence = Sequence([first, second])
    ds["ReferencedImageSequence"].is_undefined_length = True
    first["SourceImageSequence"].is_undefined_length = True
    for item in (first, second, inner):
        item.is_undefined_length_sequence_item = True
    expected[name]["referencedImages"] = [
        "1.2.826.0.1.3680043.8.498.7",
        "1.2.826.0.1.3680043.8.498.8",
    ]
    expected[name]["nestedReferencedImage"] = "1.2.826.0.1.3680043.8.498.7.1"


def save(ds, name):
    ds.save_as(os.path.join(out, name), write_like_original=False)


name = "explicit_u16.dcm"
ds = base(name, ExplicitVRLittleEndian, 4, 5, 16, False, rng.integers(0, 4096, 20))
nested_sequence(ds, name)
save(ds, name)

name = "implicit_s16.dcm"
values = rng.integers(-32768, 32768, 2 * 3 * 6)
values[:4] = [-32768, -1, 0, 32767]
ds = base(name, ImplicitVRLittleEndian, 3, 6, 16, True, values, frames=2)
nested_sequence(ds, name)
ds.add_new(0x00091010, "LO", "private text")  # unknown in implicit VR: read as raw bytes
expected[name]["privateBytesHex"] = b"private text".hex()
save(ds, name)

name = "deflated_u8.dcm"
values = rng.integers(0, 256, 15)
values[:2] = [0, 255]
ds = base(name, DeflatedExplicitVRLittleEndian, 3, 5, 8, False, values)
save(ds, name)

name = "big_endian.dcm"
ds = base(name, ExplicitVRBigEndian, 2, 2, 16, False, [1, 2, 3, 4])
save(ds, name)

name = "jpeg_baseline.dcm"
ds = base(name, JPEGBaseline8Bit, 2, 2, 8, False, [1, 2, 3, 4])
ds.PixelData = encapsulate([b"\xff\xd8\xff\xd9"])  # a frame's bytes; never decoded
ds["PixelData"].is_undefined_length = True
ds.is_implicit_VR = False
ds.is_little_endian = True
save(ds, name)

# pydicom's own reading of what it wrote, as a check on the expectations above
for name, facts in expected.items():
    if facts["transferSyntax"] in (ExplicitVRBigEndian, JPEGBaseline8Bit):
        continue
    back = pydicom.dcmread(os.path.join(out, name))
    assert [int(v) for v in back.pixel_array.reshape(-1)] == facts["pixels"], name
    assert back.PatientID == facts["patientId"], name

with open(os.path.join(out, "expected.json"), "w") as f:
    json.dump(expected, f, indent=1)
print(pydicom.__version__)
