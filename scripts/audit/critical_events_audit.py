#!/usr/bin/env python3
"""Independent NIL403 ground truth: which critical events have a working production send
through a per-user WebSocket emitter?

Stdlib only, ast based; never imports the analysed tree nor ``netra_isolation_lint``
(it reuses the module index of the sibling ``agent_context_audit.py`` script).

Usage::

    python scripts/audit/critical_events_audit.py TREE [--package netra_backend]
        [--emitter-dir app/websocket_core/] [--output FILE.json]

Steps
-----
1. Emitter classes: classes defined under ``--emitter-dir`` that define at least one
   ``emit_<critical event>`` method, plus their subclasses.  Every module-level name
   in the tree that resolves to one of them (``UserWebSocketEmitter =
   UnifiedWebSocketEmitter``, ``import ... as WebSocketEventEmitter``) is an alias.
2. Candidate production calls (files under ``app/``):
   * ``R.emit_<event>(...)``          (direct per-event emit)
   * ``R.notify_<event>(...)``        (per-event notify wrapper)
   * ``R.<helper>(..., "<event>", ...)`` / ``helper(event_type="<event>")`` where the
     helper name looks like emit/notify/send/publish/broadcast and an argument is the
     event name literal.
3. The receiver ``R`` is typed by a small flow-insensitive inference: ``self``, parameter
   annotations, local assignments, ``self.<attr>`` assignments anywhere in the class MRO,
   constructor calls, return annotations and (unannotated) return expressions of
   resolved methods, ``await``; failing that, a receiver whose name contains "emitter"
   is *assumed* to be the emitter (flagged ``assumed``).
4. Each call on an emitter-typed receiver is judged: does the method exist on the
   emitter class (MRO, ``__getattr__`` noted), do the arguments bind to its signature,
   is the coroutine awaited (or handed to create_task/gather/ensure_future/returned),
   does the module parse?  Calls inside the emitter class itself are reported as
   ``internal`` (they show whether notify_* wrappers forward correctly).
"""
from __future__ import annotations

import argparse
import ast
import json
import os
import re
import sys
from collections import Counter, defaultdict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from agent_context_audit import (  # noqa: E402  (sibling audit script, not the linter)
    Index, positional_params, decorators, walk_no_nested, shape, unparse,
)

CRITICAL = ["agent_started", "agent_thinking", "tool_executing", "tool_completed", "agent_completed"]
HELPER_RE = re.compile(r"^_*(emit|notify|send|publish|broadcast|dispatch)(_[a-z_]+)?$")
EVENT_KWS = {"event_type", "event", "type", "event_name", "message_type"}
AWAIT_WRAPPERS = {"create_task", "gather", "ensure_future", "wait_for", "shield", "run_coroutine_threadsafe",
                  "wait", "as_completed", "run"}
MAX_DEPTH = 5


def strip_optional(ann):
    """Yield candidate type expressions from an annotation node."""
    if ann is None:
        return
    if isinstance(ann, ast.Constant) and isinstance(ann.value, str):
        try:
            ann = ast.parse(ann.value, mode="eval").body
        except SyntaxError:
            return
    if isinstance(ann, ast.Subscript):
        head = unparse(ann.value).split(".")[-1]
        if head in ("Optional", "Union", "Awaitable", "Coroutine", "Type"):
            sl = ann.slice
            items = sl.elts if isinstance(sl, ast.Tuple) else [sl]
            if head == "Coroutine" and items:
                items = items[-1:]
            for it in items:
                yield from strip_optional(it)
            return
    if isinstance(ann, ast.BinOp) and isinstance(ann.op, ast.BitOr):
        yield from strip_optional(ann.left)
        yield from strip_optional(ann.right)
        return
    if isinstance(ann, ast.Constant) and ann.value is None:
        return
    yield ann


