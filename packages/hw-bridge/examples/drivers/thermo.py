#!/usr/bin/env python3
# The minimal Mesh driver printed in docs/DRIVERS.md (protocol 1): one sensor, one task.
import json, random, sys

def send(msg):
    print(json.dumps(msg), flush=True)

send({"type": "hello", "protocol": 1, "name": "thermo",
      "capabilities": {"temperature": True},
      "sensors": [{"id": "temperature", "kind": "temperature", "unit": "°C"}],
      "tasks": ["thermo.calibrate"]})

offset = 0.0
for line in sys.stdin:              # the bridge closes stdin to stop us
    try:
        req = json.loads(line)
    except ValueError:
        continue
    if req.get("type") == "read" and req.get("sensor") == "temperature":
        send({"id": req["id"], "type": "result", "value": round(20 + offset + random.random(), 2)})
    elif req.get("type") == "call" and req.get("task") == "thermo.calibrate":
        offset = float((req.get("args") or {}).get("offset", 0))
        send({"id": req["id"], "type": "result", "value": {"offset": offset}})
    elif req.get("type") in ("read", "call"):
        send({"id": req["id"], "type": "error", "message": "unknown request", "code": "NOT_FOUND"})
    # "cancel": every answer here is immediate, so there is nothing to cancel
