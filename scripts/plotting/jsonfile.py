"""Reading actbench's JSON files strictly and validating them against docs/*.schema.json: shared by
scripts/plot_results.py and scripts/compare_reference.py.

read_json refuses, as an InputError (one line: what, where, how to fix), a path that is missing,
a directory, a device or pipe, a file over its size limit, bytes that are not UTF-8, text that is
not JSON, the bare tokens NaN, Infinity and -Infinity (not JSON, though Python's json module takes
them), a number too large for a double (1e400), a key given twice in one object and nesting deeper
than Python's parser goes. validate checks a document against a schema in docs/ with a Draft
2020-12 validator built once per schema and version. "format" is an annotation there, not checked:
merges made before this release wrote provenance.finished_at as "", which is no date-time.

Non-finite numbers: actbench.results/4 writes them as null (where the schema allows null);
actbench.results/5 as the strings "NaN", "Infinity" and "-Infinity". Both are read: for a file
whose version writes strings, those three strings count as numbers wherever the schema asks for a
number (and are compared as the floats they name: "-Infinity" is below a minimum of 0); for a file
whose version writes null, read with a schema of a version that does not, null counts as a number.
number() turns either form into a float.
"""
import copy
import hashlib
import json
import math
import os
import re
import stat
import sys

DOCS_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "docs")

MAX_BYTES = 256 << 20  # results.json of a large sweep is a few MB; this is 100 times that
NONFINITE = ("NaN", "Infinity", "-Infinity")

# The versions the scripts read, and how each writes a non-finite number.
RESULTS_VERSIONS = {"actbench.results/4": "null", "actbench.results/5": "string"}
SUMMARY_VERSIONS = {"actbench.summary/3": "null"}


class InputError(Exception):
    """Bad input: reported as one line, exit 2, nothing written."""


class SetupError(Exception):
    """This machine cannot run the script (no jsonschema, no schema file)."""


def number(v):
    """A JSON number as a float: null and the strings NaN/Infinity/-Infinity included."""
    if isinstance(v, str) and v in NONFINITE:
        return float(v)
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return math.nan
    return float(v)


def json_path(parts):
    """A location in a document as a JSONPath: $.runs[0].epochs[1].test_loss."""
    out = "$"
    for p in parts:
        if isinstance(p, int):
            out += "[%d]" % p
        elif re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", p):
            out += "." + p
        else:
            out += "[%s]" % json.dumps(p)
    return out


# ---- reading ----

class _Bad:
    """Left in the parsed document where the text holds something JSON does not allow."""

    def __init__(self, what, why):
        self.what = what
        self.why = why


def _find_bad(doc):
    """(path, _Bad) of the first _Bad in doc, iteratively (the document may be deep)."""
    stack = [((), doc)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, _Bad):
            return path, node
        if isinstance(node, dict):
            stack.extend(reversed([(path + (k,), v) for k, v in node.items()]))
        elif isinstance(node, list):
            stack.extend(reversed([(path + (i,), v) for i, v in enumerate(node)]))
    return (), _Bad("something", "not JSON")


def _parse(text):
    """json.loads, with a _Bad in place of what JSON forbids (and a count of them)."""
    bad = []

    def constant(token):
        bad.append(token)
        return _Bad("the bare token " + token, "not JSON; actbench writes a non-finite number as "
                    "null or as the string \"%s\"" % token)

    def finite_float(text_):
        v = float(text_)
        if math.isfinite(v):
            return v
        bad.append(text_)
        return _Bad("the number " + text_[:40], "too large for a double")

    def pairs(items):
        obj = dict(items)
        if len(obj) != len(items):
            seen = set()
            for key, _ in items:
                if key in seen:
                    bad.append(key)
                    obj[key] = _Bad("a key given twice",
                                    "which of the two counts is undefined")
                    break
                seen.add(key)
        return obj

    doc = json.loads(text, parse_constant=constant, parse_float=finite_float,
                     object_pairs_hook=pairs)
    return doc, bool(bad)


