"""Writes what the DICOMweb tests upload into a PACS (Orthanc), with pydicom, into argv[1].

Provenance: written for monailabel's DicomWebSource tests; pydicom (an independent DICOM writer)
encodes every instance, so what the Java client reads back from the PACS is checked against files
it did not write itself. Every instance has the attributes a PACS needs to file it (PatientID,
StudyInstanceUID, SeriesInstanceUID, SOPInstanceUID). Written:
  ct1/       study 1, 4 oblique slices of 6 columns x 5 rows, signed 16-bit, intercept -1024
  ct2/       study 2, 3 axial slices of 5 x 4, signed 16-bit, no rescale
  ct2_extra.dcm  a fourth slice of ct2, 2 mm after its last (ct2 stays evenly spaced)
  seg1.dcm   a SEG instance (binary, one frame on ct1's first slice, segment "organ") in study 1
             whose ReferencedSeriesSequence names ct1; pacs.json has its mask
  stow.dcm   one CT slice of a new series in study 2, for STOW-RS
  rle/       study 3, 2 axial slices of 4 x 3 in RLE Lossless (a compressed transfer syntax);
             pacs.json has their values
  tilted/    study 5, 4 axial slices of 6 x 5, each 0.7 mm further along the column direction
             than the last (gantry tilt), 2.5 mm apart along the normal
  big/       only with argv[2] == "big": 100 axial slices of 512 x 512, signed 16-bit
and pacs.json with the UIDs.
"""
import json
import os
import sys

import numpy as np
from pydicom.dataset import Dataset, FileDataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import ExplicitVRLittleEndian, RLELossless

out = sys.argv[1]
big = len(sys.argv) > 2 and sys.argv[2] == "big"
rng = np.random.default_rng(20261204)
ROOT = "1.2.826.0.1.3680043.8.498.77."
CT = "1.2.840.10008.5.1.4.1.1.2"
SEG = "1.2.840.10008.5.1.4.1.1.66.4"
counter = [0]
uids = {}


def uid():
    counter[0] += 1
    return ROOT + str(counter[0])


FRAMES = {}


def new_ds(sop_class, study, series, modality, patient):
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = sop_class
    meta.MediaStorageSOPInstanceUID = uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = FileDataset("x", {}, file_meta=meta, preamble=b"\0" * 128)
    ds.is_little_endian = True
    ds.is_implicit_VR = False
    ds.SOPClassUID = sop_class
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.PatientName = "Test^" + patient
    ds.PatientID = patient
    ds.StudyInstanceUID = study
    ds.StudyDate = "20261204"
    ds.StudyID = "1"
    ds.SeriesInstanceUID = series
    ds.Modality = modality
    ds.SeriesNumber = 1
    return ds


def ct_slice(study, series, patient, description, position, orientation, spacing, pixels,
             intercept, number):
    ds = new_ds(CT, study, series, "CT", patient)
    if study not in FRAMES:  # one frame of reference per study, as a scanner writes it
        FRAMES[study] = uid()
    ds.FrameOfReferenceUID = FRAMES[study]
    ds.SeriesDescription = description
    ds.InstanceNumber = number
    ds.ImagePositionPatient = [float(v) for v in position]
    ds.ImageOrientationPatient = [float(v) for v in orientation]
    ds.PixelSpacing = [float(v) for v in spacing]
    ds.SliceThickness = 2.0
    ds.RescaleSlope = 1
    ds.RescaleIntercept = intercept
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.Rows, ds.Columns = pixels.shape
    ds.BitsAllocated = 16
    ds.BitsStored = 16
    ds.HighBit = 15
    ds.PixelRepresentation = 1
    ds.PixelData = pixels.astype("<i2").tobytes()
    return ds


def write_series(name, study, patient, n, rows, columns, orientation, spacing, gap, intercept,
                 extra=None, rle=False, tilt=0.0):
    series = uid()
    os.makedirs(os.path.join(out, name))
    row = np.array(orientation[:3], dtype=float)
    col = np.array(orientation[3:], dtype=float)
    normal = np.cross(row, col)
    origin = np.array([-20.5, 10.25, -5.0])
    total = n + (1 if extra else 0)
    stack = rng.integers(-2000, 2000, (total, rows, columns)).astype(np.int16)
    sops = []
    for k in range(total):
        ds = ct_slice(study, series, patient, name + " series",
                      origin + k * gap * normal + k * tilt * col,
                      orientation, spacing, stack[k], intercept, k + 1)
        if rle:
            ds.compress(RLELossless)
        path = os.path.join(out, name, "slice%03d.dcm" % k) if k < n else os.path.join(out, extra)
        ds.save_as(path, write_like_original=False)
        sops.append(ds.SOPInstanceUID)
    uids[name] = {"study": study, "series": series, "sops": sops[:n],
                  "sops_with_extra": sops}
    if rle:  # what a reader of the decoded slices must find, x fastest, then rows, then slices
        uids[name]["values"] = (stack[:n].astype(np.float64) + intercept).reshape(-1).tolist()
    return series, sops