class Model:
    def __init__(self, index, emitter_dir, app_prefix):
        self.index = index
        self.app_prefix = app_prefix
        self.emitter_roots = []
        for ci in index.classes.values():
            if ci.path.startswith(emitter_dir) and ci.node is not None and \
                    any(f"emit_{e}" in ci.methods for e in CRITICAL):
                self.emitter_roots.append(ci.key)
        self.emitters = set()
        for ci in index.classes.values():
            mro = index.mro(ci.key)
            if any(r in mro for r in self.emitter_roots):
                self.emitters.add(ci.key)
        # aliases: every module-level binding resolving to an emitter class
        self.aliases = defaultdict(set)  # name -> {class key}
        for mod in index.modules.values():
            for name in list(mod.bindings):
                r = index.resolve_name(mod.name, name)
                if r and r[0] == "class" and r[1] in self.emitters:
                    self.aliases[name].add(r[1])
        # functions by name (for return-type inference on untyped receivers)
        self.defs_by_name = defaultdict(list)
        for ci in index.classes.values():
            for mname, fn in ci.methods.items():
                self.defs_by_name[mname].append((ci.key, fn))
        self._attr_cache = {}
        self._ret_cache = {}

    # -- annotation -> types
    def ann_types(self, modname, ann, fn=None):
        out = set()
        for t in strip_optional(ann):
            r = None
            if isinstance(t, (ast.Name, ast.Attribute)):
                if fn is not None and isinstance(t, ast.Name):
                    r = self.local_import(modname, fn, t.id)
                if r is None:
                    r = self.index.resolve_expr(modname, t)
            if r and r[0] == "class":
                out.add(r[1])
            elif isinstance(t, ast.Name) and t.id in self.aliases:
                out |= self.aliases[t.id]
            elif isinstance(t, ast.Attribute) and t.attr in self.aliases:
                out |= self.aliases[t.attr]
        return out

    def local_import(self, modname, fn, name):
        for n in walk_no_nested(fn):
            if isinstance(n, ast.ImportFrom):
                for a in n.names:
                    if (a.asname or a.name) == name:
                        base = self.index._abs_module(self.index.modules[modname], n.module or "", n.level or 0)
                        return self.index._resolve_binding(self.index.modules[modname], ("from", base, a.name), set())
        return None

    # -- class attributes
    def attr_types(self, cls_key, attr, depth):
        key = (cls_key, attr)
        if key in self._attr_cache:
            return self._attr_cache[key]
        self._attr_cache[key] = set()  # recursion guard
        out = set()
        for k in self.index.mro(cls_key):
            ci = self.index.classes.get(k)
            if ci is None or ci.node is None:
                continue
            for st in ci.node.body:  # class-level annotations
                if isinstance(st, ast.AnnAssign) and isinstance(st.target, ast.Name) and st.target.id == attr:
                    out |= self.ann_types(ci.module, st.annotation)
            for mname, fn in ci.methods.items():
                if "property" in decorators(fn) and mname == attr:
                    out |= self.return_types(k, fn, depth + 1)
                env = None
                for n in walk_no_nested(fn):
                    tgts = []
                    if isinstance(n, ast.Assign):
                        tgts = n.targets
                    elif isinstance(n, ast.AnnAssign):
                        tgts = [n.target]
                    for t in tgts:
                        if isinstance(t, ast.Attribute) and t.attr == attr and isinstance(t.value, ast.Name) \
                                and t.value.id == (positional_params(fn)[:1] or ["self"])[0]:
                            if isinstance(n, ast.AnnAssign):
                                out |= self.ann_types(ci.module, n.annotation, fn)
                            if n.value is not None:
                                env = env or Env(self, k, fn)
                                out |= env.infer(n.value, depth + 1)
        self._attr_cache[key] = out
        return out

    def return_types(self, cls_key, fn, depth):
        key = id(fn)
        if key in self._ret_cache:
            return self._ret_cache[key]
        self._ret_cache[key] = set()
        ci = self.index.classes.get(cls_key)
        modname = ci.module if ci else cls_key
        out = self.ann_types(modname, fn.returns, fn) if fn.returns is not None else set()
        if not out and depth < MAX_DEPTH:
            env = Env(self, cls_key, fn)
            for n in walk_no_nested(fn):
                if isinstance(n, ast.Return) and n.value is not None:
                    out |= env.infer(n.value, depth + 1)
        self._ret_cache[key] = out
        return out

    def lookup_method(self, cls_key, name):
        for k in self.index.mro(cls_key):
            ci = self.index.classes.get(k)
            if ci is None or ci.node is None:
                continue
            if name in ci.methods:
                return k, ci.methods[name]
        return None, None


