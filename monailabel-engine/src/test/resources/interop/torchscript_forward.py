"""Loads the TorchScript file argv[1] with torch, runs it in eval mode on the float32 .npy argv[2],
saves the output as the float32 .npy argv[3] and prints JSON facts: torch's version, the archive's
`version` entry (TorchScript file format) and the output's shape.
"""
import json
import sys
import zipfile

import numpy as np
import torch

model, given, saved = sys.argv[1:4]
with zipfile.ZipFile(model) as z:
    entries = [n for n in z.namelist() if n.endswith('/version') or n == 'version']
    file_format = z.read(entries[0]).decode().strip() if entries else None
m = torch.jit.load(model, map_location='cpu')
m.eval()
x = torch.from_numpy(np.load(given))
with torch.no_grad():
    out = m(x)
np.save(saved, out.numpy().astype(np.float32))
print(json.dumps({'torch': torch.__version__, 'file_format': file_format,
                  'shape': list(out.shape)}))