def read_json(path, what, fix, max_bytes=MAX_BYTES):
    """The parsed JSON file at path. what names it ("results file"); fix says how to get a good
    one. InputError for anything but a regular file of at most max_bytes holding strict JSON."""
    try:
        st = os.stat(path)
    except OSError as e:
        raise InputError("%s %s: %s (%s)" % (what, path, e.strerror or e, fix))
    if stat.S_ISDIR(st.st_mode):
        raise InputError("%s %s is a directory (give the file itself; %s)" % (what, path, fix))
    if not stat.S_ISREG(st.st_mode):
        raise InputError("%s %s is not a regular file (a device or pipe; %s)" % (what, path, fix))
    if st.st_size > max_bytes:
        raise InputError("%s %s is %d bytes, over the limit of %d MiB: not an actbench file (%s)"
                         % (what, path, st.st_size, max_bytes >> 20, fix))
    try:
        with open(path, "rb") as f:
            raw = f.read(max_bytes + 1)
    except OSError as e:
        raise InputError("cannot read %s %s: %s (%s)" % (what, path, e.strerror or e, fix))
    if len(raw) > max_bytes:
        raise InputError("%s %s grew past the limit of %d MiB while read (%s)"
                         % (what, path, max_bytes >> 20, fix))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise InputError("%s %s is not UTF-8 text (byte %d: %s), so not JSON (%s)"
                         % (what, path, e.start, e.reason, fix))
    try:
        doc, bad = _parse(text)
    except json.JSONDecodeError as e:
        raise InputError("%s %s is not JSON: %s at line %d column %d (%s)"
                         % (what, path, e.msg, e.lineno, e.colno, fix))
    except RecursionError:
        raise InputError("%s %s nests too deeply for this parser (an actbench file nests about "
                         "ten levels; %s)" % (what, path, fix))
    except ValueError as e:  # e.g. an integer of more than 4300 digits
        raise InputError("%s %s is not JSON that can be read: %s (%s)" % (what, path, e, fix))
    if bad:
        where, node = _find_bad(doc)
        raise InputError("%s %s holds %s at %s: %s (%s)"
                         % (what, path, node.what, json_path(where), node.why, fix))
    return doc


# ---- validation ----

_NUMBERS = (int, float)  # what json.loads makes of a number (bool is neither)


def _json_types(tokens, null):
    """JSON Schema's types as plain predicates (jsonschema's own go through a persistent map:
    slow, called for every value), with "number" for a file whose non-finite numbers are the
    strings (tokens) or null (null)."""
    if tokens:
        def is_number(v):
            return type(v) in _NUMBERS or (type(v) is str and v in NONFINITE)
    elif null:
        def is_number(v):
            return type(v) in _NUMBERS or v is None
    else:
        def is_number(v):
            return type(v) in _NUMBERS
    return {
        "number": is_number,
        "integer": lambda v: type(v) is int or (type(v) is float and v.is_integer()),
        "string": lambda v: type(v) is str,
        "boolean": lambda v: type(v) is bool,
        "null": lambda v: v is None,
        "array": lambda v: type(v) is list,
        "object": lambda v: type(v) is dict,
    }


# Schema keywords that a value the fast path may check alone can carry (annotations included).
_LEAF_KEYS = {"type", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "enum",
              "description", "title"}


