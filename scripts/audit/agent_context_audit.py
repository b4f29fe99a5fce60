#!/usr/bin/env python3
"""Independent audit: does the per-request user context reach BaseAgent's emitter code?

Stdlib only, ast based.  The analysed tree is never imported and this script
does not import ``netra_isolation_lint`` (it is meant as an independent check
of the linter's NIL4xx ground truth).

Usage::

    python scripts/audit/agent_context_audit.py TREE [--package netra_backend]
        [--base-module app.agents.base_agent] [--base-class BaseAgent]
        [--output FILE.json]

TREE is the directory of the package (e.g. ``/tmp/trees/05bd22d/netra_backend``);
module names are ``<package>.<relative path>``.

What it does
------------
1. Indexes every ``*.py`` file under TREE.  Files that do not parse get their
   class headers and import lines recovered with regexes (so inheritance
   chains survive) and a best-effort "repaired" parse (offending lines blanked)
   used only for *detail*; classes from such files get verdict ``unknown``.
2. Builds a cross-module symbol table (imports, relative imports, aliases,
   star imports, re-exports through ``__init__.py``) and C3 MROs.
3. Reads BaseAgent itself: how ``__init__`` accepts the context (parameter
   name / position), which attributes ``__init__`` stores it in, which
   methods are setters, where emitter code reads it, and where BaseAgent's
   own factories store it.
4. For every (transitive) subclass of BaseAgent under ``app/`` it simulates
   three channels with a small taint-flow interpreter over the AST:

   * ``ctor``   - ``Agent(<ctx>)``: the context enters the effective ``__init__``
     (own or inherited) through a context-like parameter (or ``**kwargs`` as
     ``user_context=``) and is followed through ``super().__init__``,
     ``Base.__init__(self, ...)``, ``self.<helper>(...)``, the setter and
     attribute assignments, in source order (so an assignment later
     overwritten by ``BaseAgent.__init__`` resetting the attribute is caught).
   * ``factory`` - the resolved ``create_agent_with_context(ctx)`` classmethod
     (what the supervisor's AgentInstanceFactory calls when present),
     including whether its ``cls(...)`` call binds to the agent's ``__init__``.
   * ``runtime`` - the resolved ``execute(ctx, ...)`` entry point.

   The ``verdict`` field is the constructor verdict (``ok``, ``not-accepted``,
   ``stored-elsewhere:<attr>``, ``dropped``, ``unknown``); the other channels
   are reported alongside, and ``reaches`` says whether ANY channel delivers
   the context to the attribute BaseAgent's emitter code reads.
"""
from __future__ import annotations

import argparse
import ast
import json
import os
import re
import sys
from collections import Counter, defaultdict

CTX_TYPE_RE = re.compile(r"\bUserExecutionContext\b")
CTX_PARAM_NAMES = {"user_context", "context", "user_execution_context", "usercontext", "ctx", "user_ctx"}
# annotations that clearly say "this is not a UserExecutionContext"
NON_CTX_ANN_RE = re.compile(r"\b(ExecutionContext|DeepAgentState|Dict|dict|str|int|bool|AgentExecutionContext)\b")
PASSTHROUGH_FUNCS = re.compile(r"(^|_)(validate|ensure|cast|coerce|normalize|verify)", re.I)
TRIVIAL_EXTERNAL_BASES = {
    "object", "abc.ABC", "ABC", "typing.Generic", "Generic", "typing.Protocol", "Protocol",
    "abc.ABCMeta",
}
SKIP_DIRS = {"__pycache__", ".git", "node_modules", ".venv", "venv", ".mypy_cache", ".pytest_cache"}
MAX_DEPTH = 12


def unparse(node):
    try:
        return ast.unparse(node)
    except Exception:  # pragma: no cover
        return "<?>"


def shape(node):
    """A code-free description of an expression (names only), for the JSON output."""
    if isinstance(node, ast.Constant):
        return repr(node.value) if node.value is None or isinstance(node.value, bool) else type(node.value).__name__
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = shape(node.value)
        return f"{inner}.{node.attr}" if re.match(r"^[\w.]+$", inner) else f"<{type(node.value).__name__}>.{node.attr}"
    if isinstance(node, ast.Call):
        return shape(node.func) + "(...)"
    if isinstance(node, ast.Subscript):
        return shape(node.value) + "[...]"
    return f"<{type(node).__name__}>"


# ---------------------------------------------------------------------------
# Indexing
# ---------------------------------------------------------------------------

