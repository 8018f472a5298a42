"""Turn a literal error message into a readable regex that recognises the same error next time.

The stable words of the message stay literal (escaped only where the regex
syntax needs it, so they read as text). The parts that change from run to run
become bounded wildcards, each a fixed, recognisable idiom:

- quoted name ``'Cumsum'``, ``"dense"``, `` `T` ``  →  ``'[^']{1,200}'`` (same quote)
- tensor shape ``[1, 224, 224, 3]``, ``(None, 32)``  →  ``\\[[^\\]]{0,200}\\]``, ``\\([^)]{0,200}\\)``
- memory size ``2.00 GiB``  →  ``\\d[\\d.,]{0,20} ?[KkMGTPE]i?B``; byte count ``65536 bytes``
- shared-library suffix ``libcudart.so.11.0``  →  ``libcudart\\.so[\\d.]{0,20}``
- hex address ``0x7f3a2c``  →  ``0x[0-9a-fA-F]{1,16}``; long hex ids and UUIDs
- file path ``/usr/lib/x.py``, ``src/main.c``  →  ``[^\\s:'"]{1,300}``; Windows paths, URLs alike
- number or version ``12``, ``2.7.0``  →  ``\\d[\\d.]{0,30}``
- version with a suffix ``2.1.0+cu118``, or any version after ``==``/``>=``  →  ``\\d[\\w.+-]{0,40}``
- dimensions ``64x512``  →  ``\\d[\\dx]{0,60}``
- author placeholder ``<some type>``, ``{OPNAME}``, ``[long path name]``  →  ``.{1,200}``; ``XXX``  →  ``\\S{1,100}``
- a run of whitespace other than one space (newline, tab)  →  ``\\s+``
- known structures: package requirements and specs (pip ``torch==1.8.1``, npm ``react@"^17.0.0"``), host names,
  IP addresses and ``host:port``, socket URLs, container images, Maven coordinates, AWS ARNs, Go module paths,
  dotted class/module names (an exception type stays literal), linker ``-lssl``, devices ``cuda:0``/``cpu``,
  operators ``+``/``+=``, signed numbers ``-1``, durations ``30s``/``0.03s``, times and dates, TensorFlow op
  names ``[Op:Mul]``, ``key=VALUE`` fields, function names before ``()``, lists of these (``a==1 and a==2``)
- a name introduced by the noun that says what it is (``refspec main``, ``on project api-gateway:``,
  ``no such table: tbl``), and a word in a position that the reference corpus (``regex/reference``) shows
  varying between occurrences of one error, or holding a placeholder in a canonical signature
  (`kbtool.regex.parts.learned_slot_contexts`)
- what a tool prints before the error is left out (the regex is searched): a log level (``ERROR: ``,
  ``fatal: ``), a compiler location (``./main.go:8:2: ``), a glog prefix; ``make[N]:`` and a shell's
  ``bash: <command>:`` are generalised

With ``known`` (the signatures of a KB's records), a part that would make the regex match another known
error stays literal, leftmost first: a record for ``module 'tensorflow' has no attribute 'Session'``
keeps ``'numpy'`` literal in ``module 'numpy' has no attribute 'float'``. A message that would be left
with only a generic exception name (``ValueError: 'abc'``) stays literal.

Every quantifier is bounded except ``\\s+``, which is never nested; where
``\\s+`` next to wide wildcards could still chain into slow backtracking (as
`kbtool.regexes.catastrophic_shape` judges it), whitespace runs become
``\\s{1,20}``, and failing that the message stays literal. Each wildcard is
checked to match the text it replaces. The result always matches the message it
came from (it is searched, not anchored), also when the message goes on (closing
punctuation at its very end is left out); it never matches the empty string or a
text that names no specific error (`kbtool.regex.generic.GENERIC_TEXTS`): when too
little stable text would remain, the regex is the literal message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable

#: The schema caps `regex` at 2000 characters; longer results keep a prefix of the message.
MAX_REGEX_LENGTH = 2000
#: Only the beginning of a longer message is scanned: no more of it can fit in MAX_REGEX_LENGTH.
MAX_SCANNED_CHARS = 10_000
#: Fewer literal letters than this (outside wildcards) and the regex would match generic text.
MIN_LITERAL_LETTERS = 6

# Characters that have a meaning in a regex outside a character class.
_SPECIAL = set("\\.^$*+?{}[]()|")

# Python's own angle-bracket names (`File "<stdin>"`, `<module>`), not author placeholders.
_LITERAL_ANGLE_NAMES = {
    "unknown", "stdin", "module", "lambda", "string", "genexpr", "listcomp", "dictcomp", "setcomp",
    "frozen", "locals", "input", "console", "anonymous", "eval", "exec", "native", "null", "none",
    "empty", "builtin", "built-in", "frozen importlib._bootstrap",
}

WILDCARDS = {
    "quoted name": None,  # built from the quote characters, see _quoted_wildcard
    "tensor shape": None,  # built from the bracket, see _shape_wildcard
    "memory size": r"\d[\d.,]{0,20} ?[KkMGTPE]i?B",
    "memory size placeholder": r"[\w.,]{1,20} ?[KkMGTPE]i?B",
    "short memory size": r"\d[\d.]{0,20}[KMGT]",
    "library version": r"[\d.]{0,20}",
    "byte count": r"\d[\d,]{0,25} bytes",
    # Pointers are printed with or without `0x` (Windows' %p has none): `0x7f90d3a00000`, `00000265CEB76EB0`.
    "hex address": r"(?:0x)?[0-9a-fA-F]{1,16}",
    # UUIDs, hex digests and the base-36 ids of BuildKit/Docker: any of them in the same place.
    "hex id": r"[0-9A-Za-z-]{8,64}",
    "file path": "[^\\s:'\"]{1,300}",
    "windows path": "[A-Za-z]:[^\\s:'\"]{1,300}",
    "URL": "https?://[^\\s'\"]{1,300}",
    "socket URL": "[a-z][a-z0-9+.-]{0,20}://[^\\s'\"]{1,300}",
    "dimensions": r"\d[\dx]{0,60}",
    "number": r"\d[\d.]{0,30}",
    "signed number": r"-?\d[\d.]{0,30}",
    "version": r"\d[\w.+-]{0,40}",
    "placeholder": r".{1,200}",
    "placeholder word": r"\S{1,100}",
    "whitespace": r"\s+",
    "timestamp": r"\d[\d:.,T-]{0,30}",
    "log level and date": r"[IWEF]\d{3,4}",
    "process rank": r"rank\d{1,6}",
    "duration": r"\d[\d.hmsµun]{0,30}",
    "host": r"[\w.:\[\]-]{1,260}",
    "package path": r"[\w.@/+~-]{1,300}",
    "package spec": r'(?:@[\w.-]{1,100}/)?[\w.-]{1,100}@(?:"[^"\n]{1,100}"|[\w.^~<>=*+-]{1,100})',
    "package requirement": r"[\w.\[\]-]{1,100}(?:,?[=<>~!]{1,3}[\w.*+-]{1,40}){0,6}(?:; [^,\n]{1,200})?",
    "package and version": r"[\w.-]{1,100} \d[\w.+-]{0,40}",
    "Maven coordinates": r"[\w.-]{1,100}(?::[\w.-]{1,100}){2,4}",
    "cloud resource name": r"arn:aws[\w-]{0,20}:[^\s]{1,300}",
    "container image": r"[\w.:/@-]{1,300}",
    "class name": r"[\w$.-]{1,300}",
    "library": r"-l[\w.:+-]{1,100}",
    "device": r"(?:cuda|cpu|mps|xpu|hip|meta|xla|npu)(?::\d{1,3})?",
    "network": r"(?:tcp|udp|ip)[46]?",
    "operator": r"[-+*/%@&|^~<>=]{1,3}",
    "yes or no": r"[A-Za-z]{2,5}",
    "platform": r"(?:OS X|macOS|Darwin|Windows|Linux|FreeBSD|OpenBSD)",
    "dtype": r"(?:float|int|uint|complex|bfloat)\d{1,3}",
    "object": r"\{[^{}\n]{0,500}\}",
    "make rule": r"\[[^\]\n:]{1,300}:\d{1,7}: [^\]\n]{1,300}\]",
    "make level": r"make(?:\[\d{1,3}\])?:",
    "quoted command": r"'.{1,500}'",
    "name": r"[\w.@/+~-]{1,200}",
    "function": r"[\w.<>]{1,200}",
    "op name": r"\w{1,100}",
    "log prefix": "",
    "module": r"[\w.]{1,200}",
    "field value": r"\w{1,100}",
    "names": r"[\w.@/+~-]{1,200}(?:, [\w.@/+~-]{1,200}){0,20}",
    "list": r"[\w.,+ =<>!~\[\]-]{1,2000}",
    # Left out of the regex (it is searched, so it still matches): the prefix a tool prints before the error.
    "log level": "",
    "source location": "",
}

_QUOTES = {"'": "'", '"': '"', "`": "`", "\u2018": "\u2019", "\u201c": "\u201d"}

_SOURCE_EXTENSIONS = (
    "c|cc|cpp|cxx|cu|cuh|h|hh|hpp|hxx|m|mm|py|pyx|pxd|pyi|js|mjs|cjs|ts|tsx|jsx|go|rs|java|kt|kts|scala|"
    "rb|php|cs|swift|cmake|txt|json|yaml|yml|toml|cfg|ini|xml|gradle|so|dll|dylib|a|lib|whl|o|obj|sh|bat|"
    "ps1|ipynb|pb|tflite|onnx|pt|pth|h5|keras|ckpt|bin|log|md|html|css|proto|sql|mlir|td|pbtxt|lock|zip|tar|gz"
)
_EXTENSIONS = frozenset(_SOURCE_EXTENSIONS.split("|")) | {"sum", "mod", "sock", "exe", "jar", "war", "class"}

# Top-level domains of host names seen in error messages (a host without one is found by its context).
_TLDS = ("com|org|net|io|cn|dev|info|xyz|co|uk|de|jp|ru|fr|in|me|ai|app|cloud|edu|gov|us|eu|nl|sh|ly|cc|tv|"
         "local|internal|localdomain|amazonaws\\.com")
_HOST = (r"(?:localhost|\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-fA-F:]{2,39}\]"
         r"|(?:[A-Za-z0-9](?:[\w-]{0,61}[A-Za-z0-9])?\.){1,10}(?:" + _TLDS + r"))")

# One scanner: at each position the first alternative that matches wins (their order is the priority).
# Each alternative is a kind of run-specific value; the comment says which messages carry it.
_SCANNER = re.compile(
    r"""
    (?P<url>(?:https?|tcp|unix|ssh|git|ftp|wss?|file|s3|gs)://[^\s'"<>]{1,300})
    # glog / PyTorch c10 log prefix: `[E626 06:24:44.903881913 ProcessGroupNCCL.cpp:616]`, `[rank1]:`
  | (?P<glog>(?<=\[)[IWEF]\d{3,4}(?=\ \d))
  | (?P<rank>(?<=\[)rank\d{1,6}(?=\]))
  | (?P<timestamp>(?<![\w:.-])(?:\d{4}-\d{2}-\d{2}(?:[T\ ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?)?|\d{1,2}:\d{2}:\d{2}(?:[.,]\d{1,9})?)(?![\w:]))
    # AWS resource names: `arn:aws:iam::594601234567:user/name`
  | (?P<arn>(?<![\w])arn:aws[\w-]{0,20}:[^\s]{1,300})
    # Maven coordinates: `com.bugvm:bugvm-compiler:jar:1.0.0.0-SNAPSHOT`, `org.apache.maven.plugins:maven-compiler-plugin:3.1:compile`
  | (?P<maven>(?<![\w.:-])[a-z][\w-]{0,60}(?:\.[\w-]{1,60}){1,10}:[A-Za-z][\w.-]{0,100}(?::[\w.-]{1,100}){1,3}(?![\w.-]))
    # npm and Go module specs: `react@"^16.8.0"`, `@material-ui/core@4.3.2`, `golang.org/x/net@v0.0.0-2019`
  | (?P<npmspec>(?<![\w@/.-])(?:@[\w.-]{1,100}/)?[A-Za-z0-9][\w.-]{0,100}(?:/[\w.-]{1,100}){0,5}@(?:"[^"\n]{1,100}"|v?\d[\w.+-]{0,60}|[\^~][\w.+-]{1,60}))
    # pip requirement specs: `torch==1.8.1`, `numpy<1.22,>=1.18`, `numpy<2.1.0,>=2.0.0; python_version >= "3.9"`
  | (?P<requirement>(?<![\w.@/-])[A-Za-z0-9][\w.-]{0,100}(?:\[[\w,.-]{1,100}\])?(?:===?|>=|<=|~=|!=|<|>)[\w.*+-]{1,40}(?:,(?:===?|>=|<=|~=|!=|<|>)[\w.*+-]{1,40}){0,5}(?:;\ [^,\n]{1,200}(?=,\ ))?)
    # pip's dependency report: `numba 0.55.1 requires ..., but you have numpy 1.22.3 which is incompatible`
  | (?P<pkgver>(?:^|(?<=you\ have\ ))[a-z][\w.-]{1,100}\ \d{1,9}(?:\.\d{1,9}){1,4}[\w.+-]{0,20}(?=\ ))
  | (?P<size>(?<![\w.])(?:\d{1,12}(?:\.\d{1,8})?|X{2,8}|x{2,8})\ ?[KkMGTPE]i?B(?![\w]))
    # sizes that allocators print without the B: TensorFlow's `failed to allocate 7.81G (8387559424 bytes)`
  | (?P<shortsize>(?<![\w.])\d{1,12}\.\d{1,8}[KMGT](?![\w.]))
  | (?P<soversion>(?<=\.so)(?:\.\d{1,9}){1,4}(?![\w]))
  | (?P<bytes>(?<![\w.])\d{1,3}(?:,\d{3}){0,7}\ bytes\b|(?<![\w.])\d{1,25}\ bytes\b)
    # linker flags: `cannot find -lssl`, `library not found for -lglut`
  | (?P<libflag>(?<![\w-])-l[A-Za-z_][\w.:+-]{0,100}(?![\w.:+-]))
    # make's recipe location: `make: *** [Makefile:60: file_disvar.o] Error 1`
  | (?P<makerule>(?<=\*\*\*\ )\[[^\]\n:]{1,300}:\d{1,7}:\ [^\]\n]{1,300}\])
  | (?P<angle><[a-z][a-z_ -]{0,40}>)
  | (?P<brace>\{[A-Za-z_][A-Za-z0-9_]{0,40}\})
    # an object or document printed in the message: MongoDB's `dup key: { : "e5a5" }`
  | (?P<object>\{\ [^{}\n]{0,500}\ \})
  | (?P<bracket_words>\[[a-z]{2,20}(?:\ [a-z]{1,20}){1,6}\])
    # a Python list or tuple repr inside quotes: `Command '['where', 'cl']' returned ...`
  | (?P<reprlist>(?<![\w])'[\[(][^\n]{0,500}?[\])]'(?![\w]))
  | (?P<quoted>(?<![\w])(?:'[^'\n]{0,200}'|"[^"\n]{0,200}"|`[^`'\n]{1,200}[`']|\u2018[^\u2019\n]{1,200}\u2019|\u201c[^\u201d\n]{1,200}\u201d)(?![\w]))
  | (?P<shape>\[\s{0,3}(?:(?:-?\d{1,12}|None|\?)\s{0,3}(?:,\s{0,3}(?:-?\d{1,12}|None|\?)\s{0,3}){0,15},?\s{0,3})?\]
              |\(\s{0,3}(?:-?\d{1,12}|None|\?)\s{0,3}(?:,\s{0,3}(?:-?\d{1,12}|None|\?)\s{0,3}){0,15},?\s{0,3}\))
  | (?P<hex>(?<![\w])0[xX][0-9a-fA-F]{1,16}(?![\w]))
  | (?P<hexid>(?<![\w-])(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}
                          |(?=[0-9a-f]{0,63}[a-f])(?=[0-9a-f]{0,63}\d)[0-9a-f]{12,64}
                          |(?=[0-9A-F]{0,63}[A-F])(?=[0-9A-F]{0,63}\d)[0-9A-F]{12,64}
                          |(?=[a-z0-9]{0,63}\d)(?=[0-9]{0,63}[a-z])[a-z0-9]{20,64})(?![\w-]))
  | (?P<winpath>(?<![\w])[A-Za-z]:[\\/][^\s:'"<>|]{1,300})
    # Go module / import paths under a host: `github.com/diamondburned/arikawa/v3/api`
  | (?P<modpath>(?<![\w./-])""" + _HOST + r"""(?:/[\w.@+~-]{1,100}){1,30}/?)
    # host names, IP addresses and host:port: `github.com`, `192.168.1.1:53`, `localhost:8080`, `[::1]:8080`
  | (?P<host>(?<![\w.@/:-])""" + _HOST + r"""(?::\d{1,5})?(?![\w-]|\.[\w]|/[\w]))
    # container image references: `14790897/openwrt:86_64`, `dockeronwindows/ch03-nerd-dinner-web:2e-v2`
  | (?P<image>(?<![\w/.:@-])[\w.-]{1,100}(?:/[\w.-]{1,100}){1,5}:(?!\d{1,7}(?![\w.-]))[\w.-]{1,128}(?![\w/.:@-]))
  | (?P<path>(?<![\w.:/\\])(?:~|\.{1,2})?/[\w.@+-]{1,100}(?:/[\w.@+-]{1,100}){0,30}/?
             |(?<![\w./\\-])[\w@+-][\w.@+-]{0,100}(?:/[\w.@+-]{1,100}){0,30}\.(?:""" + _SOURCE_EXTENSIONS + r""")(?![\w/])(?=[:\s,;)\]'"]|\.(?:\s|$)|$)
             )
    # resource and JVM paths without a leading slash, three segments or more: `projects/p/locations/l/clusters/c`
  | (?P<respath>(?<![\w.:/\\@-])[A-Za-z_][\w.@+-]{0,100}(?:/[\w.@+-]{1,100}){2,30}/?(?![\w/]))
    # dotted names: Java classes `com.mysql.cj.jdbc.Driver`, Python modules `data.dataset` (an exception type stays: see _wildcard_for)
  | (?P<dotted>(?<![\w.$/\\-])(?:[A-Za-z_][\w$-]{1,60}\.){1,20}[A-Za-z_$][\w$]{1,100}(?![\w$]))
    # CamelCase class names inside a message: scikit-learn estimators `but LinearSVC is expecting`, autograd
    # nodes `output 0 of ReluBackward0` (an exception type is kept: see _wildcard_for)
  | (?P<camel>(?<![\w.$/\\:-])[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*){1,10}(?![\w$.]))
    # the function a Python TypeError names: `__init__() missing 1 required positional argument`, `<lambda>()`
  | (?P<call>(?<![\w.<>])(?:<[a-z]{2,20}>|[A-Za-z_][\w.]{0,100})(?=\(\)))
    # the module a script runs as: `attribute lookup <lambda> on __main__ failed`
  | (?P<mainmodule>(?<![\w.])__main__(?![\w]))
    # an enumerated value of a key=value field: `OpType=ALLREDUCE`
  | (?P<field>(?<=[A-Za-z)]=)(?<![=<>!~]=)[A-Z_][A-Z0-9_]{1,60}(?![\w]))
    # TensorFlow op names: `[Op:Mul]`, `[Op:ResourceGather]`
  | (?P<opname>(?<=\[Op:)\w{1,100}(?=\]))
    # a yes/no value printed after a colon or an equals sign: MySQL's `(using password: YES)`, `enabled=false`
  | (?P<boolean>(?<=[:=]\ )(?:YES|NO|Yes|No|yes|no|TRUE|FALSE|True|False|true|false)(?=[)\],;]|$))
  | (?P<device>(?<![\w.])(?:cuda|cpu|mps|xpu|hip|meta|xla|npu)(?::\d{1,3})?(?![\w.]))
  | (?P<network>(?<![\w.])(?:tcp|udp|ip)[46]?(?![\w.]))
    # Python's operator names: `unsupported operand type(s) for +:`, `bad operand type for unary -:`
  | (?P<operator>(?<![^\s(])(?:\*\*|//|<<|>>|[-+*/%@&|^~<>])=?(?=:\s))
  | (?P<platform>(?<![\w])(?:OS\ X|macOS|Darwin|Windows|Linux|FreeBSD|OpenBSD)(?=\ (?:32|64)-bit))
  | (?P<dtype>(?<=data\ type\ )(?:float|int|uint|complex|bfloat)(?:8|16|32|64|128)(?![\w]))
  | (?P<duration>(?<![\w.])(?:\d{1,9}(?:\.\d{1,9})?(?:ms|us|µs|ns|s|m|h)){1,4}(?![\w]))
  | (?P<version>(?<![\w.])v?\d{1,9}(?:\.\d{1,9}){1,5}(?:(?:\.?(?:rc|a|b|dev|post))\d{0,6}){0,2}(?:\+[\w.]{1,30})?(?![\w]))
  | (?P<dimensions>(?<![\w.])\d{1,9}(?:x\d{1,9}){1,6}(?![\w]))
  | (?P<number>(?<![\w])(?:(?<=[\s(\[=,])-)?\d{1,20}(?:\.\d{1,10})?(?![\w]))
  | (?P<placeholder_word>(?<![\w])(?:X{3,8}|x{3,8})(?![\w]))
  | (?P<space>\s{2,}|[^\S ])
    """,
    re.VERBOSE,
)

_KIND_NAMES = {
    "url": "URL", "size": "memory size", "shortsize": "short memory size", "bytes": "byte count", "angle": "placeholder", "brace": "placeholder",
    "bracket_words": "placeholder", "quoted": "quoted name", "shape": "tensor shape", "hex": "hex address",
    "hexid": "hex id", "dimensions": "dimensions", "winpath": "windows path", "path": "file path", "version": "version", "number": "number",
    "placeholder_word": "placeholder word", "space": "whitespace", "soversion": "library version",
    "glog": "log level and date", "rank": "process rank", "timestamp": "timestamp", "arn": "cloud resource name",
    "maven": "Maven coordinates", "npmspec": "package spec", "requirement": "package requirement",
    "pkgver": "package and version", "libflag": "library", "makerule": "make rule", "object": "object",
    "reprlist": "quoted command", "modpath": "package path", "host": "host", "image": "container image",
    "respath": "file path", "call": "function", "opname": "op name", "mainmodule": "module", "field": "field value", "dotted": "class name", "camel": "class name", "device": "device", "network": "network", "boolean": "yes or no", "operator": "operator",
    "platform": "platform", "dtype": "dtype", "duration": "duration",
}

#: Nouns after which the next word is the name, whatever it is (`refspec main`, `project api`).
_STRONG_NOUNS = frozenset({"refspec", "ref", "environment", "project", "host", "branch", "named", "crate", "plugin",
                           "repository", "namespace", "pod", "collection"})

#: Words that never are the name a noun introduces (`the file is`, `for a`): function words.
_STOPWORDS = frozenset(
    "a an the is are was were be been not no to of in on at by for from with and or that this these those it its "
    "any all does do did has have had will would can could should may must as if than then there which who what "
    "when where while into onto out up named".split())

# A name introduced by the noun that says what it is: `refspec main`, `on project api-gateway:`,
# `conda environment: chatgpt`, `package go-instabot is`, `remote ref refs/heads/main`, `host: github.com`.
_NAME_TOKEN = r"[\w.@/+~-]*[A-Za-z_][\w.@/+~-]*"
_NOUN_SLOT = re.compile(
    r"(?<![\w-])(?:refspec|ref|environment|project|package|host|branch|image|container|repository|namespace|pod|"
    r"crate|plugin|index|collection|named|tag|remote|service|volume|network|command|target|module|table|column|"
    r"database|schema|relation)(?::?\ )"
    r"(?P<name>" + _NAME_TOKEN + r")", re.IGNORECASE)
# `for <name>,` and `for <name>, <name>, which`: the packages pip and docker name before a comma.
_FOR_SLOT = re.compile(r"(?<![\w-])for\ (?P<name>" + _NAME_TOKEN + r"(?:,\ " + _NAME_TOKEN + r")*)(?=,\ )")
# Shells name the command: `bash: bashfuscator: command not found`, `-bash: when: command not found`.
_SHELL_PREFIX = re.compile(r"^-?(?:ba|z|k|da|c|tc)?sh:\ (?:(?P<name>[^\s:]{1,200}):\ |command\ not\ found:\ (?=\S{1,200}$))")
# make prints its recursion level: `make: ***`, `make[5]: ***`.
_MAKE_PREFIX = re.compile(r"^make(?:\[\d{1,3}\])?:(?=\ )")
# The severity a tool prints before the error (`ERROR: `, `fatal: `, `[ERROR] `, `Error: `): how it is
# printed, not which error it is (`Error: INSTALLATION FAILED: ` wraps the same helm error).
_LEVEL_PREFIX = re.compile(r"^(?:\[(?:ERROR|FATAL|error|fatal)\]|(?:ERROR|FATAL|CRITICAL|Error|error|fatal|Fatal):)\ +")
# glog's (TensorFlow's C++) line prefix: time, level letter, file:line]: `2019-07-21 23:23:06.228049: E x/y.cc:828] `
_GLOG_PREFIX = re.compile(r"^(?:\d{4}-\d{2}-\d{2}\ \d{2}:\d{2}:\d{2}(?:\.\d{1,9})?:\ )?[IWEF]\ [^\]\s]{1,300}:\d{1,7}\]\ ")
# A compiler's or linker's location before the message: `./main.go:8:2: `, `a.cpp:597:52: `,
# `thread2.cpp:(.text+0xd2): `, `C:\GoBot2\Console Server\Server.go:205:7: `.
_LOCATION_PREFIX = re.compile(
    r"^(?:[A-Za-z]:)?[^:\n]{0,300}?\.[A-Za-z]{1,6}:(?:\d{1,7}(?::\d{1,7})?|\([^)\n]{1,300}\)):\ ")
# Go's compiler names the identifier first: `./main.go:8:2: counter declared but not used`, `x redeclared in this block`.
_SUBJECT_FIRST = re.compile(r"(?P<name>[A-Za-z_]\w{0,100})\ (?=(?:re)?declared\b|imported\b|redefined\b|defined\ and\b)")
# C/C++ compilers quote names with ASCII or Unicode quotes depending on the locale.
_COMPILER_MESSAGE = re.compile(r"(?:^|\s)(?:error|warning|note):\ |undefined reference to|multiple definition of")
# Signed quantities: the number after these words can be negative (`index -1 is out of bounds`).
_SIGNED_AFTER = re.compile(r"(?:index|indices|dim|dimension|axis|offset|value|got|position|step|shift|of)\ $")

@dataclass(frozen=True)
class GeneralisedPart:
    """One run-specific part of the message and the wildcard that replaced it."""

    kind: str  # e.g. "quoted name", "memory size"
    text: str  # the literal text it replaced
    pattern: str  # the wildcard


@dataclass(frozen=True)
class Generalisation:
    """The regex built from a message, and what was generalised in it."""

    message: str
    pattern: str
    parts: tuple[GeneralisedPart, ...] = field(default_factory=tuple)
    truncated: bool = False  # the message was too long: the regex covers its beginning
    literal_fallback: bool = False  # too little stable text would remain, or it would match a generic text: literal
    self_check_failed: bool = False  # the generalised regex did not match its message (a bug): literal used


def escape_literal(text: str) -> str:
    """Escape `text` for a regex, readably: only regex syntax is escaped; spaces, `-`, `#` and `:` stay as they are."""
    out = []
    for char in text:
        if char in _SPECIAL:
            out.append("\\" + char)
        elif char == " " or char.isprintable():
            out.append(char)
        elif ord(char) <= 0xFF:
            out.append(f"\\x{ord(char):02x}")
        elif ord(char) <= 0xFFFF:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(f"\\U{ord(char):08x}")
    return "".join(out)


def _quoted_wildcard(token: str, compiler: bool = False) -> str:
    """The wildcard for a quoted name: any text, the empty one too (`int() with base 10: ''`), in the same quotes.

    In a C/C++ compiler or linker message the quotes themselves vary with the locale and the version
    (`'next'`, `‘out’`, `` `pthread_create' ``), so any of them is accepted there.
    """
    if compiler and token[0] in "'`\u2018":
        return "[`'\u2018][^`'\u2019\\n]{0,200}[`'\u2019]"
    opening, closing = token[0], _QUOTES[token[0]]
    if opening == "`" and token.endswith("'"):
        closing = "'"
    return f"{escape_literal(opening)}[^{closing}]{{0,200}}{escape_literal(closing)}"


def _shape_wildcard(token: str) -> str:
    if token.startswith("["):
        return r"\[[^\]]{0,200}\]"
    return r"\([^)]{0,200}\)"


_SPECIFIERS = ("==", ">=", "<=", "~=", "!=", "@ ")
_EXCEPTION_SUFFIXES = ("Error", "Exception", "Warning", "Fault", "Failure", "Interrupt", "Exit")


def _is_sentence(token: str) -> bool:
    """A quoted text that is itself a message (`KeyError: "None of ['Id'] are in the columns"`), not a name."""
    words = token[1:-1].split()
    return (len(words) >= 4 and words[0].isalpha()
            and sum(word.strip(".,;:").isalpha() for word in words) >= 0.6 * len(words))


def _wildcard_for(kind: str, token: str, message: str, start: int, compiler: bool = False) -> str | None:
    """The wildcard for one detected part at `start` of `message`, or None to keep it literal."""
    before = message[max(0, start - 2):start]
    end = start + len(token)
    if kind in ("version", "number") and before.endswith(_SPECIFIERS):
        return WILDCARDS["version"]  # a pinned requirement: any version, local suffixes included (2.1.0+cu118)
    if kind == "angle" and token[1:-1].strip() in _LITERAL_ANGLE_NAMES:
        return None
    if kind == "quoted":
        return _quoted_wildcard(token, compiler)
    if kind == "shape":
        return _shape_wildcard(token)
    if kind == "space":
        return WILDCARDS["whitespace"]
    if kind == "dotted":
        # An exception type names the error (`java.lang.ClassNotFoundException: `, `strconv.ParseUint: ` at
        # the start); a file name is not a class (`pyproject.toml-based`, `go.sum`); other dotted names vary.
        if start == 0 or message[end:end + 1] == ":" and token.endswith(_EXCEPTION_SUFFIXES):
            return None  # the subject the message starts with, or an exception type
        if token.endswith(_EXCEPTION_SUFFIXES) or token.rsplit(".", 1)[1].lower() in _EXTENSIONS:
            return None
        if message[end:end + 1] in ("(", "["):
            return None  # a type's repr (`torch.Size([64, 32])`): the values inside vary, the type does not
        return WILDCARDS["class name"]
    if kind == "camel":
        if start == 0 or token.endswith(_EXCEPTION_SUFFIXES) or message[end:end + 1] in (":", "("):
            return None  # the exception type the message starts with, or a type named before its values
        return WILDCARDS["class name"]
    if kind == "url":
        return WILDCARDS["URL"] if token.startswith("http") else WILDCARDS["socket URL"]
    if kind == "number" and (token.startswith("-") or _SIGNED_AFTER.search(message[max(0, start - 12):start])):
        return WILDCARDS["signed number"]
    if kind == "version" and re.fullmatch(r"v?[\d.]+", token):
        return ("v" if token.startswith("v") else "") + WILDCARDS["number"]
    if kind == "version":
        return ("v" if token.startswith("v") else "") + WILDCARDS["version"]
    if kind in ("angle", "brace", "bracket_words"):
        return WILDCARDS["placeholder"]
    if kind == "placeholder_word":
        return WILDCARDS["placeholder word"]
    if kind == "size" and token[:1] in "Xx":
        return WILDCARDS["memory size placeholder"]
    if kind == "size" and token.endswith("bytes"):
        return WILDCARDS["byte count"]
    return WILDCARDS[_KIND_NAMES[kind]]


# A span of the message that becomes a wildcard: (start, end, kind name, wildcard).
_Span = tuple[int, int, str, str]


def _prefix_spans(message: str) -> tuple[list[_Span], int]:
    """What a tool prints before the error itself, at the start of the message: spans and where the error starts."""
    spans: list[_Span] = []
    position = 0
    found = _GLOG_PREFIX.match(message)
    if found and len(message) - found.end() >= 10:
        spans.append((0, found.end(), "log prefix", ""))
        position = found.end()
    found = _LOCATION_PREFIX.match(message)
    if found and len(message) - found.end() >= 10:
        spans.append((0, found.end(), "source location", ""))
        position = found.end()
    found = _LEVEL_PREFIX.match(message, position)
    if found and len(message) - found.end() >= 10:
        spans.append((position, found.end(), "log level", ""))
        position = found.end()
    found = _MAKE_PREFIX.match(message, position)
    if found:
        spans.append((position, found.end(), "make level", WILDCARDS["make level"]))
        return spans, found.end()
    found = _SHELL_PREFIX.match(message, position)
    if found:
        start, end = found.span("name") if found.group("name") else (found.end(), len(message))
        spans.append((start, end, "command", WILDCARDS["name"]))
        return spans, found.end()
    return spans, position


def _scanned_spans(message: str, position: int, compiler: bool) -> list[_Span]:
    spans: list[_Span] = []
    while True:
        found = _SCANNER.search(message, position)
        if found is None:
            return spans
        kind, token = found.lastgroup, found.group()
        if kind == "quoted" and _is_sentence(token):
            position = found.start() + 1  # look inside the quoted message instead
            continue
        wildcard = _wildcard_for(kind, token, message, found.start(), compiler)
        if wildcard is not None and kind != "space" and not re.fullmatch(wildcard, token):
            wildcard = None  # never replace a part by a wildcard that does not match it
        if wildcard is not None:
            spans.append((found.start(), found.end(), "whitespace" if kind == "space" else _KIND_NAMES[kind], wildcard))
        position = found.end()


def _free(spans: list[_Span], start: int, end: int) -> bool:
    return all(end <= span_start or start >= span_end for span_start, span_end, _, _ in spans)


def _name_ok(token: str) -> bool:
    return token.casefold() not in _STOPWORDS and any(char.isalpha() for char in token)


_COMMON: frozenset[str] | None = None


def common_words() -> frozenset[str]:
    """Words of the reference corpus's error texts (outside quotes) found in ten errors or more: template words."""
    global _COMMON
    if _COMMON is None:
        from kbtool.regex.parts import _load_reference

        keys: dict[str, set[str]] = {}
        for row in _load_reference():
            text = re.sub(r"'[^'\n]*'|\"[^\"\n]*\"|`[^`\n]*`", " ", row["message"])
            for word in set(re.findall(r"[A-Za-z][A-Za-z'-]*[A-Za-z]", text)):
                keys.setdefault(word.casefold(), set()).add(row["error"])
        _COMMON = frozenset(word for word, errors in keys.items() if len(errors) >= 10)
    return _COMMON


def _slot_spans(message: str, spans: list[_Span], learned, position: int = 0) -> list[_Span]:
    """Bare names in the literal text: introduced by a noun, or in a position the reference corpus shows varying."""
    added: list[_Span] = []
    for finder, kind in ((_FOR_SLOT, "names"), (_NOUN_SLOT, "name")):
        for found in finder.finditer(message):
            start, end = found.span("name")
            token = message[start:end].rstrip(".")
            end = start + len(token)
            noun = found.group().split()[0].rstrip(":").casefold()
            # `package versions`, `command line`: a noun used as a modifier, before a common word. After a
            # colon (`table: tbl`) or after the nouns that always name something, the word is the name.
            weak = noun not in _STRONG_NOUNS and not found.group().split()[0].endswith(":")
            if weak and token.casefold() in common_words():
                continue
            if token and _name_ok(token.split(",")[0]) and _free(spans + added, start, end):
                added.append((start, end, kind, WILDCARDS[kind]))
    if learned:
        from kbtool.regex.parts import contexts_of, message_words

        text = message[position:position + 2000]  # the error itself, after what the tool printed before it
        tokens = list(re.finditer(r"\S+", text))
        words = message_words(text)
        if len(words) == len(tokens):
            for index, found in enumerate(tokens):
                core = re.search(r"[\w@/+~-](?:[\w.@/+~-]*[\w@/+~-])?", found.group())
                if core is None or not _name_ok(core.group()) or not re.fullmatch(_NAME_TOKEN, core.group()):
                    continue
                start = position + found.start() + core.start()
                end = start + len(core.group())
                if _free(spans + added, start, end) and contexts_of(words, index) & learned:
                    added.append((start, end, "name", WILDCARDS["name"]))
    return added


#: Kinds whose neighbours, joined by `, ` or ` and `, make one list (`dgb==0.1 and dgb==0.2`, `1.13.0, 1.13.1`).
_LIST_KINDS = {"package requirement", "version", "number", "name", "package spec"}


def _merge_lists(message: str, spans: list[_Span]) -> list[_Span]:
    merged: list[_Span] = []
    for span in spans:
        if merged:
            last = merged[-1]
            between = message[last[1]:span[0]]
            if (span[2] in _LIST_KINDS and (last[2] in _LIST_KINDS or last[2] == "list")
                    and between in (", ", " and ", ", and ", " or ", ", or ")):
                merged[-1] = (last[0], span[1], "list", WILDCARDS["list"])
                continue
        merged.append(span)
    return merged


def _spans(message: str, known_names=None) -> list[_Span]:
    compiler = _COMPILER_MESSAGE.search(message) is not None
    spans, position = _prefix_spans(message)
    spans += _scanned_spans(message, position, compiler)
    from kbtool.regex.parts import learned_slot_contexts

    spans += _slot_spans(message, spans, learned_slot_contexts(), position)
    subject = _SUBJECT_FIRST.match(message, position) if position and spans and spans[0][2] == "source location" else None
    if subject and _name_ok(subject.group("name")) and _free(spans, *subject.span("name")):
        spans.append((*subject.span("name"), "name", WILDCARDS["name"]))
    spans.sort()
    return _merge_lists(message, spans)


def _pieces_of(message: str, spans: list[_Span], bounded_whitespace: bool = False) -> list[tuple[str, GeneralisedPart | None]]:
    """The message as a list of (regex piece, part) where part is None for literal characters.

    With `bounded_whitespace`, a run of whitespace becomes ``\\s{1,20}`` instead of ``\\s+``.
    """
    pieces: list[tuple[str, GeneralisedPart | None]] = []
    position = 0
    for start, end, kind, wildcard in spans:
        pieces.extend((escape_literal(char), None) for char in message[position:start])
        token = message[start:end]
        if kind == "whitespace":
            pieces.append((f"\\s{{1,{max(20, len(token))}}}" if bounded_whitespace else wildcard, None))
        else:
            pieces.append((wildcard, GeneralisedPart(kind, token, wildcard)))
        position = end
    pieces.extend((escape_literal(char), None) for char in message[position:])
    return _case_free_first_letter(pieces)


def _case_free_first_letter(pieces: list[tuple[str, GeneralisedPart | None]]) -> list[tuple[str, GeneralisedPart | None]]:
    """After a left-out log level, the first word's capital varies between versions (git: `couldn't` → `Couldn't`)."""
    if not pieces or pieces[0][1] is None or pieces[0][1].kind not in ("log level", "source location", "log prefix"):
        return pieces
    index = next((i for i, (piece, part) in enumerate(pieces) if part is None or part.pattern), None)
    if index is None or pieces[index][1] is not None:
        return pieces
    char = pieces[index][0]
    following = pieces[index + 1][0] if index + 1 < len(pieces) else ""
    if len(char) == 1 and char.isalpha() and char.lower() != char.upper() and len(following) == 1 and following.islower():
        pieces = list(pieces)
        pieces[index] = (f"[{char.upper()}{char.lower()}]", None)
    return pieces


def _keep_identity(message: str, spans: list[_Span], known) -> list[_Span]:
    """Keep literal the parts that are the identity of another known error.

    `known` holds messages of other errors (the KB's records): when the regex would match one of them,
    the wildcards are put back to their literal text one at a time, leftmost first, until it no longer
    does (`module 'tensorflow' has no attribute 'Session'` is another record: in `module 'numpy' has no
    attribute 'float'` the module name is the identity and stays literal).
    """
    if not known:
        return spans
    spans = list(spans)
    stripped = message.strip()
    for other in known:
        other = other.strip()
        if not other or other == stripped:
            continue
        pattern = _join(_drop_trailing_punctuation(_pieces_of(message, spans)))[0]
        if re.search(pattern, other) is None:
            continue
        for index, span in enumerate(spans):
            if span[2] in ("whitespace", "log level", "source location"):
                continue
            trial = spans[:index] + spans[index + 1:]
            if re.search(_join(_drop_trailing_punctuation(_pieces_of(message, trial)))[0], other) is None:
                spans = trial
                break
    return spans


def _pieces(message: str, bounded_whitespace: bool = False, known=None) -> list[tuple[str, GeneralisedPart | None]]:
    spans = _keep_identity(message, _spans(message), known)
    return _pieces_of(message, spans, bounded_whitespace)


#: Exception types raised for many different errors: their name alone identifies none.
_GENERIC_EXCEPTIONS = frozenset({
    "Error", "Exception", "Warning", "ValueError", "TypeError", "KeyError", "RuntimeError", "OSError", "IOError",
    "AttributeError", "IndexError", "AssertionError", "NameError", "ImportError", "LookupError", "SystemError",
    "UserWarning", "RuntimeWarning", "RuntimeException", "IllegalArgumentException", "IllegalStateException"})

#: Closing punctuation at the very end of a message: a longer form of the message differs right there
#: (`... total capacity)` vs `... total capacity; 5.2 GiB already allocated)`), so it is left out.
_TRAILING_PUNCTUATION = {"\\.", "\\)", "\\]", "!", ";", ",", ":"}


def _drop_trailing_punctuation(pieces: list[tuple[str, GeneralisedPart | None]]) -> list[tuple[str, GeneralisedPart | None]]:
    end = len(pieces)
    while end > 1 and pieces[end - 1][1] is None and pieces[end - 1][0] in _TRAILING_PUNCTUATION:
        end -= 1
    return pieces[:end]


def _names_no_specific_error(pattern: str) -> bool:
    """Whether `pattern` (built here, bounded) matches the empty string or a text that names no specific error."""
    from kbtool.regex.generic import SEARCHED

    return any(re.search(pattern, text) for text in SEARCHED)


#: Wildcards that keep a word of the message literal inside them (`make(?:\[\d{1,3}\])?:` keeps `make`).
_LETTERS_KEPT = {"make level": 4, "process rank": 4}


def _literal_letters(pieces: list[tuple[str, GeneralisedPart | None]]) -> int:
    return sum(1 if part is None else _LETTERS_KEPT.get(part.kind, 0)
               for piece, part in pieces if part is not None or (len(piece) == 1 and piece.isalpha()))


def _join(pieces: list[tuple[str, GeneralisedPart | None]]) -> tuple[str, int]:
    """Concatenate pieces up to MAX_REGEX_LENGTH; the regex and how many pieces it holds."""
    out: list[str] = []
    length = 0
    for count, (piece, _part) in enumerate(pieces):
        if length + len(piece) > MAX_REGEX_LENGTH:
            return "".join(out), count
        out.append(piece)
        length += len(piece)
    return "".join(out), len(pieces)


def _literal_pieces(message: str) -> list[tuple[str, GeneralisedPart | None]]:
    pieces: list[tuple[str, GeneralisedPart | None]] = []
    for run in re.split(r"(\s+)", message):
        if not run:
            continue
        if run.isspace():
            pieces.append((" " if run == " " else WILDCARDS["whitespace"], None))
        else:
            pieces.extend((escape_literal(char), None) for char in run)
    return pieces


def _strip_trailing_space_piece(pattern: str) -> str:
    while pattern.endswith(WILDCARDS["whitespace"]):
        pattern = pattern[: -len(WILDCARDS["whitespace"])]
    return pattern.rstrip(" ") or pattern


def _generalised_pieces(message: str, bounded_whitespace: bool, known=None) -> list[tuple[str, GeneralisedPart | None]] | None:
    """The generalised pieces, or None when they would leave too little stable text or match a generic text."""
    pieces = _pieces(message, bounded_whitespace, known)
    if not any(part for _, part in pieces):
        return _drop_trailing_punctuation(pieces)
    if _literal_letters(pieces) < MIN_LITERAL_LETTERS:
        return None
    # `ValueError: 'abc'`, `KeyError: 'labels'`: with the value a wildcard, only the exception name would be
    # left, and that names no error (`ValueError: '[^']{0,200}'` claims every ValueError with a quoted value).
    kept = "".join(piece if part is None else " make " if part.kind == "make level" else " "
                   for piece, part in pieces if part is not None or len(piece) == 1)
    only = re.fullmatch(r"[\W_]*(?P<name>[\w.]*(?:Error|Exception|Warning))?[\W_]*", kept)
    if only and (not only.group("name") or only.group("name").rsplit(".", 1)[-1] in _GENERIC_EXCEPTIONS):
        return None
    pieces = _drop_trailing_punctuation(pieces)
    if _names_no_specific_error(_join(pieces)[0]):
        return None
    return pieces


def _backtracks_badly(pattern: str) -> bool:
    from kbtool.regex.shapes import catastrophic_shape

    return catastrophic_shape(pattern) is not None


def generalise(message: str, known: Iterable[str] | None = None) -> Generalisation:
    """Build the regex for `message` and say what was generalised.

    `known`: messages of other, known errors (the signatures of a KB's records); a part that would make
    the regex match one of them stays literal (see `_keep_identity`).

    Raises ValueError for a message with no visible character: there is nothing to recognise.
    """
    stripped = message.strip()
    if not stripped:
        raise ValueError("the message is empty: there is nothing to recognise")
    whole = stripped
    stripped = stripped[:MAX_SCANNED_CHARS]  # a prefix: a regex for it is searched, so it still matches `whole`
    fallback = False
    known = tuple(known) if known is not None else ()
    pieces = _generalised_pieces(stripped, bounded_whitespace=False, known=known)
    if pieces is not None and _backtracks_badly(_join(pieces)[0]):
        # `\s+` next to wide wildcards can chain into polynomial backtracking: bound the whitespace runs.
        pieces = _generalised_pieces(stripped, bounded_whitespace=True, known=known)
        if pieces is not None and _backtracks_badly(_join(pieces)[0]):
            pieces = None
    if pieces is None:
        fallback = True
        pieces = _literal_pieces(stripped)
    pattern, used = _join(pieces)
    truncated = used < len(pieces) or len(whole) > len(stripped)
    parts = tuple(part for _, part in pieces[:used] if part is not None)
    pattern = _strip_trailing_space_piece(pattern)
    check_failed = False
    if re.search(pattern, whole) is None:  # cannot happen by construction; never hand out a regex that misses
        check_failed = True
        literal = _literal_pieces(stripped)
        pattern, used = _join(literal)
        truncated = used < len(literal) or len(whole) > len(stripped)
        pattern = _strip_trailing_space_piece(pattern)
        parts = ()
    return Generalisation(message=whole, pattern=pattern, parts=parts, truncated=truncated,
                          literal_fallback=fallback, self_check_failed=check_failed)


def message_to_regex(message: str, known: Iterable[str] | None = None) -> str:
    """A readable regex recognising `message` and its variants with other names, numbers, paths and sizes.

    >>> message_to_regex("ConverterError: Quantization not supported for op 'Cumsum'.")
    "ConverterError: Quantization not supported for op '[^']{1,200}'\\\\."
    """
    return generalise(message, known).pattern
