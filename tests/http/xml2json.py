#!/usr/bin/python3
"""xml2json.py: reads an Open311 XML answer on stdin with a real XML parser
(Python's expat) and writes it as the JSON of the Spark convention, with
every value as text, for the Open311 tests to compare with the JSON answer:
the root container and containers of one repeating child become arrays, an
empty element becomes null, and the root's name is kept as "_root". Exits 1
if the XML is not well formed or does not begin with the UTF-8 declaration."""
import json
import sys
import xml.etree.ElementTree as ET

CONTAINERS = {'services', 'service_requests', 'attributes', 'values', 'endpoints', 'formats', 'errors',
              'service_request_updates'}


def convert(el):
    kids = list(el)
    if el.tag in CONTAINERS:
        return [convert(k) for k in kids]
    if not kids:
        return el.text if el.text else None
    out = {}
    for k in kids:
        if k.tag in out:
            raise SystemExit('repeated element %s in %s' % (k.tag, el.tag))
        out[k.tag] = convert(k)
    return out


def main():
    raw = sys.stdin.buffer.read()
    if not raw.startswith(b'<?xml version="1.0" encoding="utf-8"?>'):
        print('no XML declaration', file=sys.stderr)
        sys.exit(1)
    root = ET.fromstring(raw)
    print(json.dumps({'_root': root.tag, 'value': convert(root)}))


if __name__ == '__main__':
    main()