class Env:
    """Flow-insensitive local typing inside one function."""

    def __init__(self, model, cls_key, fn, modname=None, closure_self=None):
        self.m = model
        self.cls_key = cls_key
        self.fn = fn
        ci = model.index.classes.get(cls_key) if cls_key else None
        self.modname = ci.module if ci else modname
        params = positional_params(fn)
        decs = decorators(fn)
        self.self_name = params[0] if (ci and params and "staticmethod" not in decs and "classmethod" not in decs) else None
        self.cls_name = params[0] if (ci and params and "classmethod" in decs) else None
        if closure_self:
            self.self_name, self.cls_name = closure_self, None
        self.locals = defaultdict(list)
        for n in walk_no_nested(fn):
            if isinstance(n, ast.Assign):
                for t in n.targets:
                    if isinstance(t, ast.Name):
                        self.locals[t.id].append(n.value)
            elif isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name):
                self.locals[n.target.id].append(("ann", n.annotation))
                if n.value is not None:
                    self.locals[n.target.id].append(n.value)
            elif isinstance(n, ast.NamedExpr):
                self.locals[n.target.id].append(n.value)
            elif isinstance(n, (ast.With, ast.AsyncWith)):
                for it in n.items:
                    if isinstance(it.optional_vars, ast.Name):
                        self.locals[it.optional_vars.id].append(it.context_expr)
        self.params = {a.arg: a.annotation for a in fn.args.posonlyargs + fn.args.args + fn.args.kwonlyargs}
        self._busy = set()

    def infer(self, e, depth=0):
        if depth > MAX_DEPTH or e is None:
            return set()
        if isinstance(e, ast.Await):
            return self.infer(e.value, depth)
        if isinstance(e, (ast.IfExp,)):
            return self.infer(e.body, depth) | self.infer(e.orelse, depth)
        if isinstance(e, ast.BoolOp):
            out = set()
            for v in e.values:
                out |= self.infer(v, depth)
            return out
        if isinstance(e, ast.Name):
            if e.id == self.self_name and self.cls_key:
                return {self.cls_key}
            if e.id in self._busy:
                return set()
            self._busy.add(e.id)
            try:
                out = set()
                if e.id in self.params and self.params[e.id] is not None:
                    out |= self.m.ann_types(self.modname, self.params[e.id], self.fn)
                for v in self.locals.get(e.id, []):
                    if isinstance(v, tuple):
                        out |= self.m.ann_types(self.modname, v[1], self.fn)
                    else:
                        out |= self.infer(v, depth + 1)
                return out
            finally:
                self._busy.discard(e.id)
        if isinstance(e, ast.Attribute):
            out = set()
            for t in self.infer(e.value, depth + 1):
                if t in self.m.index.classes:
                    out |= self.m.attr_types(t, e.attr, depth + 1)
            return out
        if isinstance(e, ast.Call):
            f = e.func
            if isinstance(f, ast.Name):
                if f.id in ("getattr",) and len(e.args) >= 2:
                    return set()
                r = self.m.local_import(self.modname, self.fn, f.id) if self.modname in self.m.index.modules else None
                if r is None and self.modname in self.m.index.modules:
                    r = self.m.index.resolve_name(self.modname, f.id)
                if r and r[0] == "class":
                    return {r[1]}
                if f.id == self.cls_name and self.cls_key:
                    return {self.cls_key}
                if f.id in self.m.aliases:
                    return set(self.m.aliases[f.id])
                # module-level function
                mod = self.m.index.modules.get(self.modname)
                if mod is not None and mod.tree is not None:
                    for st in mod.tree.body:
                        if isinstance(st, (ast.FunctionDef, ast.AsyncFunctionDef)) and st.name == f.id:
                            return self.m.return_types(None, st, depth + 1) if st.returns is None else \
                                self.m.ann_types(self.modname, st.returns, st)
                return set()
            if isinstance(f, ast.Attribute):
                recv_types = self.infer(f.value, depth + 1)
                # Class.method(...) / instance.method(...)
                if isinstance(f.value, ast.Name) and self.modname in self.m.index.modules:
                    r = self.m.index.resolve_name(self.modname, f.value.id)
                    if r and r[0] == "class":
                        recv_types = recv_types | {r[1]}
                out = set()
                for t in recv_types:
                    if t in self.m.index.classes:
                        k, fn = self.m.lookup_method(t, f.attr)
                        if fn is not None:
                            out |= self.m.return_types(k, fn, depth + 1)
                if not out and not recv_types:
                    # untyped receiver: use the method name if every definition agrees on an emitter return
                    cands = self.m.defs_by_name.get(f.attr, [])
                    rets = [self.m.return_types(k, fn, depth + 1) for k, fn in cands[:12]]
                    rets = [r for r in rets if r]
                    if rets and all(r & self.m.emitters for r in rets):
                        out = set().union(*rets)
                return out
        return set()


