#!/usr/bin/env python3
"""Writes an SDR repository file for QEMU's ipmi-bmc-sim (sdrfile=): IPMI 2.0 Full Sensor
Records for analog sensors and Compact Sensor Records for discrete ones. QEMU 7.2 registers a
sensor (answers Get Sensor Reading) only for compact records, so every analog sensor also gets a
compact record with the same number; its full record carries the units and the linear
conversion (value = (M*raw + B*10^Bexp) * 10^Rexp) that ipmitool applies. The simulator's
readings start at raw 0, so B sets each sensor's value."""
import struct, sys

def header(rec_type, body):
    return struct.pack('<HBBB', 0, 0x51, rec_type, len(body)) + body

def idstr(name):
    b = name.encode()
    return bytes([0xC0 | len(b)]) + b

def compact(num, stype, rtype, name, assert_mask=0, entity=(0x07, 1), init=0x63):
    body = bytes([0x20, 0x00, num, entity[0], entity[1], init, 0x00, stype, rtype])
    body += struct.pack('<HHH', assert_mask, assert_mask, assert_mask)   # assert, deassert, discrete masks
    body += bytes([0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00])  # units1-3, sharing1-2, hyst+/-, reserved x3, OEM
    return header(0x02, body + idstr(name))

def full(num, stype, unit, b, bexp, rexp, name, entity=(0x0a, 1), thresholds=(0, 0, 0, 0, 0, 0)):
    body = bytes([0x20, 0x00, num, entity[0], entity[1], 0x7f, 0x68, stype, 0x01])
    body += struct.pack('<HHH', 0, 0, 0)        # no threshold events: the simulator evaluates none
    m = 1
    body += bytes([0x00, unit, 0x00, 0x00])     # units1 (unsigned), base unit, modifier, linear
    body += bytes([m & 0xff, (m >> 8) << 6])    # M, tolerance
    body += bytes([b & 0xff, ((b >> 8) & 0x3) << 6])  # B, accuracy
    body += bytes([0x00, ((rexp & 0xf) << 4) | (bexp & 0xf), 0x00])  # accuracy/direction, R/B exponents, analog flags
    body += bytes([0x00, 0x00, 0x00, 0xff, 0x00])  # nominal, normal max/min, sensor max/min
    body += bytes(thresholds) + bytes([0x00, 0x00, 0x00, 0x00, 0x00])  # thresholds, hysteresis, reserved x2, OEM
    return header(0x01, body + idstr(name))

VOLTS, DEGC, RPM, WATTS, AMPS = 4, 1, 18, 6, 5
out = b''
# The simulator's own watchdog sensor (number 0), as QEMU's default repository has it.
out += compact(0x00, 0x23, 0x6f, 'Watchdog', assert_mask=0x010f, entity=(0x00, 0))
analog = [
    (0x01, 0x02, VOLTS, 121, 0, -1, '12V'),
    (0x02, 0x02, VOLTS, 503, 0, -2, '5V'),
    (0x03, 0x02, VOLTS, 331, 0, -2, '3.3V'),
    (0x04, 0x0b, WATTS, 180, 0, 0, 'PSU1 Input Power'),
    (0x05, 0x01, DEGC, 38, 0, 0, 'Inlet Temp'),
    (0x06, 0x04, RPM, 84, 0, 2, 'FAN1'),
]
for num, stype, unit, b, bexp, rexp, name in analog:
    out += full(num, stype, unit, b, bexp, rexp, name)
    out += compact(num, stype, 0x01, name)
# Discrete sensors SEL entries refer to by number (QEMU 7.2 keeps at most 20 sensors: numbers 0-19).
out += compact(0x08, 0x08, 0x6f, 'PSU1 Status', assert_mask=0x007f, entity=(0x0a, 1))
out += compact(0x09, 0x0c, 0x6f, 'DIMM A1 ECC', assert_mask=0x003f, entity=(0x20, 1))
out += compact(0x0a, 0x07, 0x6f, 'CPU1 Status', assert_mask=0x07ff, entity=(0x03, 1))
sys.stdout.buffer.write(out)