class _Leaves:
    """A fast yes for the many scalar values (an epoch's losses, a layer's gradient norm): a
    check of a subschema holding only type, bounds and enum. A value it does not surely pass
    goes through jsonschema itself, which decides and words the error. About twice as fast on a
    results.json of a few MB as jsonschema alone."""

    def __init__(self, types):
        self.types = types
        self.cache = {}

    def check(self, schema):
        """A function value -> True when schema surely accepts value; None when schema is not
        a leaf."""
        entry = self.cache.get(id(schema))
        if entry is None:
            entry = self.cache[id(schema)] = (schema, self._compile(schema))
        return entry[1]

    def _compile(self, schema):
        if type(schema) is not dict or "type" not in schema or not set(schema) <= _LEAF_KEYS:
            return None
        types = [schema["type"]] if type(schema["type"]) is str else list(schema["type"])
        if not all(t in self.types for t in types):
            return None
        checks = tuple(self.types[t] for t in types)
        lo, hi = schema.get("minimum"), schema.get("maximum")
        above, below = schema.get("exclusiveMinimum"), schema.get("exclusiveMaximum")
        bounded = any(b is not None for b in (lo, hi, above, below))
        choices = schema.get("enum")

        def passes(v):
            for check in checks:
                if check(v):
                    break
            else:
                return False
            if bounded and v is not None:
                if type(v) not in _NUMBERS:  # "NaN", "Infinity": jsonschema decides
                    return False
                if (lo is not None and v < lo) or (hi is not None and v > hi) or \
                        (above is not None and v <= above) or (below is not None and v >= below):
                    return False
            return choices is None or any(v == c and type(v) is type(c) for c in choices)
        return passes


