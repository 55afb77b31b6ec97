"""TensorFlow's C++ protobuf (what TensorFlow's Python tools parse GraphDefs with), timed on a file.

Run by bench/anchor.ts with the Python classes protoc generated from graft's own proto/ on
sys.path. Modes:
  time FILE N      in-process: N parses and N parse+serialize rounds; prints medians (ms) as JSON
  parse FILE       a whole process that reads and parses FILE (what `graft summarize` is compared to)
  roundtrip IN OUT a whole process that parses IN, serializes it and writes OUT
Every mode prints the process's peak RSS (KiB) in its JSON line.
"""
import json
import resource
import statistics
import sys
import time

from google.protobuf.internal import api_implementation

import graph_pb2  # generated from graft's proto/graph.proto


def peak_kib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main():
    mode = sys.argv[1]
    with open(sys.argv[2], "rb") as f:
        data = f.read()
    out = {"implementation": api_implementation.Type()}
    if mode == "time":
        n = int(sys.argv[3])
        parse, both = [], []
        for _ in range(n):
            t = time.perf_counter()
            g = graph_pb2.GraphDef.FromString(data)
            parse.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            g = graph_pb2.GraphDef.FromString(data)
            b = g.SerializeToString()
            both.append((time.perf_counter() - t) * 1000)
            assert len(b) == len(data)
        out.update(parse_ms=statistics.median(parse), parse_serialize_ms=statistics.median(both), nodes=len(g.node))
    elif mode == "parse":
        g = graph_pb2.GraphDef.FromString(data)
        out.update(nodes=len(g.node))
    elif mode == "roundtrip":
        g = graph_pb2.GraphDef.FromString(data)
        with open(sys.argv[3], "wb") as f:
            f.write(g.SerializeToString())
        out.update(nodes=len(g.node))
    else:
        raise SystemExit("unknown mode " + mode)
    out["peak_kib"] = peak_kib()
    print(json.dumps(out))


main()
