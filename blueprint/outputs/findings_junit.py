"""`check --format junit`: one test suite per stack, one test case per relevant finding."""

from __future__ import annotations

from collections.abc import Sequence
from xml.etree import ElementTree as ET

from blueprint.outputs import OutputFormat, RenderOptions
from policies.findings import StackResult


def render(results: Sequence[StackResult], options: RenderOptions) -> str:
    suites = ET.Element("testsuites", name="blueprint check")
    for result in results:
        relevant = [f for f in result.findings if f.status != "not_applicable"]
        failures = [f for f in relevant if f.status == "fail"]
        errors = [f for f in relevant if f.status == "indeterminate" and not options.allow_indeterminate]
        suite = ET.SubElement(suites, "testsuite", name=result.stack, tests=str(len(relevant)),
                              failures=str(len(failures)), errors=str(len(errors)), time=f"{result.seconds:.3f}")
        for f in relevant:
            case = ET.SubElement(suite, "testcase", classname=f"{result.stack}.{f.rule}", name=f.urn or result.stack)
            if f.status == "fail":
                ET.SubElement(case, "failure", type=f"{f.severity}/{f.enforcement}", message=f.message).text = f.title
            elif f.status == "indeterminate":
                tag = "skipped" if options.allow_indeterminate else "error"
                ET.SubElement(case, tag, message=f.message)
            elif f.status == "waived":
                ET.SubElement(case, "skipped", message=f"waived: {f.waiver.summary if f.waiver else ''}")
    return ET.tostring(suites, encoding="unicode", xml_declaration=True)


FORMAT = OutputFormat(name="junit", kind="findings", suffix=".xml", description="JUnit XML", render=render)