class ClassInfo:
    def __init__(self, module, qualname, path, line, base_nodes, base_src, node, recovered, scope):
        self.module = module
        self.qualname = qualname
        self.name = qualname.rsplit(".", 1)[-1]
        self.path = path
        self.line = line
        self.base_nodes = base_nodes
        self.base_src = base_src
        self.node = node            # ast.ClassDef or None (regex-recovered without a body)
        self.recovered = recovered  # True if the file failed to parse
        self.scope = scope          # module | class | function
        self.local_bindings = {}    # imports inside enclosing functions (function-local classes)
        self.methods = {}
        if node is not None:
            for st in node.body:
                if isinstance(st, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    self.methods[st.name] = st  # last definition wins, like Python

    @property
    def key(self):
        return f"{self.module}:{self.qualname}"


class ModInfo:
    def __init__(self, name, path, is_pkg):
        self.name = name
        self.path = path
        self.is_pkg = is_pkg
        self.tree = None
        self.parse_error = None
        self.repaired = False
        self.bindings = defaultdict(list)
        self.stars = []
        self.classes = {}  # qualname -> ClassInfo


IMPORT_FROM_RE = re.compile(r"^[ \t]*from[ \t]+(\.*[\w.]*)[ \t]+import[ \t]+(\([^)]*\)|[^\n#]+)", re.M)
IMPORT_RE = re.compile(r"^[ \t]*import[ \t]+([^\n#]+)", re.M)
CLASS_RE = re.compile(r"^([ \t]*)class[ \t]+(\w+)[ \t]*(?:\(([^)]*)\))?[ \t]*:", re.M)


class Index:
    def __init__(self, root, package):
        self.root = os.path.abspath(root)
        self.package = package
        self.modules = {}
        self.classes = {}
        self.parse_failures = []
        self._load()

    # -- loading ----------------------------------------------------------
    def _load(self):
        for dirpath, dirnames, filenames in os.walk(self.root):
            dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
            for fn in sorted(filenames):
                if not fn.endswith(".py"):
                    continue
                full = os.path.join(dirpath, fn)
                rel = os.path.relpath(full, self.root).replace(os.sep, "/")
                parts = rel[:-3].split("/")
                is_pkg = parts[-1] == "__init__"
                if is_pkg:
                    parts = parts[:-1]
                name = ".".join([self.package] + parts) if parts else self.package
                mod = ModInfo(name, rel, is_pkg)
                self.modules[name] = mod
                self._parse(mod, full)
        for mod in self.modules.values():
            for ci in mod.classes.values():
                self.classes[ci.key] = ci

    def _parse(self, mod, full):
        with open(full, "rb") as fh:
            raw = fh.read()
        src = raw.decode("utf-8", errors="replace")
        try:
            mod.tree = ast.parse(src, filename=mod.path)
        except (SyntaxError, ValueError) as exc:
            lineno = getattr(exc, "lineno", None)
            mod.parse_error = {"path": mod.path, "line": lineno, "error": getattr(exc, "msg", str(exc))}
            self.parse_failures.append(mod.parse_error)
            repaired = self._repair(src)
            self._recover_with_regex(mod, src, repaired)
            return
        self._collect(mod, mod.tree, recovered=False)

    @staticmethod
    def _repair(src):
        """Blank offending lines until the file parses (best effort, detail only)."""
        lines = src.split("\n")
        for _ in range(40):
            try:
                return ast.parse("\n".join(lines))
            except (SyntaxError, ValueError) as exc:
                ln = getattr(exc, "lineno", None)
                if not ln or ln > len(lines):
                    return None
                old = lines[ln - 1]
                indent = old[: len(old) - len(old.lstrip())]
                new = indent + "pass  # repaired"
                if old == new:
                    return None
                lines[ln - 1] = new
        return None

    def _recover_with_regex(self, mod, src, repaired):
        mod.repaired = repaired is not None
        # imports
        for m in IMPORT_FROM_RE.finditer(src):
            modname, names = m.group(1), m.group(2).strip().strip("()")
            base = self._abs_module(mod, modname.lstrip("."), len(modname) - len(modname.lstrip(".")))
            for part in names.split(","):
                part = part.strip()
                if not part:
                    continue
                if part == "*":
                    mod.stars.append(base)
                    continue
                bits = part.split()
                orig = bits[0]
                alias = bits[2] if len(bits) >= 3 and bits[1] == "as" else orig
                if re.match(r"^\w+$", orig) and re.match(r"^\w+$", alias):
                    mod.bindings[alias].append(("from", base, orig))
        for m in IMPORT_RE.finditer(src):
            for part in m.group(1).split(","):
                bits = part.split()
                if not bits:
                    continue
                target = bits[0]
                if len(bits) >= 3 and bits[1] == "as":
                    mod.bindings[bits[2]].append(("import", target))
                else:
                    mod.bindings[target.split(".")[0]].append(("import", target.split(".")[0]))
        repaired_classes = {}
        if repaired is not None:
            for node in ast.walk(repaired):
                if isinstance(node, ast.ClassDef):
                    repaired_classes[(node.name, node.lineno)] = node
        # class headers
        for m in CLASS_RE.finditer(src):
            indent, cname, bases = m.group(1), m.group(2), m.group(3) or ""
            line = src.count("\n", 0, m.start()) + 1
            base_nodes, base_src = [], []
            for b in _split_bases(bases):
                try:
                    expr = ast.parse(b.strip(), mode="eval").body
                except SyntaxError:
                    continue
                if isinstance(expr, ast.keyword):
                    continue
                base_nodes.append(expr)
                base_src.append(b.strip())
            node = repaired_classes.get((cname, line))
            qual = cname  # regex recovery cannot know nesting reliably; indentation hint only
            scope = "module" if not indent else "nested?"
            ci = ClassInfo(mod.name, qual, mod.path, line, base_nodes, base_src, node, True, scope)
            if qual not in mod.classes:
                mod.classes[qual] = ci
                if scope == "module":
                    mod.bindings[cname].insert(0, ("class", ci.key))

    def _abs_module(self, mod, name, level):
        if level == 0:
            return name
        pkg_parts = mod.name.split(".") if mod.is_pkg else mod.name.split(".")[:-1]
        if level > 1:
            pkg_parts = pkg_parts[: len(pkg_parts) - (level - 1)]
        base = ".".join(pkg_parts)
        return f"{base}.{name}" if name else base

    def _collect(self, mod, tree, recovered):
        # module-level bindings, including inside if/try/with blocks
        for st in _iter_toplevel(tree.body):
            if isinstance(st, ast.ImportFrom):
                base = self._abs_module(mod, st.module or "", st.level or 0)
                for a in st.names:
                    if a.name == "*":
                        mod.stars.append(base)
                    else:
                        mod.bindings[a.asname or a.name].append(("from", base, a.name))
            elif isinstance(st, ast.Import):
                for a in st.names:
                    if a.asname:
                        mod.bindings[a.asname].append(("import", a.name))
                    else:
                        mod.bindings[a.name.split(".")[0]].append(("import", a.name.split(".")[0]))
            elif isinstance(st, (ast.Assign, ast.AnnAssign)):
                targets = st.targets if isinstance(st, ast.Assign) else [st.target]
                if st.value is None:
                    continue
                if isinstance(st.value, (ast.Name, ast.Attribute, ast.Subscript)):
                    for t in targets:
                        if isinstance(t, ast.Name):
                            mod.bindings[t.id].append(("expr", st.value))
        # classes, with nesting
        def local_imports(fns):
            local = {}
            for f in fns:
                for n in walk_no_nested(f):
                    if isinstance(n, ast.ImportFrom):
                        base = self._abs_module(mod, n.module or "", n.level or 0)
                        for a in n.names:
                            if a.name != "*":
                                local.setdefault(a.asname or a.name, []).append(("from", base, a.name))
                    elif isinstance(n, ast.Import):
                        for a in n.names:
                            nm = a.asname or a.name.split(".")[0]
                            local.setdefault(nm, []).append(("import", a.name if a.asname else nm))
            return local

        local_classes = {}

        def visit(body, prefix, scope, fns):
            for st in body:
                if isinstance(st, ast.ClassDef):
                    qual = f"{prefix}{st.name}"
                    ci = ClassInfo(mod.name, qual, mod.path, st.lineno, list(st.bases),
                                   [unparse(b) for b in st.bases], st, recovered, scope)
                    if fns:
                        key = tuple(id(f) for f in fns)
                        if key not in local_classes:
                            local_classes[key] = local_imports(fns)
                        ci.local_bindings = local_classes[key]
                    mod.classes.setdefault(qual, ci)
                    if scope == "module":
                        mod.bindings[st.name].append(("class", ci.key))
                    elif scope == "function":
                        ci.local_bindings.setdefault(st.name, []).insert(0, ("class", ci.key))
                    visit(st.body, qual + ".", "class", fns)
                elif isinstance(st, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    visit(st.body, f"{prefix}{st.name}.<locals>.", "function", fns + [st])
                else:
                    for field in ("body", "orelse", "finalbody", "handlers"):
                        sub = getattr(st, field, None)
                        if isinstance(sub, list):
                            inner = []
                            for x in sub:
                                inner.extend(x.body if isinstance(x, ast.ExceptHandler) else [x])
                            visit(inner, prefix, scope, fns)
        visit(tree.body, "", "module", [])

    # -- resolution -------------------------------------------------------
    def resolve_name(self, modname, name, seen=None):
        """-> ('class', key) | ('module', name) | ('external', dotted) | None"""
        seen = seen or set()
        if (modname, name) in seen:
            return None
        seen.add((modname, name))
        mod = self.modules.get(modname)
        if mod is None:
            return ("external", f"{modname}.{name}")
        results = []
        for b in mod.bindings.get(name, []):
            r = self._resolve_binding(mod, b, seen)
            if r is not None:
                results.append(r)
                if r[0] == "class":
                    return r
        if results:
            # prefer modules over externals (try/except fallbacks often bind None etc.)
            for r in results:
                if r[0] == "module":
                    return r
            return results[0]
        for star in mod.stars:
            r = self.resolve_name(star, name, seen)
            if r is not None and r[0] != "external":
                return r
        sub = f"{modname}.{name}"
        if sub in self.modules:
            return ("module", sub)
        return None

    def _resolve_binding(self, mod, b, seen):
        kind = b[0]
        if kind == "class":
            return ("class", b[1])
        if kind == "import":
            return ("module", b[1]) if b[1] in self.modules else ("external", b[1])
        if kind == "from":
            base, attr = b[1], b[2]
            if base in self.modules:
                r = self.resolve_name(base, attr, seen)
                if r is not None:
                    return r
                return ("external", f"{base}.{attr}")  # name missing in an indexed module
            sub = f"{base}.{attr}"
            if sub in self.modules:
                return ("module", sub)
            return ("external", sub)
        if kind == "expr":
            return self.resolve_expr(mod.name, b[1], seen)
        return None

    def resolve_expr(self, modname, node, seen=None):
        if isinstance(node, ast.Name):
            r = self.resolve_name(modname, node.id, seen)
            if r is None:
                return ("external", node.id)
            return r
        if isinstance(node, ast.Attribute):
            base = self.resolve_expr(modname, node.value, seen)
            if base is None:
                return None
            if base[0] == "module":
                r = self.resolve_name(base[1], node.attr, set())
                return r if r is not None else ("external", f"{base[1]}.{node.attr}")
            if base[0] == "class":
                key = f"{base[1]}.{node.attr}"
                return ("class", key) if key in self.classes else ("external", key)
            return ("external", f"{base[1]}.{node.attr}")
        if isinstance(node, ast.Subscript):
            return self.resolve_expr(modname, node.value, seen)
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return ("external", node.value)
        return None

    # -- hierarchy --------------------------------------------------------
    def resolved_bases(self, ci):
        out = []
        for b in ci.base_nodes:
            r = None
            if isinstance(b, ast.Name) and b.id in ci.local_bindings:
                for lb in ci.local_bindings[b.id]:
                    r = self._resolve_binding(self.modules[ci.module], lb, set())
                    if r is not None:
                        break
            if r is None:
                r = self.resolve_expr(ci.module, b)
            if r and r[0] == "class" and r[1] in self.classes and r[1] != ci.key:
                out.append(r[1])
            elif r and r[0] in ("external", "module"):
                out.append("ext:" + r[1])
            else:
                out.append("ext:" + unparse(b))
        return out

    def mro(self, key, _memo=None, _stack=None):
        memo = self._mro_memo if hasattr(self, "_mro_memo") else {}
        self._mro_memo = memo
        if key in memo:
            return memo[key]
        if key.startswith("ext:") or key not in self.classes:
            return [key]
        stack = _stack or set()
        if key in stack:
            return [key]
        stack = stack | {key}
        bases = self.resolved_bases(self.classes[key])
        seqs = [self.mro(b, None, stack) for b in bases] + [list(bases)]
        result = [key]
        seqs = [list(s) for s in seqs if s]
        while True:
            seqs = [s for s in seqs if s]
            if not seqs:
                break
            for s in seqs:
                cand = s[0]
                if not any(cand in t[1:] for t in seqs):
                    break
            else:  # inconsistent hierarchy: fall back to DFS order
                for s in seqs:
                    for c in s:
                        if c not in result:
                            result.append(c)
                break
            result.append(cand)
            for s in seqs:
                if s and s[0] == cand:
                    s.pop(0)
        memo[key] = result
        return result


def _split_bases(s):
    out, depth, cur = [], 0, ""
    for ch in s:
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        if ch == "," and depth == 0:
            out.append(cur)
            cur = ""
        else:
            cur += ch
    if cur.strip():
        out.append(cur)
    return [x for x in out if x.strip() and "=" not in x]


def _iter_toplevel(stmts):
    for s in stmts:
        yield s
        if isinstance(s, (ast.If, ast.Try, ast.With, ast.AsyncWith)) or type(s).__name__ == "TryStar":
            for field in ("body", "orelse", "finalbody"):
                yield from _iter_toplevel(getattr(s, field, []) or [])
            for h in getattr(s, "handlers", []) or []:
                yield from _iter_toplevel(h.body)


# ---------------------------------------------------------------------------
# Helpers on function definitions
# ---------------------------------------------------------------------------

def positional_params(fn):
    return [a.arg for a in fn.args.posonlyargs + fn.args.args]


def all_params(fn):
    return positional_params(fn) + [a.arg for a in fn.args.kwonlyargs]


def param_annotation(fn, name):
    for a in fn.args.posonlyargs + fn.args.args + fn.args.kwonlyargs:
        if a.arg == name and a.annotation is not None:
            return unparse(a.annotation)
    return None


def is_ctx_param(fn, name):
    ann = param_annotation(fn, name)
    if ann and CTX_TYPE_RE.search(ann):
        return True
    if name in CTX_PARAM_NAMES:
        if ann and NON_CTX_ANN_RE.search(ann) and not CTX_TYPE_RE.search(ann):
            return False
        return True
    return False


def decorators(fn):
    out = set()
    for d in fn.decorator_list:
        if isinstance(d, ast.Name):
            out.add(d.id)
        elif isinstance(d, ast.Attribute):
            out.add(d.attr)
    return out


def required_params(fn, skip_first):
    pos = fn.args.posonlyargs + fn.args.args
    if skip_first:
        pos = pos[1:]
    ndef = len(fn.args.defaults)
    req = [a.arg for a in pos[: len(pos) - ndef]] if ndef else [a.arg for a in pos]
    req_kwonly = [a.arg for a, d in zip(fn.args.kwonlyargs, fn.args.kw_defaults) if d is None]
    return req, req_kwonly


def header_exprs(st):
    """Expressions evaluated by a compound statement's header (not its body)."""
    if isinstance(st, (ast.If, ast.While)):
        return [st.test]
    if isinstance(st, (ast.For, ast.AsyncFor)):
        return [st.iter]
    if isinstance(st, (ast.With, ast.AsyncWith)):
        return [i.context_expr for i in st.items]
    if type(st).__name__ == "Match":
        return [st.subject]
    return []


def walk_no_nested(node):
    """ast.walk that does not descend into nested functions, lambdas or classes."""
    todo = [node]
    while todo:
        n = todo.pop()
        yield n
        for ch in ast.iter_child_nodes(n):
            if isinstance(ch, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
                continue
            todo.append(ch)


def iter_stmts(body, conditional=False, with_flag=False):
    """Statements in source order, descending into compound statements (not nested defs).
    With with_flag=True yields (stmt, conditional) where conditional says the statement
    sits inside an if/for/while/try/match block (so a re-assignment there may not happen)."""
    for st in body:
        if isinstance(st, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        yield (st, conditional) if with_flag else st
        inner_cond = conditional or not isinstance(st, (ast.With, ast.AsyncWith))
        for field in ("body", "orelse", "finalbody"):
            sub = getattr(st, field, None)
            if isinstance(sub, list):
                yield from iter_stmts(sub, inner_cond, with_flag)
        for h in getattr(st, "handlers", []) or []:
            yield from iter_stmts(h.body, True, with_flag)
        for c in getattr(st, "cases", []) or []:
            yield from iter_stmts(c.body, True, with_flag)


COMPOUND = (ast.If, ast.For, ast.AsyncFor, ast.While, ast.With, ast.AsyncWith, ast.Try)


# ---------------------------------------------------------------------------
# BaseAgent analysis
# ---------------------------------------------------------------------------

def analyse_base(index, base):
    node = base.node
    info = {"class": base.name, "path": base.path, "line": base.line, "module": base.module}
    init = base.methods.get("__init__")
    ctx_param, pos, default = None, None, None
    params = []
    if init is not None:
        params = positional_params(init)[1:]
        for i, p in enumerate(params):
            if is_ctx_param(init, p) and (ctx_param is None or p == "user_context"):
                ctx_param, pos = p, i
        for a in init.args.kwonlyargs:
            if ctx_param is None and is_ctx_param(init, a.arg):
                ctx_param = a.arg
        if ctx_param is not None:
            ndef = len(init.args.defaults)
            pos_all = init.args.posonlyargs + init.args.args
            for i, a in enumerate(pos_all):
                if a.arg == ctx_param:
                    di = i - (len(pos_all) - ndef)
                    if di >= 0:
                        default = unparse(init.args.defaults[di])
    info["init"] = {
        "line": init.lineno if init is not None else None,
        "params": params,
        "context_param": ctx_param,
        "context_param_position": pos,  # index among positional params after self
        "context_param_default": default,
        "context_param_annotation": param_annotation(init, ctx_param) if (init is not None and ctx_param) else None,
    }
    # attributes stored from the ctx param in __init__
    ctx_attrs, init_store_lines, resets_unconditionally = [], [], False
    if init is not None and ctx_param:
        for st in init.body:  # top level only -> "unconditional"
            if isinstance(st, (ast.Assign, ast.AnnAssign)):
                tgts = st.targets if isinstance(st, ast.Assign) else [st.target]
                if isinstance(st.value, ast.Name) and st.value.id == ctx_param:
                    for t in tgts:
                        if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id == "self":
                            ctx_attrs.append(t.attr)
                            init_store_lines.append(st.lineno)
                            resets_unconditionally = True
        for n in ast.walk(init):
            if isinstance(n, (ast.Assign, ast.AnnAssign)) and n.lineno not in init_store_lines:
                tgts = n.targets if isinstance(n, ast.Assign) else [n.target]
                if n.value is not None and any(isinstance(x, ast.Name) and x.id == ctx_param for x in ast.walk(n.value)):
                    for t in tgts:
                        if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id == "self" \
                                and isinstance(n.value, (ast.Name, ast.BoolOp, ast.IfExp, ast.Call)):
                            if t.attr not in ctx_attrs:
                                ctx_attrs.append(t.attr)
                                init_store_lines.append(n.lineno)
    # emitter code: methods that build/return a per-user emitter or read the ctx attr for it
    readers = []
    emitter_methods = {}
    for mname, fn in base.methods.items():
        reads = sorted({n.lineno for n in walk_no_nested(fn)
                        if isinstance(n, ast.Attribute) and isinstance(n.ctx, ast.Load)
                        and isinstance(n.value, ast.Name) and n.value.id == "self" and n.attr in ctx_attrs})
        calls = {_call_name(n) for n in walk_no_nested(fn) if isinstance(n, ast.Call)}
        emitterish = "emitter" in mname or any(c and "create_user_emitter" in c for c in calls)
        if reads:
            readers.append({"method": mname, "line": fn.lineno, "read_lines": reads, "emitter": emitterish})
        if emitterish:
            emitter_methods[mname] = fn
    # extra attrs read by emitter code and passed to create_user_emitter(...)
    for mname, fn in emitter_methods.items():
        for n in walk_no_nested(fn):
            if isinstance(n, ast.Call) and (_call_name(n) or "").endswith("create_user_emitter"):
                for a in n.args:
                    if isinstance(a, ast.Attribute) and isinstance(a.value, ast.Name) and a.value.id == "self" \
                            and a.attr not in ctx_attrs:
                        ctx_attrs.append(a.attr)
    # properties named like a ctx attr
    props = []
    for mname, fn in base.methods.items():
        if "property" in decorators(fn) and mname in ctx_attrs:
            props.append({"name": mname, "line": fn.lineno})
    # setters: methods (not __init__) that assign one of their params to a ctx attr
    setters = []
    for mname, fn in base.methods.items():
        if mname == "__init__":
            continue
        ps = set(positional_params(fn)[1:])
        tainted = set(ps)
        for st in iter_stmts(fn.body):
            if isinstance(st, ast.Assign) and isinstance(st.value, ast.Call) and \
                    any(isinstance(a, ast.Name) and a.id in tainted for a in st.value.args):
                for t in st.targets:
                    if isinstance(t, ast.Name):
                        tainted.add(t.id)
            if isinstance(st, (ast.Assign, ast.AnnAssign)):
                tgts = st.targets if isinstance(st, ast.Assign) else [st.target]
                if isinstance(st.value, ast.Name) and st.value.id in tainted:
                    for t in tgts:
                        if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and \
                                t.value.id == "self" and t.attr in ctx_attrs:
                            setters.append({"method": mname, "line": fn.lineno, "store_line": st.lineno, "attr": t.attr})
    info["context_attributes"] = ctx_attrs
    info["init_store_lines"] = init_store_lines
    info["init_resets_attribute_unconditionally"] = resets_unconditionally
    info["properties"] = props
    info["setters"] = setters
    info["readers"] = readers
    info["emitter_methods"] = sorted(emitter_methods)
    # how BaseAgent's emit_* / _send_update methods send events
    event_paths = []
    for mname, fn in sorted(base.methods.items(), key=lambda kv: kv[1].lineno):
        for n in walk_no_nested(fn):
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr.startswith("emit_"):
                recv = unparse(n.func.value)
                event_paths.append({"method": mname, "line": n.lineno, "call": f"{recv}.{n.func.attr}"})
    info["emit_calls"] = sorted(event_paths, key=lambda e: e["line"])
    return info


def _call_name(call):
    f = call.func
    if isinstance(f, ast.Name):
        return f.id
    if isinstance(f, ast.Attribute):
        return unparse(f)
    return None


# ---------------------------------------------------------------------------
# Flow interpreter
# ---------------------------------------------------------------------------

class Frame:
    def __init__(self, owner_key, fn, self_names, tainted, kw_taint, cls_names=()):
        self.owner_key = owner_key
        self.fn = fn
        self.self_names = set(self_names)   # names bound to the instance
        self.cls_names = set(cls_names)     # names bound to the class (classmethods)
        self.tainted = set(tainted)         # local names that hold the context
        self.kw_taint = dict(kw_taint)      # dict-var name -> set of keys holding the context


class Flow:
    def __init__(self, index, inst_key, base_key, base_info):
        self.index = index
        self.inst_key = inst_key
        self.inst_mro = index.mro(inst_key)
        self.base_key = base_key
        self.base_info = base_info
        self.ctx_attrs = set(base_info["context_attributes"])
        self.setter_names = {s["method"] for s in base_info["setters"]}
        self.base_ctx_param = base_info["init"]["context_param"]
        self.outcomes = []
        self.visited = []
        self.done = set()
        self.seq = 0

    # -- outcome bookkeeping
    def emit(self, kind, frame, node, **detail):
        self.seq += 1
        ci = self.index.classes.get(frame.owner_key)
        rec = {"seq": self.seq, "kind": kind, "in": f"{ci.name if ci else frame.owner_key}.{frame.fn.name}",
               "path": ci.path if ci else None, "line": getattr(node, "lineno", None)}
        rec.update(detail)
        self.outcomes.append(rec)

    # -- method lookup
    def lookup(self, mro, name, after=None):
        """First class in mro (optionally after `after`) defining `name`.
        Returns (key, fn) | ('ext', token) | (None, None)"""
        start = 0
        if after is not None and after in mro:
            start = mro.index(after) + 1
        for k in mro[start:]:
            if k.startswith("ext:") or k not in self.index.classes:
                tok = k[4:] if k.startswith("ext:") else k
                if tok in TRIVIAL_EXTERNAL_BASES or tok.split(".")[-1] in TRIVIAL_EXTERNAL_BASES:
                    continue
                return ("ext", tok)
            ci = self.index.classes[k]
            if ci.node is None:
                return ("unparsed", k)
            if name in ci.methods:
                return (k, ci.methods[name])
        return (None, None)

    # -- taint
    def tainted(self, frame, e):
        if e is None:
            return False
        if isinstance(e, ast.Name):
            return e.id in frame.tainted
        if isinstance(e, ast.BoolOp):
            return any(self.tainted(frame, v) for v in e.values)
        if isinstance(e, ast.IfExp):
            return self.tainted(frame, e.body) or self.tainted(frame, e.orelse)
        if isinstance(e, ast.NamedExpr):
            return self.tainted(frame, e.value)
        if isinstance(e, ast.Await):
            return self.tainted(frame, e.value)
        if isinstance(e, ast.Call):
            f = e.func
            fname = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""
            if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id in frame.kw_taint \
                    and f.attr in ("get", "pop") and e.args and isinstance(e.args[0], ast.Constant) \
                    and e.args[0].value in frame.kw_taint[f.value.id]:
                return True
            if fname and PASSTHROUGH_FUNCS.search(fname) and any(self.tainted(frame, a) for a in e.args):
                return True
            return False
        if isinstance(e, ast.Subscript) and isinstance(e.value, ast.Name) and e.value.id in frame.kw_taint:
            sl = e.slice
            return isinstance(sl, ast.Constant) and sl.value in frame.kw_taint[e.value.id]
        return False

    def is_self(self, frame, e):
        return isinstance(e, ast.Name) and e.id in frame.self_names

    # -- argument binding
    def bind(self, frame, call, fn, skip_params, skip_args=0):
        """Bind call args to fn's params. Returns (tainted_params, kw_keys, problems, untainted_ctx_kw)."""
        params = positional_params(fn)[skip_params:]
        names = set(params) | {a.arg for a in fn.args.kwonlyargs}
        tp, kwkeys, problems = set(), set(), []
        explicit_none_ctx = False
        supplied = set()
        has_star = False
        for i, a in enumerate(call.args[skip_args:]):
            if isinstance(a, ast.Starred):
                has_star = True
                if self.tainted(frame, a.value):
                    problems.append("context passed through *args")
                continue
            if i < len(params):
                supplied.add(params[i])
                if self.tainted(frame, a):
                    tp.add(params[i])
            elif fn.args.vararg is None:
                problems.append(f"too many positional arguments ({len(call.args) - skip_args} > {len(params)})")
            elif self.tainted(frame, a):
                problems.append(f"context lands in *{fn.args.vararg.arg}")
        for kw in call.keywords:
            if kw.arg is None:
                has_star = True
                if isinstance(kw.value, ast.Name) and kw.value.id in frame.kw_taint:
                    for k in frame.kw_taint[kw.value.id]:
                        if k in names:
                            tp.add(k)
                        elif fn.args.kwarg is not None:
                            kwkeys.add(k)
                        else:
                            problems.append(f"unexpected keyword {k!r} (via **{kw.value.id})")
                continue
            supplied.add(kw.arg)
            t = self.tainted(frame, kw.value)
            if kw.arg in names:
                if t:
                    tp.add(kw.arg)
                elif kw.arg == self.base_ctx_param:
                    explicit_none_ctx = True
            elif fn.args.kwarg is not None:
                if t:
                    kwkeys.add(kw.arg)
            else:
                problems.append(f"unexpected keyword argument {kw.arg!r}")
        if not has_star:
            req, req_kw = required_params(fn, skip_first=False)
            req = [p for p in req if p in params]
            missing = [p for p in req + req_kw if p not in supplied]
            if missing:
                problems.append("missing required argument(s) " + ", ".join(repr(m) for m in missing))
        return tp, kwkeys, problems, explicit_none_ctx

    # -- interpretation
    def run(self, owner_key, fn, self_names, tainted, kw_taint, depth, chain, cls_names=()):
        if depth > MAX_DEPTH or id(fn) in chain:
            return
        if fn.name != "__init__":  # ordering matters only for constructor chains
            memo = (id(fn), frozenset(tainted), frozenset((k, frozenset(v)) for k, v in kw_taint.items()),
                    bool(cls_names))
            if memo in self.done:
                return
            self.done.add(memo)
        chain = chain | {id(fn)}
        oci = self.index.classes.get(owner_key)
        self.visited.append(f"{oci.name if oci else owner_key}.{fn.name}:{fn.lineno}")
        frame = Frame(owner_key, fn, self_names, tainted, kw_taint, cls_names)
        for st, conditional in iter_stmts(fn.body, with_flag=True):
            exprs = header_exprs(st) if isinstance(st, COMPOUND) else [st]
            calls = []
            for e in exprs:
                calls.extend(n for n in walk_no_nested(e) if isinstance(n, ast.Call))
            calls.sort(key=lambda c: (c.lineno, c.col_offset))
            handled_assign_call = None
            for c in calls:
                res = self.handle_call(frame, c, depth, chain)
                if res == "instance" and isinstance(st, ast.Assign) and st.value is c:
                    handled_assign_call = c
            if isinstance(st, (ast.Assign, ast.AnnAssign)) and st.value is not None:
                tgts = st.targets if isinstance(st, ast.Assign) else [st.target]
                self.handle_assign(frame, st, tgts, st.value, handled_assign_call is not None, conditional)
            elif isinstance(st, ast.Return) and st.value is not None:
                pass
        return frame

    def handle_assign(self, frame, st, tgts, value, value_is_instance, conditional=False):
        t = self.tainted(frame, value)
        if isinstance(value, ast.Call) and CTX_TYPE_RE.search(unparse(value.func)) or \
                isinstance(value, ast.Call) and unparse(value.func).split(".")[-1] in self.ctx_alias_names(frame):
            for tgt in tgts:
                if isinstance(tgt, ast.Attribute) and self.is_self(frame, tgt.value):
                    self.emit("synthesized-context", frame, st, attr=tgt.attr, value=shape(value))
        for tgt in tgts:
            if isinstance(tgt, ast.Name):
                if value_is_instance:
                    frame.self_names.add(tgt.id)
                if t:
                    frame.tainted.add(tgt.id)
                elif not conditional:  # may-analysis: only an unconditional re-binding kills the taint
                    frame.tainted.discard(tgt.id)
                if isinstance(value, ast.Dict) and t is False:
                    keys = {k.value for k, v in zip(value.keys, value.values)
                            if isinstance(k, ast.Constant) and self.tainted(frame, v)}
                    if keys:
                        frame.kw_taint[tgt.id] = keys
            elif isinstance(tgt, ast.Attribute) and self.is_self(frame, tgt.value):
                if tgt.attr in self.ctx_attrs:
                    if t:
                        self.emit("attr-ok", frame, st, attr=tgt.attr)
                    else:
                        self.emit("attr-clobber", frame, st, attr=tgt.attr, value=shape(value))
                elif t:
                    self.emit("attr-other", frame, st, attr=tgt.attr)
            elif isinstance(tgt, ast.Attribute) and t:
                self.emit("stored-on-other-object", frame, st, target=shape(tgt))
            elif isinstance(tgt, ast.Subscript) and isinstance(tgt.value, ast.Name) and t:
                key = tgt.slice.value if isinstance(tgt.slice, ast.Constant) else None
                if key is not None:
                    frame.kw_taint.setdefault(tgt.value.id, set()).add(key)

    def ctx_alias_names(self, frame):
        """Local names bound to the UserExecutionContext class in the owner's module (e.g. `as UEC`)."""
        ci = self.index.classes.get(frame.owner_key)
        if ci is None:
            return set()
        cache = getattr(self, "_alias_cache", {})
        self._alias_cache = cache
        if ci.module not in cache:
            names = set()
            for name, binds in self.index.modules[ci.module].bindings.items():
                if any(b[0] == "from" and b[2] == "UserExecutionContext" for b in binds):
                    names.add(name)
            for n in walk_no_nested(frame.fn):
                if isinstance(n, ast.ImportFrom):
                    for a in n.names:
                        if a.name == "UserExecutionContext":
                            names.add(a.asname or a.name)
            cache[ci.module] = names
        return cache[ci.module]

    def _is_super_call(self, e):
        return isinstance(e, ast.Call) and isinstance(e.func, ast.Name) and e.func.id == "super"

    def handle_call(self, frame, c, depth, chain):
        f = c.func
        any_taint = any(self.tainted(frame, a.value if isinstance(a, ast.Starred) else a) for a in c.args) or \
            any(self.tainted(frame, k.value) or (k.arg is None and isinstance(k.value, ast.Name)
                                                  and k.value.id in frame.kw_taint) for k in c.keywords)
        # setattr(self, "user_context", ctx)
        if isinstance(f, ast.Name) and f.id == "setattr" and len(c.args) == 3 and self.is_self(frame, c.args[0]) \
                and isinstance(c.args[1], ast.Constant):
            attr = c.args[1].value
            if self.tainted(frame, c.args[2]):
                self.emit("attr-ok" if attr in self.ctx_attrs else "attr-other", frame, c, attr=attr)
            return None
        # cls(...) inside a classmethod -> constructing the instance class
        if isinstance(f, ast.Name) and f.id in frame.cls_names:
            self.construct(frame, c, depth, chain)
            return "instance"
        if not isinstance(f, ast.Attribute):
            if any_taint:
                self.emit("passed", frame, c, callee=shape(f))
            return None
        recv, meth = f.value, f.attr
        # __init__ chaining
        if meth == "__init__":
            if self._is_super_call(recv):
                target = self.lookup(self.inst_mro, "__init__", after=frame.owner_key)
                self.call_init(frame, c, target, skip_args=0, depth=depth, chain=chain)
                return None
            if c.args and self.is_self(frame, c.args[0]):
                r = self.index.resolve_expr(self.index.classes[frame.owner_key].module, recv) \
                    if frame.owner_key in self.index.classes else None
                if r and r[0] == "class":
                    target = self.lookup(self.index.mro(r[1]), "__init__")
                else:
                    target = ("ext", unparse(recv))
                self.call_init(frame, c, target, skip_args=1, depth=depth, chain=chain)
                return None
        # self.method(...) / super().method(...) / cls.method(...)
        target = None
        is_instance_call = False
        if self.is_self(frame, recv):
            target = self.lookup(self.inst_mro, meth)
            is_instance_call = True
        elif self._is_super_call(recv):
            target = self.lookup(self.inst_mro, meth, after=frame.owner_key)
            is_instance_call = True
        elif isinstance(recv, ast.Name) and recv.id in frame.cls_names:
            target = self.lookup(self.inst_mro, meth)
        if target is not None:
            k, fn = target
            if k == self.base_key and meth in self.setter_names:
                if any_taint:
                    self.emit("setter", frame, c, method=meth)
                elif c.args and isinstance(c.args[0], ast.Constant) and c.args[0].value is None:
                    self.emit("attr-clobber", frame, c, attr=f"{meth}(None)", value="None")
                return None
            if k not in (None, "ext", "unparsed") and fn is not None:
                decs = decorators(fn)
                if "staticmethod" in decs:
                    skip = 0
                else:
                    skip = 1
                if any_taint or "classmethod" in decs:
                    tp, kwkeys, problems, _ = self.bind(frame, c, fn, skip_params=skip)
                    kwname = fn.args.kwarg.arg if fn.args.kwarg else None
                    params = positional_params(fn)
                    selfn = params[0] if params and skip else None
                    self_names = {selfn} if (selfn and "classmethod" not in decs) else set()
                    cls_names = {selfn} if (selfn and "classmethod" in decs) else set()
                    self.run(k, fn, self_names, tp, {kwname: kwkeys} if kwname and kwkeys else {},
                             depth + 1, chain, cls_names=cls_names)
                    if "classmethod" in decs and meth.startswith("create"):
                        return "instance"
                return None
            if any_taint:
                self.emit("unresolved" if k in ("ext", "unparsed") else "passed", frame, c,
                          callee=f"{shape(recv)}.{meth}", note=(fn if isinstance(fn, str) else None))
            return None
        # agent.set_user_context(ctx) on some other object, etc.
        if any_taint:
            self.emit("passed", frame, c, callee=shape(f))
        return None

    def call_init(self, frame, c, target, skip_args, depth, chain):
        k, fn = target
        if k is None:
            return  # object.__init__
        if k in ("ext", "unparsed"):
            self.emit("unresolved", frame, c, callee="__init__", note=f"{k}:{fn}")
            return
        tp, kwkeys, problems, explicit_none = self.bind(frame, c, fn, skip_params=1, skip_args=skip_args)
        for p in problems:
            self.emit("bind-problem", frame, c, target=f"{self.index.classes[k].name}.__init__", problem=p)
        self.enter_init(frame, c, k, fn, tp, kwkeys, depth, chain)

    def enter_init(self, frame, c, k, fn, tp, kwkeys, depth, chain):
        if k == self.base_key:
            ctxp = self.base_ctx_param
            if ctxp and ctxp in tp:
                self.emit("base-param", frame, c, param=ctxp)
            else:
                self.emit("base-init-no-ctx", frame, c)
            for p in sorted(tp - {ctxp}):
                self.emit("base-misbound", frame, c, param=p)
            if kwkeys:
                self.emit("base-misbound", frame, c, param="**" + ",".join(sorted(kwkeys)))
            return
        params = positional_params(fn)
        selfn = params[0] if params else "self"
        kwname = fn.args.kwarg.arg if fn.args.kwarg else None
        self.run(k, fn, {selfn}, tp, {kwname: kwkeys} if kwname and kwkeys else {}, depth + 1, chain)

    def construct(self, frame, c, depth, chain):
        target = self.lookup(self.inst_mro, "__init__")
        k, fn = target
        if k is None:
            return
        if k in ("ext", "unparsed"):
            self.emit("unresolved", frame, c, callee="cls(...)", note=f"{k}:{fn}")
            return
        tp, kwkeys, problems, _ = self.bind(frame, c, fn, skip_params=1)
        for p in problems:
            self.emit("bind-problem", frame, c, target=f"{self.index.classes[k].name}.__init__", problem=p)
        self.enter_init(frame, c, k, fn, tp, kwkeys, depth, chain)


def judge(outcomes, channel):
    """Replay outcomes in order; returns (verdict, detail, how)."""
    state, how, reset_by = None, None, None
    other, misbound, unresolved, problems = [], [], [], []
    for o in sorted(outcomes, key=lambda o: o["seq"]):
        k = o["kind"]
        if k in ("base-param", "setter", "attr-ok"):
            state, how = "set", o
        elif k in ("base-init-no-ctx", "attr-clobber"):
            if state == "set":
                state, reset_by = "reset", o
        elif k == "attr-other":
            other.append(o["attr"])
        elif k == "base-misbound":
            misbound.append(o)
        elif k == "unresolved":
            unresolved.append(o)
        elif k == "bind-problem":
            problems.append(o)
    if channel == "factory" and problems:
        p = problems[0]
        return ("fails", f"{p['in']} line {p['line']}: cls(...) -> {p['target']}: {p['problem']} (TypeError)", None)
    if state == "set":
        return ("ok", _describe(how), how)
    if state == "reset":
        return ("dropped", f"stored via {_describe(how)} but then reset by {_describe(reset_by)}", None)
    if misbound:
        m = misbound[0]
        return ("dropped", f"context bound to BaseAgent.__init__ parameter {m['param']!r} at {m['in']} line {m['line']}", None)
    if other:
        uniq = sorted(set(other))
        return ("stored-elsewhere:" + ",".join(uniq), f"context stored in self.{', self.'.join(uniq)}", None)
    if unresolved:
        u = unresolved[0]
        return ("unknown", f"chain leaves the index at {u['in']} line {u['line']} ({u.get('note') or u.get('callee')})", None)
    return ("dropped", "context accepted but never stored where BaseAgent reads it", None)


def _describe(o):
    if o is None:
        return "?"
    k = o["kind"]
    if k == "base-param":
        return f"{o['in']} line {o['line']} -> BaseAgent.__init__({o['param']}=...)"
    if k == "setter":
        return f"{o['in']} line {o['line']} -> self.{o['method']}(...)"
    if k == "attr-ok":
        return f"{o['in']} line {o['line']} -> self.{o['attr']} = ..."
    if k == "base-init-no-ctx":
        return f"BaseAgent.__init__ called without the context at {o['in']} line {o['line']}"
    if k == "attr-clobber":
        return f"self.{o['attr']} = {o.get('value')} at {o['in']} line {o['line']}"
    return f"{k} at {o['in']} line {o['line']}"


# ---------------------------------------------------------------------------
# Per-agent analysis
# ---------------------------------------------------------------------------

def first_ctx_params(fn, skip):
    params = positional_params(fn)[skip:] + [a.arg for a in fn.args.kwonlyargs]
    return [p for p in params if is_ctx_param(fn, p)]


def analyse_agent(index, ci, base_key, base_info):
    mro = index.mro(ci.key)
    chain_unparsed = [k for k in mro[: mro.index(base_key)] if k in index.classes and index.classes[k].recovered]
    rec = {
        "class": ci.name,
        "qualname": ci.qualname,
        "module": ci.module,
        "path": ci.path,
        "line": ci.line,
        "bases": ci.base_src,
        "resolved_bases": [b if b.startswith("ext:") else b for b in index.resolved_bases(ci)],
        "mro_to_base": [k.split(":", 1)[-1] if not k.startswith("ext:") else k for k in mro[: mro.index(base_key) + 1]],
        "scope": ci.scope,
    }
    if chain_unparsed:
        bad = [index.classes[k] for k in chain_unparsed]
        rec["verdict"] = "unknown"
        rec["detail"] = "class chain goes through a file that does not parse: " + "; ".join(
            f"{b.name} ({b.path}: {index.modules[b.module].parse_error['error']} at line "
            f"{index.modules[b.module].parse_error['line']})" for b in bad)
        rec["unparsed_chain"] = [index.classes[k].path for k in chain_unparsed]
    # ---- constructor channel
    flow = Flow(index, ci.key, base_key, base_info)
    target = flow.lookup(mro, "__init__")
    k, fn = target
    ctor = {}
    if k == base_key:
        ctor = {"init_owner": "BaseAgent", "accepts": f"{base_info['init']['context_param']} (inherited)",
                "verdict": "ok", "detail": f"inherits BaseAgent.__init__ (parameter {base_info['init']['context_param']!r})"}
    elif k in ("ext", "unparsed") or k is None:
        ctor = {"init_owner": str(fn), "verdict": "unknown", "detail": f"effective __init__ not analysable ({k}:{fn})"}
    else:
        owner = index.classes[k]
        cps = first_ctx_params(fn, 1)
        kwname = fn.args.kwarg.arg if fn.args.kwarg else None
        ctor["init_owner"] = owner.name
        ctor["init_line"] = fn.lineno
        ctor["init_path"] = owner.path
        ctor["init_params"] = all_params(fn)[1:] + ([f"**{kwname}"] if kwname else [])
        selfn = positional_params(fn)[0] if positional_params(fn) else "self"
        if cps:
            ctor["accepts"] = ", ".join(f"{p}: {param_annotation(fn, p)}" for p in cps)
            flow.run(k, fn, {selfn}, set(cps), {}, 0, frozenset())
            v, d, _ = judge(flow.outcomes, "ctor")
        elif kwname:
            ctor["accepts"] = f"**{kwname} (as {base_info['init']['context_param']}=)"
            flow.run(k, fn, {selfn}, set(), {kwname: {base_info['init']['context_param']}}, 0, frozenset())
            if not any(o["kind"] in ("base-param", "setter", "attr-ok", "attr-other", "base-misbound", "unresolved")
                       for o in flow.outcomes):
                v, d = "not-accepted", f"only **{kwname}, which is never forwarded (a user_context= keyword is swallowed)"
            else:
                v, d, _ = judge(flow.outcomes, "ctor")
        else:
            ctor["accepts"] = None
            v, d = "not-accepted", f"{owner.name}.__init__({', '.join(all_params(fn)[1:])}) has no context parameter"
            flow.run(k, fn, {selfn}, set(), {}, 0, frozenset())  # still record stores (e.g. resets)
        ctor["verdict"], ctor["detail"] = v, d
        ctor["events"] = _slim(flow.outcomes)
        ctor["visited"] = flow.visited[:30]
        _note_synth(ctor, flow.outcomes)
    rec["ctor"] = ctor
    # ---- factory channel (create_agent_with_context)
    rec["factory"] = analyse_entry(index, ci, base_key, base_info, "create_agent_with_context", classmethod_=True)
    rec["factory_create_with_context"] = analyse_entry(index, ci, base_key, base_info, "create_with_context",
                                                       classmethod_=True)
    # ---- runtime channel (execute)
    rec["runtime"] = analyse_entry(index, ci, base_key, base_info, "execute", classmethod_=False)
    if "verdict" not in rec:
        rec["verdict"], rec["detail"] = ctor["verdict"], ctor["detail"]
    rec["reaches"] = {
        "ctor": rec["verdict"] == "ok",
        "factory": rec["factory"].get("verdict") == "ok",
        "runtime": rec["runtime"].get("verdict") == "ok",
    }
    rec["reaches"]["any"] = any(rec["reaches"].values()) and rec["verdict"] != "unknown"
    return rec


def _slim(outcomes):
    keep = []
    for o in outcomes:
        if o["kind"] == "passed":
            continue
        keep.append({k: v for k, v in o.items() if k != "seq"})
    return keep[:25]


def analyse_entry(index, ci, base_key, base_info, name, classmethod_):
    flow = Flow(index, ci.key, base_key, base_info)
    k, fn = flow.lookup(index.mro(ci.key), name)
    if k is None:
        return {"verdict": "absent"}
    if k in ("ext", "unparsed"):
        return {"verdict": "unknown", "detail": f"{name} not analysable ({k}:{fn})"}
    owner = index.classes[k]
    params = positional_params(fn)
    decs = decorators(fn)
    is_cm = "classmethod" in decs
    first = params[0] if params else None
    rest = params[1:] if (is_cm or not "staticmethod" in decs) else params
    if not rest:
        return {"owner": owner.name, "line": fn.lineno, "verdict": "not-accepted",
                "detail": f"{owner.name}.{name}() takes no arguments"}
    entry = rest[0]
    ann = param_annotation(fn, entry)
    res = {"owner": owner.name, "line": fn.lineno, "path": owner.path, "param": entry, "annotation": ann}
    if ann and not CTX_TYPE_RE.search(ann) and NON_CTX_ANN_RE.search(ann):
        res["note"] = f"first parameter is {entry}: {ann}, not a UserExecutionContext"
    flow.run(k, fn, set() if is_cm else {first}, {entry}, {}, 0, frozenset(),
             cls_names={first} if is_cm else set())
    v, d, _ = judge(flow.outcomes, "factory" if classmethod_ else "runtime")
    res["verdict"], res["detail"] = v, d
    res["events"] = _slim(flow.outcomes)
    res["visited"] = flow.visited[:30]
    _note_synth(res, flow.outcomes)
    if index.classes[k].recovered:
        res["note"] = (res.get("note", "") + " from a repaired parse of an unparseable file").strip()
    return res


def _note_synth(rec, outcomes):
    synth = [o for o in outcomes if o["kind"] == "synthesized-context"]
    if synth:
        rec["synthesized_contexts"] = [f"self.{o['attr']} = {o['value']} ({o['in']} line {o['line']})" for o in synth]


# ---------------------------------------------------------------------------
# External injection points (informative)
# ---------------------------------------------------------------------------

def external_injections(index, base_info):
    setter_names = {s["method"] for s in base_info["setters"]}
    attrs = set(base_info["context_attributes"])
    out = []
    for mod in index.modules.values():
        if mod.tree is None or not mod.path.startswith("app/"):
            continue
        for n in ast.walk(mod.tree):
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and \
                    (n.func.attr in setter_names or n.func.attr in ("create_agent_with_context", "create_with_context")) \
                    and not (isinstance(n.func.value, ast.Name) and n.func.value.id in ("self", "cls")):
                out.append({"path": mod.path, "line": n.lineno, "method": n.func.attr,
                            "receiver": shape(n.func.value)})
    return sorted(out, key=lambda r: (r["path"], r["line"]))


# ---------------------------------------------------------------------------

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    ap.add_argument("tree")
    ap.add_argument("--package", default="netra_backend")
    ap.add_argument("--base-module", default="app.agents.base_agent")
    ap.add_argument("--base-class", default="BaseAgent")
    ap.add_argument("--app-prefix", default="app/")
    ap.add_argument("--output")
    args = ap.parse_args(argv)

    index = Index(args.tree, args.package)
    base_mod = f"{args.package}.{args.base_module}"
    if base_mod not in index.modules or args.base_class not in index.modules[base_mod].classes:
        print(f"error: {args.base_class} not found in {base_mod}", file=sys.stderr)
        return 2
    base = index.modules[base_mod].classes[args.base_class]
    base_info = analyse_base(index, base)

    agents, non_app = [], Counter()
    for ci in sorted(index.classes.values(), key=lambda c: (c.path, c.line)):
        if ci.key == base.key:
            continue
        if base.key not in index.mro(ci.key):
            continue
        if not ci.path.startswith(args.app_prefix):
            non_app[ci.path.split("/")[0]] += 1
            continue
        agents.append(analyse_agent(index, ci, base.key, base_info))

    has_sink = bool(base_info["init"]["context_param"] and base_info["context_attributes"])
    if not has_sink:
        for a in agents:
            a["verdict_raw"] = a["verdict"]
            a["verdict"] = "n/a"
            a["detail"] = "BaseAgent has no user-context parameter/attribute at this commit; " + a["detail"]
            a["reaches"] = {"ctor": False, "factory": False, "runtime": False, "any": False}
            for ch in ("factory", "factory_create_with_context", "runtime"):
                if a[ch].get("verdict") not in (None, "absent"):
                    a[ch]["verdict_raw"] = a[ch]["verdict"]
                    a[ch]["verdict"] = "n/a"

    by_verdict = defaultdict(list)
    for a in agents:
        by_verdict[a["verdict"]].append(a["class"])
    never = [a for a in agents if a["verdict"] != "ok"]
    summary = {
        "tree": os.path.abspath(args.tree),
        "base": {k: base_info[k] for k in ("class", "path", "line")},
        "agents_total": len(agents),
        "agents_module_level": sum(1 for a in agents if a["scope"] == "module"),
        "subclasses_outside_app": dict(non_app),
        "verdict_counts": {k: len(v) for k, v in sorted(by_verdict.items())},
        "by_verdict": {k: sorted(v) for k, v in sorted(by_verdict.items())},
        "ctor_not_ok_count": len(never),
        "ctor_not_ok": sorted(f"{a['class']} ({a['path']}:{a['line']})" for a in never),
        "factory_verdict_counts": dict(Counter(a["factory"].get("verdict") for a in agents)),
        "runtime_verdict_counts": dict(Counter(a["runtime"].get("verdict") for a in agents)),
        "never_reaches_any_channel": sorted(a["class"] for a in agents if not a["reaches"]["any"]),
        "parse_failures": index.parse_failures,
    }
    result = {
        "tool": "agent_context_audit",
        "summary": summary,
        "base_agent": base_info,
        "external_injection_calls": external_injections(index, base_info),
        "agents": agents,
    }
    text = json.dumps(result, indent=1, sort_keys=False, default=str)
    if args.output:
        os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
        with open(args.output, "w") as fh:
            fh.write(text + "\n")
    # human summary
    print(f"BaseAgent: {base.path}:{base.line}; __init__ context param "
          f"{base_info['init']['context_param']!r} (position {base_info['init']['context_param_position']}); "
          f"attributes {base_info['context_attributes']}; setters "
          f"{[s['method'] + ':' + str(s['line']) for s in base_info['setters']]}")
    for r in base_info["readers"]:
        print(f"  reads in {r['method']} (line {r['line']}): lines {r['read_lines']}{' [emitter]' if r['emitter'] else ''}")
    print(f"agents under {args.app_prefix}: {len(agents)}  verdicts: {summary['verdict_counts']}")
    print(f"  factory: {summary['factory_verdict_counts']}  runtime: {summary['runtime_verdict_counts']}")
    for v, names in summary["by_verdict"].items():
        if v != "ok":
            print(f"  {v}: {', '.join(sorted(names))}")
    if index.parse_failures:
        print("parse failures:", ", ".join(f"{p['path']}:{p['line']}" for p in index.parse_failures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
