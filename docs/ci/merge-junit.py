#!/usr/bin/env python3
"""Merges JUnit files (one per shard) into one <testsuites> document.

Usage: merge-junit.py OUT.xml IN.xml...
Testsuites with the same name are combined and their counters summed, so the merged file
has one testcase per trial, exactly as if the suite had run unsharded.
"""
import sys
import xml.etree.ElementTree as ET

COUNTERS = ("tests", "failures", "errors", "skipped")


def main(out, inputs):
    suites = {}
    for path in inputs:
        root = ET.parse(path).getroot()
        for suite in root.iter("testsuite"):
            merged = suites.setdefault(
                suite.get("name"), ET.Element("testsuite", name=suite.get("name", ""))
            )
            merged.extend(suite.findall("testcase"))
    total = {c: 0 for c in COUNTERS}
    result = ET.Element("testsuites", name="kontrakt")
    for suite in suites.values():
        cases = suite.findall("testcase")
        counts = {
            "tests": len(cases),
            "failures": sum(1 for c in cases if c.find("failure") is not None),
            "errors": sum(1 for c in cases if c.find("error") is not None),
            "skipped": sum(1 for c in cases if c.find("skipped") is not None),
        }
        for name, value in counts.items():
            suite.set(name, str(value))
            total[name] += value
        result.append(suite)
    for name, value in total.items():
        result.set(name, str(value))
    ET.ElementTree(result).write(out, encoding="UTF-8", xml_declaration=True)
    print(f"{out}: {total['tests']} tests, {total['failures']} failures, "
          f"{total['errors']} errors, {total['skipped']} skipped")


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2:])