def _make_validator_class(tokens, null):
    import jsonschema
    from jsonschema import validators

    base = jsonschema.Draft202012Validator
    types = _json_types(tokens, null)
    type_checker = base.TYPE_CHECKER.redefine_many(
        {name: (lambda check: lambda _, v: check(v))(check) for name, check in types.items()})
    leaves = _Leaves(types)
    keywords = dict(base.VALIDATORS)

    def type_(validator, allowed, instance, schema):  # jsonschema's, with the plain predicates
        allowed = [allowed] if isinstance(allowed, str) else allowed
        if not any(types[t](instance) for t in allowed):
            yield jsonschema.ValidationError("%r is not of type %s"
                                             % (instance, ", ".join(map(repr, allowed))))

    def as_float(original):  # bounds compare a "NaN"/"Infinity" string as its float
        def check(validator, bound, instance, schema):
            if isinstance(instance, str) or instance is None:
                if not validator.is_type(instance, "number"):
                    return
                instance = number(instance)
            yield from original(validator, bound, instance, schema)
        return check

    def properties(validator, props, instance, schema):
        if not isinstance(instance, dict):
            return
        for name, sub in props.items():
            if name in instance:
                fast = leaves.check(sub)
                if fast is None or not fast(instance[name]):
                    yield from validator.descend(instance[name], sub, path=name,
                                                 schema_path=name)

    def items(validator, sub, instance, schema):
        if not isinstance(instance, list) or "prefixItems" in schema or \
                not isinstance(sub, dict):
            yield from keywords["items"](validator, sub, instance, schema)
            return
        fast = leaves.check(sub)
        for index, item in enumerate(instance):
            if fast is None or not fast(item):
                yield from validator.descend(item, sub, path=index)

    changed = {k: as_float(keywords[k])
               for k in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")}
    changed.update(properties=properties, items=items, type=type_)
    return validators.extend(base, validators=changed, type_checker=type_checker)


_validators = {}


def _validator(schema_file, versions, version):
    """The validator of docs/<schema_file> for a file of `version` (one of `versions`), built
    once: the schema's own version constant widened to every version read."""
    form = versions.get(version) if versions else None
    key = (schema_file, form)
    if key in _validators:
        return _validators[key]
    try:
        import jsonschema
    except ImportError:
        raise SetupError("jsonschema is not installed for this Python (Debian: apt-get install "
                         "python3-jsonschema, then run this script with /usr/bin/python3)")
    path = os.path.join(DOCS_DIR, schema_file)
    try:
        with open(path, "rb") as f:
            schema = json.loads(f.read().decode("utf-8"))
        own = schema["properties"]["schema"].get("const") if versions else None
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as e:
        raise SetupError("cannot read the schema %s: %s" % (path, e))
    if versions:
        schema = copy.deepcopy(schema)
        schema["properties"]["schema"] = {"enum": sorted(versions)}
    cls = _make_validator_class(tokens=form == "string",
                                null=form == "null" and versions.get(own) != "null")
    _validators[key] = (cls(schema), jsonschema.exceptions.best_match)
    return _validators[key]


_JSON_TYPES = {list: "array", str: "string", int: "number", float: "number", bool: "boolean",
               type(None): "null"}


def check_version(doc, path, what, versions, fix):
    """The document's "schema" if it is one of versions, else InputError."""
    found = doc.get("schema") if isinstance(doc, dict) else None
    if isinstance(found, str) and found in versions:
        return found
    if not isinstance(doc, dict):
        has = "is a JSON %s, not an object" % _JSON_TYPES.get(type(doc), "value")
    elif found is None:
        has = "has no 'schema' key"
    else:
        has = "has schema %s" % json.dumps(found)[:80]
    raise InputError("%s %s %s; %s reads %s (%s)" % (
        what, path, has, os.path.basename(sys.argv[0]) or "this script",
        " or ".join(sorted(versions)), fix))


def validate(doc, path, what, schema_file, fix, versions=None):
    """InputError naming the first place where doc does not match docs/<schema_file>. versions:
    the schema versions read ({version: how it writes non-finite numbers}), checked first."""
    version = None
    if versions:
        version = check_version(doc, path, what, versions, fix)
    validator, best_match = _validator(schema_file, versions, version)
    error = best_match(validator.iter_errors(doc))
    if error is None:
        return
    message = " ".join(error.message.split())
    if len(message) > 160:
        message = message[:157] + "..."
    raise InputError("%s %s does not match docs/%s at %s: %s (%s)"
                     % (what, path, schema_file, json_path(error.absolute_path), message, fix))


# ---- checksums ----

def _canonical_float(v):
    """v as nlohmann::json's dump() writes a double: the shortest text that round-trips (as
    Python's repr), but in exponent notation from 1e15 on where Python waits until 1e16."""
    text = repr(v)
    if 1e15 <= abs(v) < 1e16 and "e" not in text:
        digits = text.lstrip("-").split(".")[0].rstrip("0")
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        text = ("-" if v < 0 else "") + mantissa + "e+15"
    return text


def _canonical(doc, out):
    """Appends the canonical text of doc (nlohmann::json's compact dump(): keys sorted, no
    spaces, UTF-8 kept, non-finite numbers as null) to the list out."""
    if isinstance(doc, dict):
        out.append("{")
        for i, key in enumerate(sorted(doc)):
            out.append(("," if i else "") + json.dumps(key, ensure_ascii=False) + ":")
            _canonical(doc[key], out)
        out.append("}")
    elif isinstance(doc, list):
        out.append("[")
        for i, v in enumerate(doc):
            if i:
                out.append(",")
            _canonical(v, out)
        out.append("]")
    elif isinstance(doc, float):
        out.append(_canonical_float(doc) if math.isfinite(doc) else "null")
    else:  # str, int, bool, None
        out.append(json.dumps(doc, ensure_ascii=False))


def checksum_problem(doc):
    """None when doc carries no checksum (an earlier actbench wrote it) or one its content
    matches; else what is wrong. The checksum is src/util/json_checksum.h's: "sha256:" and the
    SHA-256 of the canonical text of doc without its "checksum" member."""
    if not isinstance(doc, dict) or "checksum" not in doc:
        return None
    stated = doc["checksum"]
    out = []
    _canonical({k: v for k, v in doc.items() if k != "checksum"}, out)
    digest = "sha256:" + hashlib.sha256("".join(out).encode("utf-8")).hexdigest()
    if stated != digest:
        return "its content does not match its checksum (changed after actbench wrote it)"
    return None


def load(path, what, schema_file, fix, versions=None, max_bytes=MAX_BYTES):
    """read_json, the checksum, then validate: the document, or InputError."""
    doc = read_json(path, what, fix, max_bytes)
    problem = checksum_problem(doc)
    if problem is not None:
        raise InputError("%s %s is damaged: %s; rerun the sweep (or `actbench merge` its runs/) "
                         "to rebuild it, or ask for an intact copy" % (what, path, problem))
    validate(doc, path, what, schema_file, fix, versions)
    return doc
