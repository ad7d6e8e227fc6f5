"""Parses a Prometheus text exposition (argv[1]) with prometheus_client's own parser and writes
what it found as JSON (argv[2]): per family its type and samples [name, labels, value].

Provenance: written for monailabel's /metrics test; Debian's python3-prometheus-client (the
reference Python client of Prometheus) is the independent parser, so a format error the Java side
makes fails here, not in code of ours.
"""
import json
import math
import sys

from prometheus_client.parser import text_string_to_metric_families

with open(sys.argv[1], encoding="utf-8") as f:
    text = f.read()
families = {}
for family in text_string_to_metric_families(text):
    samples = []
    for s in family.samples:
        value = s.value
        if isinstance(value, float) and (math.isinf(value) or math.isnan(value)):
            value = str(value)
        samples.append([s.name, dict(s.labels), value])
    families[family.name] = {"type": family.type, "samples": samples}
with open(sys.argv[2], "w", encoding="utf-8") as f:
    json.dump(families, f)
