"""The Python files as files: each compiles, parses as the oldest Python that runs it, and passes a
small lint (unused imports, undefined names, imports outside the standard library, standard-library
names newer than Python 3.9). Standard library only: no linter is installed where the tests run.

Where each file runs, hence the oldest grammar it may use:
- placeholder_service.py: Amazon Linux 2023's /usr/bin/python3 (userData.ts's ExecStart), which "will
  remain as Python 3.9 for the life of AL2023" (Amazon Linux 2023 User Guide, "Python in AL2023").
- home_probe.py: the Lambda runtime homeProbe.ts declares (aws.lambda.Runtime.Python3dNN), read from
  there. The tests run it on this machine's python3, so it also stays within that version.
`ast.parse(feature_version=...)` checks the grammar only (a "best-effort" attempt, says the ast module's
documentation); the list of newer names below holds the standard-library additions this kind of code
reaches for, not all of them. The lint reads sys.stdlib_module_names: these tests need python3 3.10 or
later, whatever the shipped files need.
"""
import ast
import builtins
import os
import py_compile
import re
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
COMPONENTS = os.path.dirname(HERE)


def read(*parts):
    with open(os.path.join(*parts), encoding="utf-8") as f:
        return f.read()


def lambda_runtime_version():
    """(3, NN) from the runtime homeProbe.ts gives its function."""
    found = re.findall(r"aws\.lambda\.Runtime\.Python(\d+)d(\d+)", read(COMPONENTS, "homeProbe.ts"))
    if len(found) != 1:
        raise AssertionError("homeProbe.ts names %d Lambda Python runtimes, expected 1" % len(found))
    return tuple(int(part) for part in found[0])


# What runs each shipped file: the oldest Python it must parse on, and the modules beyond the
# standard library that its runtime provides.
SHIPPED = {
    "placeholder_service.py": {"python": (3, 9), "provided": set()},
    "home_probe.py": {"python": lambda_runtime_version(), "provided": {"boto3", "botocore"}},
}

# Standard-library names added after Python 3.9, by the attribute, function or module name.
NEWER_THAN_3_9 = {
    "UTC": "datetime.UTC (3.11)",
    "aiter": "aiter() (3.10)",
    "anext": "anext() (3.10)",
    "bit_count": "int.bit_count() (3.10)",
    "pairwise": "itertools.pairwise (3.10)",
    "ExceptionGroup": "ExceptionGroup (3.11)",
    "TaskGroup": "asyncio.TaskGroup (3.11)",
    "StrEnum": "enum.StrEnum (3.11)",
    "file_digest": "hashlib.file_digest (3.11)",
    "tomllib": "tomllib (3.11)",
}


