"""Saves argv[1] frozen (torch.jit.freeze: the weights become constants) as argv[2]; prints how
many parameters the frozen module has left.
"""
import sys

import torch

m = torch.jit.freeze(torch.jit.load(sys.argv[1], map_location='cpu').eval())
torch.jit.save(m, sys.argv[2])
print(len(list(m.parameters())))