def bind_check(fn, call, skip_self=True):
    """Return (ok, problem|None, unverifiable)."""
    params = positional_params(fn)[1 if skip_self else 0:]
    kwonly = [a.arg for a in fn.args.kwonlyargs]
    names = set(params) | set(kwonly)
    supplied = set()
    unverifiable = False
    npos = 0
    for a in call.args:
        if isinstance(a, ast.Starred):
            unverifiable = True
            continue
        if npos < len(params):
            supplied.add(params[npos])
        elif fn.args.vararg is None:
            return False, f"takes {len(params)} positional argument(s) but {sum(1 for x in call.args if not isinstance(x, ast.Starred))} given", False
        npos += 1
    for kw in call.keywords:
        if kw.arg is None:
            unverifiable = True
            continue
        if kw.arg in supplied:
            return False, f"multiple values for argument {kw.arg!r}", False
        if kw.arg not in names and fn.args.kwarg is None:
            return False, f"unexpected keyword argument {kw.arg!r}", False
        supplied.add(kw.arg)
    if not unverifiable:
        pos = (fn.args.posonlyargs + fn.args.args)[1 if skip_self else 0:]
        ndef = len(fn.args.defaults)
        req = [a.arg for a in pos[: len(pos) - ndef]]
        req += [a.arg for a, d in zip(fn.args.kwonlyargs, fn.args.kw_defaults) if d is None]
        missing = [r for r in req if r not in supplied]
        if missing:
            return False, "missing required argument(s) " + ", ".join(repr(m) for m in missing), False
    return True, None, unverifiable


ID_NAMES = {"run_id", "thread_id", "user_id", "request_id", "agent_name", "tool_name", "connection_id"}


def semantic_warnings(fn, call):
    """Arguments that bind but land in a parameter with a different meaning."""
    params = positional_params(fn)[1:]
    allp = set(params) | {a.arg for a in fn.args.kwonlyargs}
    out = []
    for i, a in enumerate(call.args):
        if isinstance(a, ast.Starred) or i >= len(params):
            break
        p = params[i]
        ident = a.id if isinstance(a, ast.Name) else a.attr if isinstance(a, ast.Attribute) else None
        if ident and ident != p and (ident in allp or ident in ID_NAMES):
            out.append(f"positional argument {ident!r} lands in parameter {p!r}")
        elif isinstance(a, ast.Dict) and (p.endswith("_name") or p.endswith("_id")):
            out.append(f"a dict literal lands in parameter {p!r}")
    return out


def parents(tree):
    par = {}
    for n in ast.walk(tree):
        for ch in ast.iter_child_nodes(n):
            par[ch] = n
    return par


def awaited_status(call, par):
    p = par.get(call)
    if isinstance(p, ast.Await):
        return "awaited"
    if isinstance(p, ast.Return):
        return "returned"
    if isinstance(p, ast.Call) and call in p.args:
        fname = p.func.attr if isinstance(p.func, ast.Attribute) else getattr(p.func, "id", "")
        if fname in AWAIT_WRAPPERS:
            return f"scheduled:{fname}"
        return f"passed-to:{fname}"
    if isinstance(p, (ast.List, ast.Tuple, ast.Starred)):
        return "collected"
    if isinstance(p, ast.Expr):
        return "not-awaited"
    if isinstance(p, (ast.Assign, ast.AnnAssign)):
        return "assigned"
    return "other"


