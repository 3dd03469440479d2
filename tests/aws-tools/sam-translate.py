"""Translates template.yaml with AWS SAM's own translator (the one CloudFormation runs) and prints the
CloudFormation JSON. Local paths become S3 locations first, as `sam package` would make them."""
import json
import sys

from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse


class NoManagedPolicies:
    """The template names no managed policy by name, so the translator never needs IAM."""

    def load(self):
        return {}


def to_s3(resource):
    properties = resource.get("Properties", {})
    if resource["Type"] == "AWS::Serverless::Function" and "CodeUri" not in properties:
        properties["CodeUri"] = "s3://build-bucket/code.zip"
    for key in ("CodeUri", "DefinitionUri"):
        if isinstance(properties.get(key), str):
            properties[key] = "s3://build-bucket/" + properties[key].strip("./") or "code.zip"


def main(path, parameters):
    with open(path, encoding="utf-8") as handle:
        template = yaml_parse(handle.read())
    globals_function = template.get("Globals", {}).get("Function", {})
    globals_function["CodeUri"] = "s3://build-bucket/code.zip"
    for resource in template["Resources"].values():
        to_s3(resource)
    output = transform(template, parameters, NoManagedPolicies())
    json.dump(output, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1], json.loads(sys.argv[2]) if len(sys.argv) > 2 else {})
