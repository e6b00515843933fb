#!/usr/bin/env python3
"""A Mesh driver for a DHT22 temperature/humidity sensor (docs/DRIVERS.md, protocol 1).

On a Raspberry Pi with `pip install adafruit-circuitpython-dht` it reads the sensor on
GPIO --pin (BCM numbering, default 4). With --simulate it needs nothing and makes up
plausible values, for trying the bridge without hardware.

  drivers: [{ "name": "dht22", "command": "python3",
              "args": ["examples/drivers/dht22.py", "--pin", "4"], "timeoutMs": 10000 }]
"""
import argparse
import json
import math
import random
import sys
import time

MIN_INTERVAL_S = 2.0  # a DHT22 cannot be read more often than this


def send(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


class Simulated:
    """A slow daily-ish swing plus a little noise."""

    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.t0 = time.monotonic()

    def measure(self):
        phase = (time.monotonic() - self.t0) / 600 * 2 * math.pi
        temperature = 21.0 + 1.5 * math.sin(phase) + self.rng.gauss(0, 0.1)
        humidity = 45.0 - 5.0 * math.sin(phase) + self.rng.gauss(0, 0.5)
        return round(temperature, 1), round(min(max(humidity, 0.0), 100.0), 1)


class Dht22:
    def __init__(self, pin):
        import adafruit_dht  # imported here so --simulate needs no library
        import board

        self.device = adafruit_dht.DHT22(getattr(board, f"D{pin}"), use_pulseio=False)

    def measure(self):
        error = None
        for _ in range(2):  # checksum errors and missed edges are routine; one retry
            try:
                temperature, humidity = self.device.temperature, self.device.humidity
                if temperature is not None and humidity is not None:
                    return temperature, humidity
            except RuntimeError as e:
                error = e
            time.sleep(MIN_INTERVAL_S + 0.1)
        raise RuntimeError(f"no valid reading from the DHT22: {error}")


class Cached:
    """One measurement answers both sensors, and the DHT22's minimum interval is kept."""

    def __init__(self, sensor):
        self.sensor, self.value, self.at = sensor, None, 0.0

    def get(self):
        if self.value is None or time.monotonic() - self.at >= MIN_INTERVAL_S:
            self.value, self.at = self.sensor.measure(), time.monotonic()
        return self.value


def answer(request, sensor):
    rid, kind = request.get("id"), request.get("type")
    if kind == "cancel":
        return  # every answer here is synchronous; nothing to cancel
    if kind == "read" and request.get("sensor") in ("temperature", "humidity"):
        field = request["sensor"]
    elif kind == "call" and request.get("task") == "dht22.read":
        field = None  # both
    else:
        what = request.get("sensor") or request.get("task")
        return send({"id": rid, "type": "error", "message": f"no {kind} {what!r} here", "code": "NOT_FOUND"})
    try:
        temperature, humidity = sensor.get()
    except RuntimeError as e:
        return send({"id": rid, "type": "error", "message": str(e), "code": "UNAVAILABLE"})
    both = {"temperature": temperature, "humidity": humidity}
    send({"id": rid, "type": "result", "value": both if field is None else both[field]})


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pin", type=int, default=4, help="BCM GPIO pin (default 4)")
    parser.add_argument("--simulate", action="store_true", help="make up values instead of reading a sensor")
    parser.add_argument("--seed", type=int, default=None, help="seed for --simulate")
    options = parser.parse_args()
    try:
        sensor = Cached(Simulated(options.seed) if options.simulate else Dht22(options.pin))
    except Exception as e:  # no library, or not a board Blinka knows
        print(f"dht22: {e}; install adafruit-circuitpython-dht, or pass --simulate", file=sys.stderr)
        return 1
    send({
        "type": "hello",
        "protocol": 1,
        "name": "dht22",
        "capabilities": {"dht22": True, "temperature": True, "humidity": True},
        "sensors": [
            {"id": "temperature", "kind": "temperature", "unit": "°C"},
            {"id": "humidity", "kind": "humidity", "unit": "%"},
        ],
        "tasks": ["dht22.read"],
    })
    if options.simulate:
        send({"type": "log", "level": "info", "msg": "simulating a DHT22"})
    for line in sys.stdin:  # ends when the bridge closes stdin
        try:
            request = json.loads(line)
        except ValueError:
            send({"type": "log", "level": "warn", "msg": "ignored a line that is not JSON"})
            continue
        answer(request, sensor)
    return 0


if __name__ == "__main__":
    sys.exit(main())