def event_of_call(call):
    """(kind, event) for a candidate call, else None."""
    f = call.func
    name = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else None
    if not name:
        return None
    for ev in CRITICAL:
        if name == f"emit_{ev}":
            return ("emit", ev)
        if name == f"notify_{ev}":
            return ("notify", ev)
    if HELPER_RE.match(name):
        for a in call.args[:3]:
            if isinstance(a, ast.Constant) and a.value in CRITICAL:
                return ("helper", a.value)
        for kw in call.keywords:
            if kw.arg in EVENT_KWS and isinstance(kw.value, ast.Constant) and kw.value.value in CRITICAL:
                return ("helper", kw.value.value)
    return None


def iter_functions(mod):
    """(class_key|None, fn, closure_self|None) for every function in the module.
    Functions nested in a method get the method's class and its `self` name (closure)."""
    seen = set()

    def nested(cls_key, fn, self_name):
        for n in ast.walk(fn):
            if n is not fn and isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and id(n) not in seen:
                seen.add(id(n))
                yield cls_key, n, self_name

    for ci in mod.classes.values():
        for fn in ci.methods.values():
            seen.add(id(fn))
    for ci in mod.classes.values():
        for fn in ci.methods.values():
            yield ci.key, fn, None
            params = positional_params(fn)
            yield from nested(ci.key, fn, params[0] if params else None)
    for n in ast.walk(mod.tree):
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and id(n) not in seen:
            seen.add(id(n))
            yield None, n, None


def analyse(index, model, app_prefix):
    calls = []
    for mod in sorted(index.modules.values(), key=lambda m: m.path):
        if not mod.path.startswith(app_prefix) or mod.tree is None:
            continue
        par = parents(mod.tree)
        done = set()
        for cls_key, fn, closure_self in iter_functions(mod):
            env = None
            for n in walk_no_nested(fn):
                if not isinstance(n, ast.Call) or id(n) in done:
                    continue
                ev = event_of_call(n)
                if ev is None:
                    continue
                done.add(id(n))
                env = env or Env(model, cls_key, fn, modname=mod.name, closure_self=closure_self)
                calls.append(judge_call(index, model, mod, cls_key, fn, n, ev, env, par))
    return calls