study1, study2, study3 = uid(), uid(), uid()
c, s = np.cos(0.4), np.sin(0.4)
oblique = [c, s, 0.0, -s * 0.6, c * 0.6, 0.8]  # orthonormal: |(-0.6s, 0.6c, 0.8)| = 1
ct1, ct1_sops = write_series("ct1", study1, "P1", 4, 5, 6, oblique, [0.8, 0.7], 2.5, -1024)
write_series("ct2", study2, "P2", 3, 4, 5, [1, 0, 0, 0, 1, 0], [1.0, 1.0], 2.0, 0,
             extra="ct2_extra.dcm")
write_series("rle", study3, "P3", 2, 3, 4, [1, 0, 0, 0, 1, 0], [1.0, 1.0], 1.0, 0, rle=True)
write_series("tilted", uid(), "P5", 4, 5, 6, [1, 0, 0, 0, 1, 0], [0.8, 0.7], 2.5, -1024, tilt=0.7)
if big:
    write_series("big", uid(), "P4", 100, 512, 512, [1, 0, 0, 0, 1, 0], [0.7, 0.7], 1.5, 0)

# A binary SEG of one frame on ct1's first slice; enough for a PACS to file it and for a reader to
# find the series it segments (ReferencedSeriesSequence).
seg_series = uid()
seg = new_ds(SEG, study1, seg_series, "SEG", "P1")
seg.SeriesDescription = "segmentation of ct1"
seg.InstanceNumber = 1
seg.SamplesPerPixel = 1
seg.PhotometricInterpretation = "MONOCHROME2"
seg.Rows, seg.Columns = 5, 6
seg.BitsAllocated = 1
seg.BitsStored = 1
seg.HighBit = 0
seg.PixelRepresentation = 0
seg.NumberOfFrames = 1
seg.SegmentationType = "BINARY"
seg.ImageType = ["DERIVED", "PRIMARY"]
referenced = Dataset()
referenced.SeriesInstanceUID = ct1
instance = Dataset()
instance.ReferencedSOPClassUID = CT
instance.ReferencedSOPInstanceUID = ct1_sops[0]
referenced.ReferencedInstanceSequence = Sequence([instance])
seg.ReferencedSeriesSequence = Sequence([referenced])
segment = Dataset()
segment.SegmentNumber = 1
segment.SegmentLabel = "organ"
segment.SegmentAlgorithmType = "MANUAL"
seg.SegmentSequence = Sequence([segment])
# what a SEG reader needs to place the frame (highdicom writes the same groups): frame of
# reference, shared orientation and pixel spacing, the frame's position, source and segment
seg.FrameOfReferenceUID = FRAMES[study1]
orientation_item = Dataset()
orientation_item.ImageOrientationPatient = [float(v) for v in oblique]
measures = Dataset()
measures.PixelSpacing = [0.8, 0.7]
measures.SliceThickness = 2.5
shared = Dataset()
shared.PlaneOrientationSequence = Sequence([orientation_item])
shared.PixelMeasuresSequence = Sequence([measures])
seg.SharedFunctionalGroupsSequence = Sequence([shared])
position = Dataset()
position.ImagePositionPatient = [-20.5, 10.25, -5.0]  # ct1's first slice (write_series' origin)
source_image = Dataset()
source_image.ReferencedSOPClassUID = CT
source_image.ReferencedSOPInstanceUID = ct1_sops[0]
derivation = Dataset()
derivation.SourceImageSequence = Sequence([source_image])
identification = Dataset()
identification.ReferencedSegmentNumber = 1
frame = Dataset()
frame.PlanePositionSequence = Sequence([position])
frame.DerivationImageSequence = Sequence([derivation])
frame.SegmentIdentificationSequence = Sequence([identification])
seg.PerFrameFunctionalGroupsSequence = Sequence([frame])
mask = np.zeros((5, 6), dtype=np.uint8)
mask[1:4, 2:5] = 1
seg.PixelData = np.packbits(mask.reshape(-1), bitorder="little").tobytes()
seg.save_as(os.path.join(out, "seg1.dcm"), write_like_original=False)
uids["seg1"] = {"study": study1, "series": seg_series, "sops": [seg.SOPInstanceUID],
                "mask_slice0": mask.reshape(-1).tolist()}  # rows x columns, column fastest

stow_series = uid()
stow = ct_slice(study2, stow_series, "P2", "stored by STOW", [0, 0, 0], [1, 0, 0, 0, 1, 0],
                [1.0, 1.0], rng.integers(0, 100, (4, 5)).astype(np.int16), 0, 1)
stow.save_as(os.path.join(out, "stow.dcm"), write_like_original=False)
uids["stow"] = {"study": study2, "series": stow_series, "sops": [stow.SOPInstanceUID]}

with open(os.path.join(out, "pacs.json"), "w") as f:
    json.dump(uids, f, indent=1)