def dotted(node):
    """'a.b.c' for an attribute chain on a name, else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return ".".join([node.id] + parts[::-1])


def first_use(lines, name, line):
    lines[name] = min(line, lines.get(name, line))


def lint(source, filename="<source>", provided=None, oldest=None):
    """Problems as 'file:line: message'. `provided`: the non-standard modules the runtime has (None:
    imports are not checked); `oldest`: the oldest Python version (None: newer names are not checked)."""
    tree = ast.parse(source, filename)
    bound = set(dir(builtins)) | {"__file__"}
    imports = []
    reads = {}
    newer = {}
    problems = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                name = alias.asname or alias.name
                bound.add(name.split(".")[0])
                imports.append((name, node.lineno))
                module = (alias.name if isinstance(node, ast.Import) else node.module or "").split(".")[0]
                if provided is not None and getattr(node, "level", 0) == 0:
                    if module not in sys.stdlib_module_names and module not in provided:
                        message = "imports %s, which its runtime lacks" % module
                        problems.append("%s:%d: %s" % (filename, node.lineno, message))
                if oldest and oldest <= (3, 9):
                    for name in (module, alias.name):
                        if name in NEWER_THAN_3_9:
                            first_use(newer, name, node.lineno)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
        elif isinstance(node, ast.Name):
            if isinstance(node.ctx, ast.Load):
                first_use(reads, node.id, node.lineno)
            else:
                bound.add(node.id)
        elif isinstance(node, ast.Attribute):
            chain = dotted(node)
            if chain:
                for i in range(chain.count(".") + 1):
                    first_use(reads, ".".join(chain.split(".")[: i + 1]), node.lineno)
        if oldest and oldest <= (3, 9):
            name = getattr(node, "attr", None) or getattr(node, "id", None)
            if isinstance(node, (ast.Attribute, ast.Name)) and name in NEWER_THAN_3_9:
                first_use(newer, name, node.lineno)
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "zip":
                if any(keyword.arg == "strict" for keyword in node.keywords):
                    message = "zip(strict=) is newer than Python 3.9 (3.10)"
                    problems.append("%s:%d: %s" % (filename, node.lineno, message))
    for name, line in sorted(newer.items(), key=lambda item: item[1]):
        problems.append("%s:%d: %s is newer than Python 3.9" % (filename, line, NEWER_THAN_3_9[name]))
    for name, line in imports:
        if name not in reads:
            problems.append("%s:%d: %s imported but unused" % (filename, line, name))
    for name, line in sorted(reads.items(), key=lambda item: item[1]):
        if "." not in name and name not in bound:
            problems.append("%s:%d: undefined name %s" % (filename, line, name))
    return problems


class Lint(unittest.TestCase):
    def test_finds_what_it_is_for(self):
        source = "\n".join(
            [
                "import json",
                "import urllib.parse",
                "import urllib.request",
                "import yaml",
                "from datetime import UTC",
                "def f(a):",
                "    return urllib.parse.quote(a) + undefined_name + str(UTC) + str(yaml)",
            ]
        )
        self.assertEqual(
            lint(source, "x.py", provided=set(), oldest=(3, 9)),
            [
                "x.py:4: imports yaml, which its runtime lacks",
                "x.py:5: datetime.UTC (3.11) is newer than Python 3.9",
                "x.py:1: json imported but unused",
                "x.py:3: urllib.request imported but unused",
                "x.py:7: undefined name undefined_name",
            ],
        )

    def test_accepts_what_is_bound_anywhere(self):
        source = "\n".join(
            [
                "import http.client as client",
                "class C(Exception):",
                "    pass",
                "for i in range(2):",
                "    try:",
                "        raise C(client.OK)",
                "    except C as error:",
                "        seen = [j for j in (i, error)]",
                "print(seen, __name__, __file__)",
            ]
        )
        self.assertEqual(lint(source, "ok.py", provided=set(), oldest=(3, 9)), [])


class Sources(unittest.TestCase):
    def test_every_python_file_is_accounted_for(self):
        files = sorted(name for name in os.listdir(HERE) if name.endswith(".py"))
        tests = [name for name in files if name.startswith("test_")]
        self.assertEqual(sorted(set(files) - set(tests)), sorted(SHIPPED))

    def test_the_shipped_files_compile_and_parse_as_their_oldest_python(self):
        self.assertIn("ExecStart=/usr/bin/python3 ", read(COMPONENTS, "userData.ts"))
        with tempfile.TemporaryDirectory() as tmp:
            for name, runtime in SHIPPED.items():
                with self.subTest(name):
                    path = os.path.join(HERE, name)
                    py_compile.compile(path, cfile=os.path.join(tmp, name + "c"), doraise=True)
                    ast.parse(read(path), name, feature_version=runtime["python"])

    def test_the_shipped_files_pass_the_lint(self):
        for name, runtime in SHIPPED.items():
            with self.subTest(name):
                self.assertEqual(lint(read(HERE, name), name, runtime["provided"], runtime["python"]), [])

    def test_the_tests_pass_the_lint(self):
        for name in sorted(os.listdir(HERE)):
            if name.startswith("test_") and name.endswith(".py"):
                with self.subTest(name):
                    self.assertEqual(lint(read(HERE, name), name), [])


if __name__ == "__main__":
    unittest.main()