def judge_call(index, model, mod, cls_key, fn, call, ev, env, par):
    kind, event = ev
    f = call.func
    method = f.attr if isinstance(f, ast.Attribute) else f.id
    owner = index.classes.get(cls_key)
    rec = {
        "event": event, "kind": kind, "method": method, "path": mod.path, "line": call.lineno,
        "function": f"{owner.qualname + '.' if owner else ''}{fn.name}",
        "receiver": shape(f.value) if isinstance(f, ast.Attribute) else None,
    }
    qual = rec["function"] + (f" {owner.qualname}" if owner else "")
    if re.search(r"mock|fake|stub|dummy", qual, re.I):
        rec["test_fallback"] = True  # production file, but a mock/test-only code path
    if not isinstance(f, ast.Attribute):
        rec.update(receiver_kind="function", verdict="not-emitter", detail="plain function call")
        return rec
    types = env.infer(f.value)
    emit_types = sorted(t for t in types if t in model.emitters)
    assumed = False
    if not emit_types:
        rname = shape(f.value).split(".")[-1].lower()
        if not types and "emitter" in rname:
            emit_types = sorted(model.emitter_roots)
            assumed = True
    rec["receiver_types"] = sorted(t.split(":", 1)[-1] for t in types)[:6]
    internal = owner is not None and cls_key in model.emitters and isinstance(f.value, ast.Name) \
        and f.value.id == env.self_name
    if not emit_types:
        rec["receiver_kind"] = "other" if types else "unknown"
        rec["verdict"] = "not-emitter"
        rec["detail"] = ("receiver is " + ", ".join(rec["receiver_types"])) if types else "receiver type not inferred"
        return rec
    rec["receiver_kind"] = "internal" if internal else ("emitter-assumed" if assumed else "emitter")
    rec["emitter_class"] = [t.split(":", 1)[-1] for t in emit_types]
    verdicts = []
    for t in emit_types:
        k, mfn = model.lookup_method(t, method)
        if mfn is None:
            has_getattr = model.lookup_method(t, "__getattr__")[1] is not None
            verdicts.append(("missing-method", f"{t.split(':', 1)[-1]} has no method {method!r}"
                             + (" (class defines __getattr__)" if has_getattr else "")))
            continue
        ok, problem, unverifiable = bind_check(mfn, call, skip_self="staticmethod" not in decorators(mfn))
        sig = f"{index.classes[k].name}.{method}({', '.join(positional_params(mfn)[1:])}) line {mfn.lineno}"
        if not ok:
            verdicts.append(("bad-arguments", f"{sig}: {problem} (TypeError)"))
        else:
            warn = semantic_warnings(mfn, call)
            if warn:
                rec.setdefault("semantic_warnings", []).extend(warn)
            verdicts.append(("ok" if not unverifiable else "ok-unverifiable", sig))
    # keep the best verdict over the possible emitter classes
    order = ["ok", "ok-unverifiable", "bad-arguments", "missing-method"]
    verdicts.sort(key=lambda v: order.index(v[0]))
    v, d = verdicts[0]
    aw = awaited_status(call, par)
    rec["await"] = aw
    if v.startswith("ok") and aw in ("not-awaited",):
        v, d = "not-awaited", d + "; coroutine is never awaited"
    rec["verdict"], rec["detail"] = v, d
    return rec


UNPARSED_CALL_RE = re.compile(
    r"\.(emit_|notify_)(agent_started|agent_thinking|tool_executing|tool_completed|agent_completed)\s*\(")
UNPARSED_HELPER_RE = re.compile(
    r"\.(_*(?:emit|notify|send|publish|broadcast|dispatch)(?:_[a-z_]+)?)\(\s*(?:[\w.]+\s*,\s*)?['\"]"
    r"(agent_started|agent_thinking|tool_executing|tool_completed|agent_completed)['\"]")


