"""Expands template.yaml's SAM transform offline with samtranslator and prints the
CloudFormation template as JSON. Usage: python3 translate.py TEMPLATE [PARAMETERS_JSON]"""
import json
import os
import sys

from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse


class NoManagedPolicies:
    """The template names no AWS managed policies, so none need looking up (that would call IAM)."""

    def load(self):
        return {}


def main():
    # The transform asks boto3 for a region to fill pseudo parameters; it calls no AWS API.
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    with open(sys.argv[1], encoding="utf-8") as f:
        template = yaml_parse(f.read())
    # A local CodeUri is `sam build`'s business; the transform itself wants an S3 location.
    # With --keep-code-uri, the output's Code is the local CodeUri again (for the artifact test).
    code_uris = {}
    for name, resource in template["Resources"].items():
        if resource.get("Type") == "AWS::Serverless::Function":
            code_uris[name] = resource["Properties"]["CodeUri"]
            resource["Properties"]["CodeUri"] = "s3://example-bucket/rotation-function.zip"
    parameters = json.loads(sys.argv[2]) if len(sys.argv) > 2 else {}
    output = transform(template, parameters, NoManagedPolicies())
    if "--keep-code-uri" in sys.argv:
        for name, uri in code_uris.items():
            output["Resources"][name]["Properties"]["Code"] = uri
            output["Resources"][name]["Metadata"] = template["Resources"][name].get("Metadata", {})
    json.dump(output, sys.stdout, indent=1)


if __name__ == "__main__":
    main()
