"""The Billing API's swagger files, loaded once each, with $ref chains followed.

Shared by the generators (gen_catalog.py, gen_ops_catalog.py): a reference
is "file#/json/pointer" (the file relative to the one holding the
reference, or under common-types/), a local "#/pointer", or a chain of
them; JSON pointer escapes (~1, ~0) are honoured.
"""

import json
import os


class SpecDocs:
    def __init__(self, root):
        self.root = os.path.abspath(root)
        self.docs = {}

    def load(self, path):
        """The JSON of one file, parsed once."""
        path = os.path.normpath(path)
        if path not in self.docs:
            with open(path) as f:
                self.docs[path] = json.load(f)
        return self.docs[path]

    def resolve(self, node, base):
        """Follow $ref chains: (node, file it lives in)."""
        for _ in range(50):
            if not (isinstance(node, dict) and "$ref" in node):
                return node, base
            fpart, _, frag = node["$ref"].partition("#")
            if fpart:
                if "common-types/" in fpart:
                    base = os.path.join(self.root, "common-types", fpart.split("common-types/", 1)[1])
                else:
                    base = os.path.join(os.path.dirname(base), fpart)
                base = os.path.normpath(base)
            target = self.load(base)
            for part in frag.strip("/").split("/"):
                if part:
                    target = target[part.replace("~1", "/").replace("~0", "~")]
            node = target
        raise ValueError("$ref loop at %s" % node.get("$ref"))