def unparsed_calls(index, app_prefix):
    out = []
    for mod in index.modules.values():
        if mod.tree is not None or not mod.path.startswith(app_prefix):
            continue
        with open(os.path.join(index.root, mod.path), encoding="utf-8", errors="replace") as fh:
            src = fh.read()
        for rx, kindf in ((UNPARSED_CALL_RE, lambda m: (m.group(1).strip("_"), m.group(2))),
                          (UNPARSED_HELPER_RE, lambda m: ("helper", m.group(2)))):
            for m in rx.finditer(src):
                kind, ev = kindf(m)
                out.append({"event": ev, "kind": kind, "path": mod.path,
                            "line": src.count("\n", 0, m.start()) + 1, "verdict": "module-unparseable",
                            "detail": f"{mod.path} does not parse ({mod.parse_error['error']} at line "
                                      f"{mod.parse_error['line']}); the module cannot be imported",
                            "receiver_kind": "unknown"})
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description="critical events NIL403 ground truth")
    ap.add_argument("tree")
    ap.add_argument("--package", default="netra_backend")
    ap.add_argument("--emitter-dir", default="app/websocket_core/")
    ap.add_argument("--app-prefix", default="app/")
    ap.add_argument("--output")
    args = ap.parse_args(argv)
    index = Index(args.tree, args.package)
    model = Model(index, args.emitter_dir, args.app_prefix)
    if not model.emitter_roots:
        print("error: no emitter class found under", args.emitter_dir, file=sys.stderr)
        return 2
    calls = analyse(index, model, args.app_prefix) + unparsed_calls(index, args.app_prefix)
    calls.sort(key=lambda c: (c["event"], c["path"], c["line"]))

    emitter_info = []
    for k in sorted(model.emitters):
        ci = index.classes[k]
        emitter_info.append({
            "class": ci.qualname, "path": ci.path, "line": ci.line,
            "methods": {m: {"line": fn.lineno, "params": positional_params(fn)[1:]}
                        for m, fn in sorted(ci.methods.items())
                        if m == "emit" or any(m in (f"emit_{e}", f"notify_{e}") for e in CRITICAL)},
            "aliases": sorted(n for n, ks in model.aliases.items() if k in ks and n != ci.name),
        })
    per_event = {}
    for ev in CRITICAL:
        evc = [c for c in calls if c["event"] == ev]
        prod = [c for c in evc if c.get("receiver_kind") in ("emitter", "emitter-assumed")]
        working = [c for c in prod if c["verdict"] in ("ok", "ok-unverifiable")]
        working_direct = [c for c in working if c["kind"] in ("emit", "helper")]
        clean = [c for c in working if not c.get("semantic_warnings") and c["receiver_kind"] == "emitter"
                 and c["verdict"] == "ok"
                 and not c.get("test_fallback")]
        per_event[ev] = {
            "candidate_calls": len(evc),
            "per_user_emitter_calls": len(prod),
            "by_verdict": dict(Counter(c["verdict"] for c in prod)),
            "by_kind": dict(Counter(c["kind"] for c in prod)),
            "working": len(working),
            "working_emit_or_helper": len(working_direct),
            "working_typed_no_warnings": len(clean),
            "working_sites": [f"{c['path']}:{c['line']} {c['kind']} {c['method']}"
                              + (" [receiver assumed by name]" if c["receiver_kind"] == "emitter-assumed" else "")
                              + (" [mock/test-only path]" if c.get("test_fallback") else "")
                              + (" [args not verifiable: *args/**kwargs]" if c["verdict"] == "ok-unverifiable" else "")
                              + (f" [warning: {'; '.join(c['semantic_warnings'])}]" if c.get("semantic_warnings") else "")
                              for c in working],
            "broken_sites": [f"{c['path']}:{c['line']} {c['method']} -> {c['verdict']}: {c['detail']}"
                             for c in prod if c not in working],
            "internal_calls": len([c for c in evc if c.get("receiver_kind") == "internal"]),
            "other_receivers": dict(Counter(", ".join(c.get("receiver_types") or ["?"]) for c in evc
                                            if c.get("receiver_kind") in ("other", "unknown", "function"))),
            "unparseable_module_calls": len([c for c in evc if c["verdict"] == "module-unparseable"]),
        }
    summary = {
        "tree": os.path.abspath(args.tree),
        "emitter_classes": emitter_info,
        "per_event": per_event,
        "events_without_working_emit_or_helper_send": [e for e in CRITICAL if not per_event[e]["working_emit_or_helper"]],
        "events_without_any_working_send": [e for e in CRITICAL if not per_event[e]["working"]],
        "events_without_typed_clean_send": [e for e in CRITICAL if not per_event[e]["working_typed_no_warnings"]],
        "parse_failures_under_app": [p for p in index.parse_failures if p["path"].startswith(args.app_prefix)],
    }
    result = {"tool": "critical_events_audit", "summary": summary, "calls": calls}
    if args.output:
        os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
        with open(args.output, "w") as fh:
            fh.write(json.dumps(result, indent=1) + "\n")
    for e in emitter_info:
        print(f"emitter: {e['class']} ({e['path']}:{e['line']}) aliases={e['aliases']}")
    for ev, s in per_event.items():
        print(f"{ev:16} candidates={s['candidate_calls']:3} via-emitter={s['per_user_emitter_calls']:2} "
              f"working={s['working']} (typed+clean {s['working_typed_no_warnings']}, emit/helper {s['working_emit_or_helper']}) "
              f"verdicts={s['by_verdict']} "
              f"internal={s['internal_calls']}")
    print("no working emit_/helper send:", summary["events_without_working_emit_or_helper_send"])
    print("no working send at all (incl. notify_*):", summary["events_without_any_working_send"])
    print("no typed, warning-free, non-mock send (incl. notify_*):", summary["events_without_typed_clean_send"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
